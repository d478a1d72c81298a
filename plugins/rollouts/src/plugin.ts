import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { RolloutsClient, rolloutsApiRef } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/** The Rollouts frontend plugin. @public */
export const rolloutsPlugin = createPlugin({
  id: 'rollouts',
  apis: [
    createApiFactory({
      api: rolloutsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RolloutsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    entityContent: entityContentRouteRef,
  },
});

/**
 * The Rollouts tab of an entity: its Stones, each with its stages,
 * topology and actions. Guard it with `isRolloutsAvailable`.
 * @public
 */
export const EntityRolloutsContent = rolloutsPlugin.provide(
  createRoutableExtension({
    name: 'EntityRolloutsContent',
    component: () =>
      import('./components/EntityRolloutsContent').then(
        m => m.EntityRolloutsContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The Rollouts page: the Stones of every entity the user may see, across
 * the configured clusters.
 * @public
 */
export const RolloutsPage = rolloutsPlugin.provide(
  createRoutableExtension({
    name: 'RolloutsPage',
    component: () =>
      import('./components/RolloutsPage').then(m => m.RolloutsPage),
    mountPoint: rootRouteRef,
  }),
);
