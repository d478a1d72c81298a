import { createRouteRef } from '@backstage/core-plugin-api';

/** The Pipelines page. @public */
export const rootRouteRef = createRouteRef({ id: 'pipelines' });

/** The CI/CD tab of an entity. @public */
export const entityContentRouteRef = createRouteRef({
  id: 'pipelines:entity-content',
});
