import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import RolloutsIcon from '@material-ui/icons/Layers';
import { RolloutsClient, rolloutsApiRef } from './api';
import { isRolloutsAvailable } from './isRolloutsAvailable';
import { entityContentRouteRef, rootRouteRef } from './routes';

/*
 * Rollouts for apps on Backstage's new frontend system: the same API
 * client, entity tab and page as the legacy plugin (./plugin.ts).
 */

const rolloutsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: rolloutsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RolloutsClient({ discoveryApi, fetchApi }),
    }),
});

const rolloutsPage = PageBlueprint.make({
  params: {
    path: '/rollouts',
    title: 'Rollouts',
    icon: <RolloutsIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/RolloutsPage').then(m =>
        compatWrapper(<m.RolloutsPage />),
      ),
  },
});

const rolloutsEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/rollouts',
    title: 'Rollouts',
    routeRef: convertLegacyRouteRef(entityContentRouteRef),
    filter: isRolloutsAvailable,
    loader: () =>
      import('./components/EntityRolloutsContent').then(m =>
        compatWrapper(<m.EntityRolloutsContent />),
      ),
  },
});

/** The Rollouts plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'rollouts',
  extensions: [rolloutsApi, rolloutsPage, rolloutsEntityContent],
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    entityContent: convertLegacyRouteRef(entityContentRouteRef),
  },
});
