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
import { isPipelinesAvailable } from '@cairn/plugin-pipelines-common';
import PipelinesIcon from '@material-ui/icons/AccountTree';
import {
  PipelinesClient,
  pipelinesApiRef,
  WebhooksClient,
  webhooksApiRef,
} from './api';
import {
  entityContentRouteRef,
  rootRouteRef,
  templateStoreRouteRef,
} from './routes';

/*
 * Pipelines for apps on Backstage's new frontend system: the same API
 * client, CI/CD tab and page as the legacy plugin (./plugin.ts).
 */

const pipelinesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: pipelinesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PipelinesClient({ discoveryApi, fetchApi }),
    }),
});

const webhooksApi = ApiBlueprint.make({
  name: 'webhooks',
  params: defineParams =>
    defineParams({
      api: webhooksApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new WebhooksClient({ discoveryApi, fetchApi }),
    }),
});

const pipelinesPage = PageBlueprint.make({
  params: {
    path: '/pipelines',
    title: 'Pipelines',
    icon: <PipelinesIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/PipelinesPage').then(m =>
        compatWrapper(<m.PipelinesPage />),
      ),
  },
});

const pipelinesEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/ci-cd',
    title: 'CI/CD',
    routeRef: convertLegacyRouteRef(entityContentRouteRef),
    filter: isPipelinesAvailable,
    loader: () =>
      import('./components/EntityPipelinesContent').then(m =>
        compatWrapper(<m.EntityPipelinesContent />),
      ),
  },
});

/** The Pipelines plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'pipelines',
  extensions: [
    pipelinesApi,
    webhooksApi,
    pipelinesPage,
    pipelinesEntityContent,
  ],
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    entityContent: convertLegacyRouteRef(entityContentRouteRef),
  },
  externalRoutes: {
    templateStore: convertLegacyRouteRef(templateStoreRouteRef),
  },
});
