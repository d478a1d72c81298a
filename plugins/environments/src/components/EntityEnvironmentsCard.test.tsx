import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import type { EnvironmentSummary } from '@cairn/plugin-environments-common';
import { environmentsApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { EntityEnvironmentsCard } from './EntityEnvironmentsCard';

const storefront: EnvironmentSummary = {
  cluster: 'dev',
  name: 'storefront',
  resourceVersion: '7',
  spec: {
    namespace: 'storefront',
    owner: 'group:default/team-storefront',
    tenants: [{ group: 'group:default/team-checkout', role: 'view' }],
    placement: { zones: ['zone-a'] },
  },
  nodes: ['a1', 'a2'],
  quota: { hard: { pods: '10' }, used: { pods: '4' } },
  conditions: [],
  ready: true,
  deleting: false,
};

const render = (entity: any, items: EnvironmentSummary[]) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [
          environmentsApiRef,
          {
            listEnvironments: async () => ({
              items,
              canManage: false,
              clusterErrors: [],
            }),
          },
        ],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityEnvironmentsCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/environments': rootRouteRef } },
  );

describe('EntityEnvironmentsCard', () => {
  it("shows a tenant group its role, the placement and usage, linked to the environment's page", async () => {
    await render(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'team-checkout', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
      [storefront],
    );
    const link = await screen.findByRole('link', { name: 'storefront' });
    expect(link).toHaveAttribute(
      'href',
      '/environments?environment=dev%2Fstorefront',
    );
    expect(screen.getByText('view')).toBeInTheDocument();
    expect(
      screen.getByText(/placement zones zone-a \(2 nodes\)/),
    ).toBeInTheDocument();
    expect(screen.getByText('pods: 4 / 10')).toBeInTheDocument();
  });

  it('shows a service the environment of its namespace only', async () => {
    await render(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'web',
          namespace: 'default',
          annotations: { 'backstage.io/kubernetes-namespace': 'other' },
        },
        spec: {},
      },
      [storefront],
    );
    expect(
      await screen.findByText('No environment you may see is namespace other.'),
    ).toBeInTheDocument();
  });
});
