import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
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

/** The Pipelines frontend plugin. @public */
export const pipelinesPlugin = createPlugin({
  id: 'pipelines',
  apis: [
    createApiFactory({
      api: pipelinesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PipelinesClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: webhooksApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new WebhooksClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    entityContent: entityContentRouteRef,
  },
  externalRoutes: {
    templateStore: templateStoreRouteRef,
  },
});

/**
 * The CI/CD tab of an entity: its runs, a run's graph and steps, and the
 * actions on them. Guard it with `isPipelinesAvailable`.
 * @public
 */
export const EntityPipelinesContent = pipelinesPlugin.provide(
  createRoutableExtension({
    name: 'EntityPipelinesContent',
    component: () =>
      import('./components/EntityPipelinesContent').then(
        m => m.EntityPipelinesContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The Pipelines page: runs of every entity that uses Pipelines, across
 * namespaces and clusters.
 * @public
 */
export const PipelinesPage = pipelinesPlugin.provide(
  createRoutableExtension({
    name: 'PipelinesPage',
    component: () =>
      import('./components/PipelinesPage').then(m => m.PipelinesPage),
    mountPoint: rootRouteRef,
  }),
);
