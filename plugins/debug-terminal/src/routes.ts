import { createRouteRef } from '@backstage/core-plugin-api';

/** The Debug tab of an entity. @public */
export const entityContentRouteRef = createRouteRef({
  id: 'debug-terminal:entity-content',
});
