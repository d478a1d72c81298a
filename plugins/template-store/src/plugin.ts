import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import {
  TemplateStoreClient,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { rootRouteRef } from './routes';

/** The template store frontend plugin. @public */
export const templateStorePlugin = createPlugin({
  id: 'template-store',
  apis: [
    createApiFactory({
      api: templateStoreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new TemplateStoreClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The store: search with facets, and each template's page (README, params,
 * versions with diff, YAML, star, fork).
 * @public
 */
export const TemplateStorePage = templateStorePlugin.provide(
  createRoutableExtension({
    name: 'TemplateStorePage',
    component: () =>
      import('./components/TemplateStoreRouter').then(
        m => m.TemplateStoreRouter,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * For a group's page: the store's templates the group owns.
 * @public
 */
export const EntityGroupTemplatesCard = templateStorePlugin.provide(
  createComponentExtension({
    name: 'EntityGroupTemplatesCard',
    component: {
      lazy: () =>
        import('./components/EntityGroupTemplatesCard').then(
          m => m.EntityGroupTemplatesCard,
        ),
    },
  }),
);
