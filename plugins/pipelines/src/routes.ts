import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

/** The Pipelines page. @public */
export const rootRouteRef = createRouteRef({ id: 'pipelines' });

/** The CI/CD tab of an entity. @public */
export const entityContentRouteRef = createRouteRef({
  id: 'pipelines:entity-content',
});

/**
 * The template store's page, where "Save to store" links to what it saved.
 * An external route so that an app may mount the store anywhere (bound in
 * the app's bindRoutes; on the new frontend system it binds itself to the
 * store's root). Optional: without a store the builder has no Save to store.
 * @public
 */
export const templateStoreRouteRef = createExternalRouteRef({
  id: 'template-store',
  optional: true,
  defaultTarget: 'template-store.root',
});
