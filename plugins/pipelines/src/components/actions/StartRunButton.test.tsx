import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { buildParamForm } from '@cairn/plugin-pipelines-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { FakePipelinesApi } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../../api';
import { EntityRefProvider } from '../EntityRefContext';
import { StartRunButton } from './StartRunButton';

const entityRef = 'component:default/shop';
// usePermission caches decisions per resource across tests: deny on another entity.
const lockedRef = 'component:default/locked';

function withPipelines() {
  const api = new FakePipelinesApi();
  api.pipelines = {
    clusterErrors: [],
    items: [
      {
        entityRef,
        cluster: 'dev',
        namespace: 'shop',
        name: 'build',
        description: 'Builds the shop',
        params: buildParamForm([
          { name: 'revision', type: 'string', default: 'main' },
          { name: 'targets', type: 'array' },
        ]),
        workspaces: [],
        graph: { nodes: [], edges: [], issues: [] },
        serviceAccounts: [],
      },
    ],
  };
  return api;
}

async function render(api: FakePipelinesApi, allow = true) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [pipelinesApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({ authorize: (allow ? 'ALLOW' : 'DENY') as any }),
        ],
      ]}
    >
      <EntityRefProvider
        entityRef={allow ? entityRef : lockedRef}
        basePath="/ci-cd"
      >
        <Routes>
          <Route path="/" element={<StartRunButton />} />
          <Route path="/ci-cd/runs/dev/shop/new-run" element={<>run page</>} />
        </Routes>
      </EntityRefProvider>
    </TestApiProvider>,
  );
}

describe('StartRunButton', () => {
  it('starts a chosen pipeline with typed params and opens the new run', async () => {
    const api = withPipelines();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Start run' }));
    fireEvent.click(await screen.findByText('build'));
    expect(screen.getByLabelText('revision')).toHaveValue('main');
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(
      await screen.findByText('param "targets" is required'),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('targets'), {
      target: { value: 'linux\ndarwin' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('run page')).toBeInTheDocument();
    expect(api.calls).toContainEqual({
      method: 'startRun',
      args: [
        entityRef,
        {
          cluster: 'dev',
          namespace: 'shop',
          pipeline: 'build',
          params: { revision: 'main', targets: ['linux', 'darwin'] },
        },
      ],
    });
  });

  it('is hidden without the permission to start runs', async () => {
    await render(withPipelines(), false);
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Start run' })).toBeNull(),
    );
  });

  it("offers the pipeline's allowed service accounts and starts the run as the one chosen", async () => {
    const api = withPipelines();
    api.pipelines.items[0].serviceAccounts = ['ci-runner', 'deployer'];
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Start run' }));
    fireEvent.click(await screen.findByText('build'));
    fireEvent.change(screen.getByLabelText('targets'), {
      target: { value: 'linux' },
    });
    fireEvent.change(screen.getByLabelText('Service account'), {
      target: { value: 'deployer' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('run page')).toBeInTheDocument();
    expect(api.calls).toContainEqual({
      method: 'startRun',
      args: [
        entityRef,
        expect.objectContaining({
          pipeline: 'build',
          serviceAccountName: 'deployer',
        }),
      ],
    });
  });

  it("on the Pipelines page, offers every entity's pipelines and starts one as its entity", async () => {
    const api = withPipelines();
    api.pipelines.items.push({
      ...api.pipelines.items[0],
      entityRef: 'component:default/cart',
      namespace: 'cart',
      name: 'cart-build',
      description: undefined,
      params: [],
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [pipelinesApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityRefProvider basePath="/pipelines">
          <Routes>
            <Route path="/" element={<StartRunButton />} />
            <Route
              path="/pipelines/runs/dev/cart/new-run"
              element={<>cart run page</>}
            />
          </Routes>
        </EntityRefProvider>
      </TestApiProvider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Start run' }));
    expect(
      await screen.findByText(/^component:default\/cart · cart \(dev\)/),
    ).toBeInTheDocument();
    expect(api.calls).toContainEqual({
      method: 'listPipelines',
      args: [undefined],
    });
    fireEvent.click(screen.getByText('cart-build'));
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(await screen.findByText('cart run page')).toBeInTheDocument();
    expect(api.calls).toContainEqual({
      method: 'startRun',
      args: [
        'component:default/cart',
        {
          cluster: 'dev',
          namespace: 'cart',
          pipeline: 'cart-build',
          params: {},
        },
      ],
    });
  });

  it('offers on the Pipelines page only the pipelines whose entity the user may start runs of', async () => {
    const api = withPipelines();
    const locked = {
      ...api.pipelines.items[0],
      entityRef: 'component:default/vault',
      namespace: 'vault',
      name: 'vault-build',
    };
    api.pipelines = {
      ...api.pipelines,
      items: [...api.pipelines.items, locked],
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [pipelinesApiRef, api],
          [
            permissionApiRef,
            mockApis.permission({
              authorize: request =>
                (request as { resourceRef?: string }).resourceRef ===
                'component:default/vault'
                  ? ('DENY' as any)
                  : ('ALLOW' as any),
            }),
          ],
        ]}
      >
        <EntityRefProvider basePath="/pipelines">
          <StartRunButton />
        </EntityRefProvider>
      </TestApiProvider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Start run' }));
    expect(await screen.findByText('build')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText('vault-build')).toBeNull());
  });

  it("hides a pipeline's Run button when the user may not start runs of the pipeline's entity", async () => {
    const api = withPipelines();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [pipelinesApiRef, api],
          [permissionApiRef, mockApis.permission({ authorize: 'DENY' as any })],
        ]}
      >
        <EntityRefProvider basePath="/pipelines">
          <StartRunButton
            label="Run"
            pipeline={{
              entityRef: 'component:default/safe',
              cluster: 'dev',
              namespace: 'safe',
              name: 'build',
            }}
          />
          <span>rendered</span>
        </EntityRefProvider>
      </TestApiProvider>,
    );
    await screen.findByText('rendered');
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Run' })).toBeNull(),
    );
  });
});
