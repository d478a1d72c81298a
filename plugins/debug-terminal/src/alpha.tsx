import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { DebugTerminalClient, debugTerminalApiRef } from './api';
import { isDebugTerminalAvailable } from './isDebugTerminalAvailable';
import { entityContentRouteRef } from './routes';

/*
 * The debug terminal for apps on Backstage's new frontend system: the same
 * API client and entity tab as the legacy plugin (./plugin.ts).
 */

const debugTerminalApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: debugTerminalApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        fetchApi: fetchApiRef,
        identityApi: identityApiRef,
      },
      factory: ({ discoveryApi, fetchApi, identityApi }) =>
        new DebugTerminalClient({ discoveryApi, fetchApi, identityApi }),
    }),
});

const debugEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/debug',
    title: 'Debug',
    routeRef: convertLegacyRouteRef(entityContentRouteRef),
    filter: isDebugTerminalAvailable,
    loader: () =>
      import('./components/EntityDebugContent').then(m =>
        compatWrapper(<m.EntityDebugContent />),
      ),
  },
});

/** The debug terminal plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'debug-terminal',
  extensions: [debugTerminalApi, debugEntityContent],
  routes: {
    entityContent: convertLegacyRouteRef(entityContentRouteRef),
  },
});
