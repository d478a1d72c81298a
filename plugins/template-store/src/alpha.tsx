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
import TemplatesIcon from '@material-ui/icons/LibraryBooks';
import {
  TemplateStoreClient,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { rootRouteRef } from './routes';

/*
 * The template store for apps on Backstage's new frontend system: the same
 * API client and pages as the legacy plugin, mounted at /templates.
 */

const templateStoreApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: templateStoreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new TemplateStoreClient({ discoveryApi, fetchApi }),
    }),
});

const templateStorePage = PageBlueprint.make({
  params: {
    path: '/templates',
    title: 'Templates',
    icon: <TemplatesIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/TemplateStoreRouter').then(m =>
        compatWrapper(<m.TemplateStoreRouter />),
      ),
  },
});

/** On a group's page: the templates it owns. */
const groupTemplatesCard = EntityCardBlueprint.make({
  name: 'group-templates',
  params: {
    filter: 'kind:group',
    loader: () =>
      import('./components/EntityGroupTemplatesCard').then(m =>
        compatWrapper(<m.EntityGroupTemplatesCard />),
      ),
  },
});

/** The template store plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'template-store',
  extensions: [templateStoreApi, templateStorePage, groupTemplatesCard],
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
});
