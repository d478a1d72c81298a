import { Navigate, Route } from 'react-router-dom';
import {
  CatalogEntityPage,
  CatalogIndexPage,
  catalogPlugin,
} from '@backstage/plugin-catalog';
import { orgPlugin } from '@backstage/plugin-org';
import { SearchPage } from '@backstage/plugin-search';
import { UserSettingsPage } from '@backstage/plugin-user-settings';
import {
  AlertDisplay,
  OAuthRequestDialog,
  SignInPage,
} from '@backstage/core-components';
import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes } from '@backstage/core-app-api';
import {
  configApiRef,
  githubAuthApiRef,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import { CatalogGraphPage } from '@backstage/plugin-catalog-graph';
import { NotificationsPage } from '@backstage/plugin-notifications';
import { SignalsDisplay } from '@backstage/plugin-signals';
import { EnvironmentsPage } from '@cairn/plugin-environments';
import { PipelinesPage, pipelinesPlugin } from '@cairn/plugin-pipelines';
import { RolloutsPage } from '@cairn/plugin-rollouts';
import {
  TemplateStorePage,
  templateStorePlugin,
} from '@cairn/plugin-template-store';
import { apis } from './apis';
import { entityPage } from './components/catalog/EntityPage';
import { searchPage } from './components/search/SearchPage';
import { Root } from './components/Root';
import { NotFoundPage } from './components/NotFound/NotFoundPage';
import { demoOpsSignInProvider } from './signIn/demoOps';

/*
 * Sign-in offers what `cairn.signIn.providers` lists: guest (the developer
 * `guest`) and "Ops (demo)" (the demo ops user) for local use, GitHub when
 * configured (each also needs its `auth.providers.<id>`: see the README).
 */
const CairnSignInPage = (props: SignInPageProps) => {
  const configApi = useApi(configApiRef);
  const enabled = configApi.getOptionalStringArray(
    'cairn.signIn.providers',
  ) ?? ['guest'];
  const providers = [
    ...(enabled.includes('guest') ? ['guest' as const] : []),
    ...(enabled.includes('demoOps') ? [demoOpsSignInProvider] : []),
    ...(enabled.includes('github')
      ? [
          {
            id: 'github-auth-provider',
            title: 'GitHub',
            message: 'Sign in using GitHub',
            apiRef: githubAuthApiRef,
          },
        ]
      : []),
  ];
  return <SignInPage {...props} providers={providers} />;
};

const app = createApp({
  apis,
  bindRoutes({ bind }) {
    bind(orgPlugin.externalRoutes, {
      catalogIndex: catalogPlugin.routes.catalogIndex,
    });
    // The builder's "Save to store" links to wherever the store is mounted.
    bind(pipelinesPlugin.externalRoutes, {
      templateStore: templateStorePlugin.routes.root,
    });
  },
  components: {
    SignInPage: CairnSignInPage,
    NotFoundErrorPage: NotFoundPage,
  },
});

const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="catalog" />} />
    <Route path="/catalog" element={<CatalogIndexPage />} />
    <Route
      path="/catalog/:namespace/:kind/:name"
      element={<CatalogEntityPage />}
    >
      {entityPage}
    </Route>
    <Route path="/search" element={<SearchPage />}>
      {searchPage}
    </Route>
    <Route path="/settings" element={<UserSettingsPage />} />
    <Route path="/catalog-graph" element={<CatalogGraphPage />} />
    <Route path="/notifications" element={<NotificationsPage />} />
    <Route path="/pipelines" element={<PipelinesPage />} />
    <Route path="/rollouts" element={<RolloutsPage />} />
    <Route path="/environments" element={<EnvironmentsPage />} />
    <Route path="/templates" element={<TemplateStorePage />} />
  </FlatRoutes>
);

export default app.createRoot(
  <>
    <AlertDisplay />
    <OAuthRequestDialog />
    <SignalsDisplay />
    <AppRouter>
      <Root>{routes}</Root>
    </AppRouter>
  </>,
);
