import { createDevApp } from '@backstage/dev-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityPipelinesContent, pipelinesPlugin } from '../src/plugin';

/*
 * `yarn start` in this package: the CI/CD tab of the demo Component
 * `payments-api`, against the pipelines backend at the app-config's
 * backend.baseUrl (run `scripts/start` or the backend next to it).
 */
const paymentsApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'cairn.dev/pipelines': 'true',
      'backstage.io/kubernetes-id': 'payments-api',
      'backstage.io/kubernetes-namespace': 'shop',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

createDevApp()
  .registerPlugin(pipelinesPlugin)
  .addPage({
    path: '/ci-cd',
    title: 'payments-api CI/CD',
    element: (
      <EntityProvider entity={paymentsApi}>
        <EntityPipelinesContent />
      </EntityProvider>
    ),
  })
  .render();
