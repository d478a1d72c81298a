import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen, within } from '@testing-library/react';
import {
  buildPipelineGraph,
  ClusterError,
} from '@cairn/plugin-pipelines-common';
import { FakePipelinesApi } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef, PipelineSummary } from '../../api';
import { EntityRefProvider } from '../EntityRefContext';
import { PipelinesCard } from './PipelinesCard';

const build: PipelineSummary = {
  entityRef: 'component:default/shop',
  cluster: 'dev',
  namespace: 'shop',
  name: 'build',
  description: 'Builds the shop',
  params: [],
  workspaces: [],
  serviceAccounts: [],
  graph: buildPipelineGraph({ tasks: [{ name: 'compile' }] }),
};

async function render(
  entityRef: string | undefined,
  allow = true,
  pipeline = build,
  clusterErrors: ClusterError[] = [],
) {
  const api = new FakePipelinesApi();
  api.pipelines = { items: [pipeline], clusterErrors };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [pipelinesApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({ authorize: (allow ? 'ALLOW' : 'DENY') as any }),
        ],
      ]}
    >
      <EntityRefProvider entityRef={entityRef} basePath="/ci-cd">
        <PipelinesCard />
      </EntityRefProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return api;
}

describe('PipelinesCard', () => {
  it('says it shows the last known pipelines of a cluster it lost, and since when', async () => {
    await render('component:default/shop', true, build, [
      {
        cluster: 'dev',
        message: 'connect ECONNREFUSED 127.0.0.1:6443',
        unreachableSince: '2026-12-07T10:00:00.000Z',
      },
    ]);
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('Showing the last known state of dev');
    expect(banner).toHaveTextContent('ECONNREFUSED');
    expect(screen.getByText('build')).toBeInTheDocument();
  });

  it('shows a display name with the name kubectl knows the pipeline by', async () => {
    await render('component:default/shop', true, {
      ...build,
      displayName: 'Build the shop',
    });
    const row = (await screen.findByText('Build the shop')).closest('tr')!;
    expect(within(row).getByText('build')).toBeInTheDocument();
  });

  it("lists the entity's pipelines with Run and Edit, and offers a new one", async () => {
    const api = await render('component:default/shop');
    const row = (await screen.findByText('Builds the shop')).closest('tr')!;
    expect(
      within(row).getByRole('button', { name: 'Run' }),
    ).toBeInTheDocument();
    expect(
      within(row).getByRole('button', { name: 'Edit build' }),
    ).toHaveAttribute('href', '/ci-cd/builder/dev/shop/build');
    expect(
      screen.getByRole('button', { name: 'New pipeline' }),
    ).toHaveAttribute('href', '/ci-cd/builder/new');
    expect(api.calls).toContainEqual({
      method: 'listPipelines',
      args: ['component:default/shop'],
    });
  });

  it('names the entity in the builder path on the Pipelines page', async () => {
    await render(undefined);
    const row = (await screen.findByText('Builds the shop')).closest('tr')!;
    expect(within(row).getByRole('link', { name: 'shop' })).toHaveAttribute(
      'href',
      '/catalog/default/component/shop',
    );
    expect(
      within(row).getByRole('button', { name: 'Edit build' }),
    ).toHaveAttribute(
      'href',
      '/ci-cd/builder/dev/shop/build?entityRef=component%3Adefault%2Fshop',
    );
  });

  it('hides Edit and New pipeline from users who may not edit pipelines', async () => {
    // Another entity: usePermission caches decisions per entity across renders.
    const locked = 'component:default/locked';
    await render(locked, false, { ...build, entityRef: locked });
    const row = (await screen.findByText('Builds the shop')).closest('tr')!;
    expect(
      within(row).queryByRole('button', { name: 'Edit build' }),
    ).toBeNull();
    expect(screen.queryByRole('button', { name: 'New pipeline' })).toBeNull();
  });
});
