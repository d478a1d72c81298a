import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import { DebugTerminalClient, debugTerminalApiRef } from './api';
import { entityContentRouteRef } from './routes';

/** The debug terminal frontend plugin. @public */
export const debugTerminalPlugin = createPlugin({
  id: 'debug-terminal',
  apis: [
    createApiFactory({
      api: debugTerminalApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        fetchApi: fetchApiRef,
        identityApi: identityApiRef,
      },
      factory: ({ discoveryApi, fetchApi, identityApi }) =>
        new DebugTerminalClient({ discoveryApi, fetchApi, identityApi }),
    }),
  ],
  routes: {
    entityContent: entityContentRouteRef,
  },
});

/**
 * The Debug tab of an entity: its pods with Debug (a toolkit container) and
 * Shell per container, its debug sessions, and for ops its recorded
 * terminals. Guard it with `isDebugTerminalAvailable`.
 * @public
 */
export const EntityDebugContent = debugTerminalPlugin.provide(
  createRoutableExtension({
    name: 'EntityDebugContent',
    component: () =>
      import('./components/EntityDebugContent').then(m => m.EntityDebugContent),
    mountPoint: entityContentRouteRef,
  }),
);
