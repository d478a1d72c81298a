import { createRouteRef } from '@backstage/core-plugin-api';

/** The store page (`/templates` in the app). @public */
export const rootRouteRef = createRouteRef({ id: 'template-store' });
