import { createRouteRef } from '@backstage/core-plugin-api';

/** The Rollouts page. @public */
export const rootRouteRef = createRouteRef({ id: 'rollouts' });

/** The Rollouts tab of an entity. @public */
export const entityContentRouteRef = createRouteRef({
  id: 'rollouts:entity-content',
});
