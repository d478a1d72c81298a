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
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import EnvironmentsIcon from '@material-ui/icons/Dns';
import { EnvironmentsClient, environmentsApiRef } from './api';
import { isEnvironmentsAvailable } from './isEnvironmentsAvailable';
import { rootRouteRef } from './routes';

/*
 * Environments for apps on Backstage's new frontend system: the same API
 * client, page and entity card as the legacy plugin (./plugin.ts).
 */

const environmentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: environmentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EnvironmentsClient({ discoveryApi, fetchApi }),
    }),
});

const environmentsPage = PageBlueprint.make({
  params: {
    path: '/environments',
    title: 'Environments',
    icon: <EnvironmentsIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/EnvironmentsPage').then(m =>
        compatWrapper(<m.EnvironmentsPage />),
      ),
  },
});

const environmentsEntityCard = EntityCardBlueprint.make({
  params: {
    filter: isEnvironmentsAvailable,
    loader: () =>
      import('./components/EntityEnvironmentsCard').then(m =>
        compatWrapper(<m.EntityEnvironmentsCard />),
      ),
  },
});

/** The Environments plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'environments',
  extensions: [environmentsApi, environmentsPage, environmentsEntityCard],
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
});
