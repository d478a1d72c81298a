import { SWRConfig } from 'swr';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  buildPipelineGraph,
  GitProvider,
  WEBHOOK_DELIVERIES_SIGNAL_CHANNEL,
  WebhookDeliveriesQuery,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { mockSignalApi } from '@cairn/plugin-kubernetes-react/testUtils';
import { FakePipelinesApi } from '../../__testUtils__/fakeApi';
import {
  pipelinesApiRef,
  PipelineSummary,
  WebhooksApi,
  webhooksApiRef,
} from '../../api';
import { EntityRefProvider } from '../EntityRefContext';
import { WebhooksContent } from './WebhooksContent';

// Material tables render slowly on a loaded machine.
jest.setTimeout(30_000);

const runsCreated: WebhookDeliverySummary = {
  id: 'github:d-1',
  provider: 'github',
  deliveryId: 'd-1',
  event: 'push',
  repository: 'https://github.com/acme/shop',
  ref: 'refs/heads/main',
  receivedAt: '2026-12-07T10:00:00Z',
  signatureOk: true,
  outcome: 'runs-created',
  runs: [
    {
      cluster: 'dev',
      namespace: 'ci',
      name: 'build-x7k2p',
      pipeline: 'build',
      kubernetesId: 'shop',
    },
  ],
  matches: [
    {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: 'build',
      kubernetesId: 'shop',
      matched: true,
    },
    {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: 'docs',
      kubernetesId: 'shop',
      matched: false,
      reason: 'no changed file matches docs/**',
    },
  ],
  duplicates: 1,
};

const noMatch: WebhookDeliverySummary = {
  ...runsCreated,
  id: 'gitea:d-2',
  provider: 'gitea',
  deliveryId: 'd-2',
  receivedAt: '2026-12-07T11:00:00Z',
  outcome: 'no-match',
  reason: 'build (dev/ci): feature is not one of main',
  runs: [],
  duplicates: 0,
};

class FakeWebhooksApi implements WebhooksApi {
  queries: Array<Partial<WebhookDeliveriesQuery>> = [];
  redelivered: string[] = [];
  failRedeliver?: Error;
  failList?: Error;
  constructor(public items: WebhookDeliverySummary[]) {}
  async listDeliveries(query: Partial<WebhookDeliveriesQuery>) {
    this.queries.push(query);
    if (this.failList) throw this.failList;
    return this.items;
  }
  async redeliver(id: string) {
    this.redelivered.push(id);
    if (this.failRedeliver) throw this.failRedeliver;
    const again = {
      ...runsCreated,
      id: `${id}.redelivery-1`,
      deliveryId: 'd-1.redelivery-1',
      redeliveryOf: id,
      duplicates: 0,
    };
    this.items = [again, ...this.items];
    return again;
  }
  async webhookUrl(provider: GitProvider) {
    return `http://portal.example/api/events/http/${provider}`;
  }
}

const triggered: PipelineSummary = {
  entityRef: 'component:default/shop',
  cluster: 'dev',
  namespace: 'ci',
  name: 'build',
  params: [],
  workspaces: [],
  serviceAccounts: [],
  graph: buildPipelineGraph({ tasks: [{ name: 'compile' }] }),
  trigger: {
    valid: true,
    repository: 'https://github.com/acme/shop',
    onEvent: ['push'],
    onTargetBranch: ['main'],
    cancelInProgress: true,
  },
};

async function render(options: {
  entityRef?: string;
  items: WebhookDeliverySummary[];
  ops: boolean;
  pipelines?: PipelineSummary[];
  failList?: Error;
  signals?: SignalApi;
}) {
  const webhooks = new FakeWebhooksApi(options.items);
  webhooks.failList = options.failList;
  const pipelines = new FakePipelinesApi();
  pipelines.pipelines = { items: options.pipelines ?? [], clusterErrors: [] };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [webhooksApiRef, webhooks],
        [pipelinesApiRef, pipelines],
        ...(options.signals
          ? [
              [signalApiRef, options.signals] as [
                typeof signalApiRef,
                SignalApi,
              ],
            ]
          : []),
        [
          catalogApiRef,
          catalogApiMock({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: {
                  name: 'shop',
                  namespace: 'default',
                  annotations: { 'backstage.io/kubernetes-id': 'shop' },
                },
              },
            ],
          }),
        ],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: (options.ops ? 'ALLOW' : 'DENY') as any,
          }),
        ],
      ]}
    >
      {/* usePermission keeps answers in SWR's cache, keyed by the permission
          alone: a cache of its own per render, so an earlier test's ALLOW
          does not answer for this one's user. */}
      <SWRConfig value={{ provider: () => new Map() }}>
        <EntityRefProvider entityRef={options.entityRef} basePath="/pipelines">
          <WebhooksContent />
        </EntityRefProvider>
      </SWRConfig>
    </TestApiProvider>,
  );
  return webhooks;
}

describe('WebhooksContent', () => {
  it('lists every delivery with its event, ref, matched Pipelines, runs and reason; ops may redeliver', async () => {
    const api = await render({ items: [runsCreated, noMatch], ops: true });
    const row = (await screen.findByText('d-1')).closest('tr')!;
    expect(within(row).getByText('github push')).toBeInTheDocument();
    expect(within(row).getByText('main')).toBeInTheDocument();
    expect(within(row).getByText('Runs created')).toBeInTheDocument();
    expect(
      within(row).getByText('sent again 1× (no new runs)'),
    ).toBeInTheDocument();
    expect(within(row).getByText('build: matched')).toBeInTheDocument();
    expect(
      within(row).getByText('docs: no changed file matches docs/**'),
    ).toBeInTheDocument();
    // The run's entity is found by its kubernetes-id, for the run's page.
    expect(
      await within(row).findByRole('link', { name: 'build-x7k2p' }),
    ).toHaveAttribute(
      'href',
      '/pipelines/runs/dev/ci/build-x7k2p?entityRef=component%3Adefault%2Fshop',
    );
    const other = screen.getByText('d-2').closest('tr')!;
    expect(within(other).getByText('No match')).toBeInTheDocument();
    expect(
      within(other).getByText('build (dev/ci): feature is not one of main'),
    ).toBeInTheDocument();
    expect(api.queries).toEqual([{ entityRef: undefined }]);

    fireEvent.click(within(row).getByRole('button', { name: 'Redeliver d-1' }));
    expect(
      await screen.findByText(
        'Redelivered d-1 as d-1.redelivery-1: runs created, 1 run(s)',
      ),
    ).toBeInTheDocument();
    expect(api.redelivered).toEqual(['github:d-1']);
    // The list is read again and shows the new delivery.
    expect(
      await screen.findByText('d-1.redelivery-1 (redelivery)'),
    ).toBeInTheDocument();
  });

  it('shows the server’s refusal of a redelivery', async () => {
    const api = await render({ items: [runsCreated], ops: true });
    api.failRedeliver = new Error(
      'webhook delivery github:d-1 is not in the log',
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Redeliver d-1' }),
    );
    expect(
      await screen.findByText('webhook delivery github:d-1 is not in the log'),
    ).toBeInTheDocument();
  });

  it('offers no Redeliver to those who may not', async () => {
    await render({ items: [runsCreated], ops: false });
    expect(await screen.findByText('d-1')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Redeliver/ })).toBeNull();
  });

  it('says how to set up each provider, with its URL, secret, events and last delivery', async () => {
    await render({ items: [runsCreated, noMatch], ops: false });
    expect(
      await screen.findByText('http://portal.example/api/events/http/github'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('http://portal.example/api/events/http/gitlab'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('events.modules.gitea.webhookSecret'),
    ).toBeInTheDocument();
    expect(screen.getByText('Pushes, Pull requests')).toBeInTheDocument();
    expect(
      screen.getByText('Push events, Merge request events'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /: No match — build \(dev\/ci\): feature is not one of main$/,
      ),
    ).toBeInTheDocument();
    // GitLab has sent nothing.
    expect(screen.getAllByText('none yet')).toHaveLength(1);
  });

  it("on an entity: its deliveries, its Pipelines' triggers and only their providers", async () => {
    const api = await render({
      entityRef: 'component:default/shop',
      items: [runsCreated],
      ops: false,
      pipelines: [triggered],
    });
    expect(
      await screen.findByText(
        /https:\/\/github.com\/acme\/shop; push; branches main; cancels runs in progress/,
      ),
    ).toBeInTheDocument();
    expect(api.queries).toEqual([{ entityRef: 'component:default/shop' }]);
    expect(screen.getByText('GitHub')).toBeInTheDocument();
    expect(screen.queryByText('GitLab')).toBeNull();
    expect(
      await screen.findByRole('link', { name: 'build-x7k2p' }),
    ).toHaveAttribute('href', '/pipelines/runs/dev/ci/build-x7k2p');
  });

  it('shows new deliveries and outcomes when the backend signals them, without a reload', async () => {
    const signals = mockSignalApi();
    const publish = (changed: number) =>
      act(() =>
        signals.publish(WEBHOOK_DELIVERIES_SIGNAL_CHANNEL, { changed }),
      );
    const api = await render({
      items: [noMatch],
      ops: false,
      signals: signals.api,
    });
    expect(await screen.findByText('d-2')).toBeInTheDocument();
    expect(signals.subscribers(WEBHOOK_DELIVERIES_SIGNAL_CHANNEL)).toBe(1);
    const pending: WebhookDeliverySummary = {
      ...runsCreated,
      id: 'github:d-3',
      deliveryId: 'd-3',
      outcome: 'pending',
      runs: [],
      matches: [],
      duplicates: 0,
    };
    api.items = [pending, noMatch];
    await publish(1);
    const row = (await screen.findByText('d-3')).closest('tr')!;
    expect(within(row).getByText('Pending')).toBeInTheDocument();
    // Then its outcome.
    api.items = [
      { ...runsCreated, id: 'github:d-3', deliveryId: 'd-3' },
      noMatch,
    ];
    await publish(1);
    await waitFor(() =>
      expect(
        within(screen.getByText('d-3').closest('tr')!).getByText(
          'Runs created',
        ),
      ).toBeInTheDocument(),
    );
    expect(api.queries).toHaveLength(3);
  });

  it('says so when there is no delivery yet', async () => {
    await render({ items: [], ops: false });
    expect(
      await screen.findByText('No webhook deliveries yet'),
    ).toBeInTheDocument();
  });

  it('shows why the log could not be read', async () => {
    await render({
      items: [],
      ops: false,
      failList: new Error(
        'entity component:default/gone is not in the catalog',
      ),
    });
    expect(
      (
        await screen.findAllByText(
          /entity component:default\/gone is not in the catalog/,
        )
      )[0],
    ).toBeInTheDocument();
  });
});
