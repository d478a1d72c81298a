import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation, useNavigate } from 'react-router-dom';
import { FakePipelinesApi, makeRunDetails } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef, RunSummary } from '../../api';
import { EntityRefProvider } from '../EntityRefContext';
import { RunsTable } from './RunsTable';

const entityRef = 'component:default/shop';

// Material table renders slowly on a busy machine.
jest.setTimeout(30_000);

/** Shows the address the list keeps its filters in, and the back button. */
function Address() {
  const { search } = useLocation();
  const navigate = useNavigate();
  return (
    <>
      <output data-testid="address">{search}</output>
      <button onClick={() => navigate(-1)}>browser back</button>
    </>
  );
}

function page(items: RunSummary[], totalCount: number, nextCursor?: string) {
  return { items, totalCount, nextCursor, clusterErrors: [] };
}

async function render(
  api: FakePipelinesApi,
  refreshIntervalMs?: number,
  address = '/ci-cd',
) {
  return renderInTestApp(
    <TestApiProvider apis={[[pipelinesApiRef, api]]}>
      <EntityRefProvider entityRef={entityRef} basePath="/ci-cd">
        <Address />
        <RunsTable
          selectorHint="backstage.io/kubernetes-id=shop"
          refreshIntervalMs={refreshIntervalMs}
        />
      </EntityRefProvider>
    </TestApiProvider>,
    { routeEntries: [address] },
  );
}

/** The address's parameters, in order of name. */
const address = () =>
  [...new URLSearchParams(screen.getByTestId('address').textContent ?? '')]
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('&');

const chooseOption = async (testId: string, option: string) => {
  fireEvent.mouseDown(
    within(screen.getByTestId(testId).parentElement!).getByRole('button'),
  );
  fireEvent.click(await screen.findByRole('option', { name: option }));
};

describe('RunsTable', () => {
  it('shows runs with status, pipeline, trigger and task progress', async () => {
    const api = new FakePipelinesApi();
    const { summary } = makeRunDetails();
    api.pages = [
      page(
        [
          summary,
          {
            ...summary,
            name: 'build-x0',
            rerunOf: 'build-w9',
            trigger: 'rerun',
            status: { status: 'succeeded', label: 'Succeeded' },
          },
        ],
        2,
      ),
    ];
    await render(api);
    expect(await screen.findByText('build-x1')).toBeInTheDocument();
    expect(screen.getByText('build-x1').closest('a')).toHaveAttribute(
      'href',
      '/ci-cd/runs/dev/shop/build-x1',
    );
    expect(screen.getByText('Running')).toBeInTheDocument();
    expect(screen.getByText('Succeeded')).toBeInTheDocument();
    const rerun = screen.getByTitle('rerun of build-w9');
    expect(
      within(rerun).getByRole('link', { name: 'build-w9' }),
    ).toHaveAttribute('href', '/ci-cd/runs/dev/shop/build-w9');
    expect(screen.getByText('kubectl or API')).toBeInTheDocument();
    // One entity's runs: no Entity column or filter.
    expect(screen.queryByRole('columnheader', { name: 'Entity' })).toBeNull();
    expect(screen.queryByTestId('entity-filter')).toBeNull();
    const bars = screen.getAllByRole('progressbar', { name: /^tasks:/ });
    expect(bars[0]).toHaveAttribute(
      'aria-label',
      'tasks: 1 succeeded, 1 failed, 1 running, 1 skipped',
    );
    expect(api.listCalls[0]).toMatchObject({
      entityRef,
      sort: 'started',
      order: 'desc',
      limit: 25,
      cursor: undefined,
    });
  });

  it('sends the status filter and pages with the server cursor', async () => {
    const api = new FakePipelinesApi();
    const { summary } = makeRunDetails();
    const many = Array.from({ length: 25 }, (_, i) => ({
      ...summary,
      name: `run-${i}`,
    }));
    api.pages = [
      page(many, 30, 'page-1'),
      page([{ ...summary, name: 'run-25' }], 30),
    ];
    await render(api);
    await screen.findByText('run-0');
    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    expect(await screen.findByText('run-25')).toBeInTheDocument();
    expect(api.listCalls[api.listCalls.length - 1].cursor).toBe('page-1');

    fireEvent.mouseDown(
      within(screen.getByTestId('status-filter').parentElement!).getByRole(
        'button',
      ),
    );
    fireEvent.click(await screen.findByRole('option', { name: 'failed' }));
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        status: ['failed'],
        cursor: undefined,
      }),
    );
  });

  it('filters by pipeline, namespace and label on the server', async () => {
    const api = new FakePipelinesApi();
    api.pipelines = {
      clusterErrors: [],
      items: [
        {
          entityRef,
          cluster: 'dev',
          namespace: 'shop',
          name: 'release',
          params: [],
          workspaces: [],
          graph: { nodes: [], edges: [], issues: [] },
          serviceAccounts: [],
        },
      ],
    };
    api.pages = [page([makeRunDetails().summary], 1)];
    await render(api);
    await screen.findByText('build-x1');
    fireEvent.mouseDown(
      within(screen.getByTestId('pipeline-filter').parentElement!).getByRole(
        'button',
      ),
    );
    // Declared pipelines and those seen in runs are offered.
    expect(
      await screen.findByRole('option', { name: 'build' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('option', { name: 'release' }));
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        pipeline: ['release'],
      }),
    );
    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'Escape' });
    // Clusters and namespaces are offered from the Pipelines and runs.
    await chooseOption('namespace-filter', 'shop');
    fireEvent.change(screen.getByLabelText('Label selector'), {
      target: { value: 'team=payments' },
    });
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        pipeline: ['release'],
        namespace: 'shop',
        label: 'team=payments',
      }),
    );
  });

  it('keeps filters and search in the address: a link opens the same list, the back button undoes a change', async () => {
    const api = new FakePipelinesApi();
    api.pages = [page([makeRunDetails().summary], 1)];
    await render(api, undefined, '/ci-cd?status=failed&q=x1&namespace=shop');
    await screen.findByText('build-x1');
    expect(api.listCalls[0]).toMatchObject({
      status: ['failed'],
      namespace: 'shop',
      search: 'x1',
    });
    expect(screen.getByPlaceholderText('Filter')).toHaveValue('x1');

    await chooseOption('status-filter', 'running');
    await waitFor(() =>
      expect(address()).toBe(
        'namespace=shop&q=x1&status=failed&status=running',
      ),
    );
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        status: ['failed', 'running'],
      }),
    );
    fireEvent.keyDown(screen.getByRole('listbox'), { key: 'Escape' });

    fireEvent.change(screen.getByPlaceholderText('Filter'), {
      target: { value: 'x2' },
    });
    await waitFor(() =>
      expect(address()).toBe(
        'namespace=shop&q=x2&status=failed&status=running',
      ),
    );

    fireEvent.click(screen.getByRole('button', { name: 'browser back' }));
    await waitFor(() =>
      expect(address()).toBe(
        'namespace=shop&q=x1&status=failed&status=running',
      ),
    );
    await waitFor(() =>
      expect(screen.getByPlaceholderText('Filter')).toHaveValue('x1'),
    );
  });

  it('says who started each run, marks a held run, and links runs to their pipeline', async () => {
    const api = new FakePipelinesApi();
    const { summary } = makeRunDetails();
    api.pipelines = {
      clusterErrors: [],
      items: [
        {
          entityRef,
          cluster: summary.cluster,
          namespace: summary.namespace,
          name: summary.pipeline!,
          params: [],
          workspaces: [],
          graph: { nodes: [], edges: [], issues: [] },
          serviceAccounts: [],
        },
      ],
    };
    api.pages = [
      page(
        [
          { ...summary, startedBy: 'user:default/ada' },
          {
            ...summary,
            name: 'build-held',
            startTime: undefined,
            status: {
              status: 'pending',
              label: 'Pending (held)',
              reason: 'PipelineRunPending',
            },
            labels: {
              'triggers.tekton.dev/eventlistener': 'github',
              'triggers.tekton.dev/trigger': 'push',
            },
          },
          {
            ...summary,
            name: 'build-pr',
            labels: {
              'triggers.cairn.dev/event-type': 'pull_request',
              'triggers.cairn.dev/pull-request': '12',
              'triggers.cairn.dev/sender': 'alice',
            },
          },
        ],
        3,
      ),
    ];
    await render(api);
    await screen.findByText('build-held');
    expect(screen.getByText('portal by ada')).toBeInTheDocument();
    expect(screen.getByText('webhook github / push')).toBeInTheDocument();
    expect(screen.getByText('PR #12 by alice')).toBeInTheDocument();
    expect(screen.getByText('held')).toBeInTheDocument();
    const links = screen.getAllByRole('link', { name: summary.pipeline! });
    expect(links[0]).toHaveAttribute(
      'href',
      `/ci-cd/builder/dev/shop/${summary.pipeline}`,
    );
  });

  it('sends the search text', async () => {
    const api = new FakePipelinesApi();
    api.pages = [page([makeRunDetails().summary], 1)];
    await render(api);
    await screen.findByText('build-x1');
    fireEvent.change(screen.getByPlaceholderText('Filter'), {
      target: { value: 'x1' },
    });
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        search: 'x1',
      }),
    );
  });

  it('sorts on the server', async () => {
    const api = new FakePipelinesApi();
    api.pages = [page([makeRunDetails().summary], 1)];
    await render(api);
    await screen.findByText('build-x1');
    fireEvent.click(
      within(
        screen.getByRole('columnheader', { name: /Duration/ }),
      ).getAllByRole('button')[0],
    );
    await waitFor(() =>
      expect(api.listCalls[api.listCalls.length - 1]).toMatchObject({
        sort: 'duration',
        order: 'asc',
      }),
    );
  });

  it('reloads the page when the backend pushes a change, without polling', async () => {
    const api = new FakePipelinesApi();
    const { summary } = makeRunDetails();
    api.pages = [page([summary], 1)];
    await render(api, 50);
    await screen.findByText('build-x1');
    await waitFor(() => expect(api.watchers).toHaveLength(1));
    await new Promise(r => setTimeout(r, 200));
    const before = api.listCalls.length;
    expect(before).toBe(1);
    api.pages = [
      page(
        [{ ...summary, status: { status: 'succeeded', label: 'Succeeded' } }],
        1,
      ),
    ];
    api.push([{ type: 'run', run: api.pages[0].items[0] }]);
    expect(await screen.findByText('Succeeded')).toBeInTheDocument();
    expect(api.listCalls.length).toBe(before + 1);
  });

  it('polls while runs are active when the event stream is unavailable', async () => {
    const api = new FakePipelinesApi();
    api.watchFails = true;
    api.pages = [page([makeRunDetails().summary], 1)];
    await render(api, 50);
    await screen.findByText('build-x1');
    await waitFor(() => expect(api.listCalls.length).toBeGreaterThan(2));
  });

  it('says a lost cluster is shown at its last known state, and turns live again by itself', async () => {
    const api = new FakePipelinesApi();
    const { summary } = makeRunDetails();
    const lost = {
      cluster: 'dev',
      message:
        'cannot reach cluster "dev" (ECONNREFUSED); check url of cluster "dev" in kubernetes.clusterLocatorMethods',
      unreachableSince: '2026-11-25T01:02:03Z',
    };
    api.pages = [{ ...page([summary], 1), clusterErrors: [lost] }];
    await render(api, 50);
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent(
      `Showing the last known state of dev from ${new Date(
        lost.unreachableSince,
      ).toLocaleString()}`,
    );
    expect(banner).toHaveTextContent(lost.message);
    // The last known runs are still listed under the banner.
    expect(screen.getByText('build-x1')).toBeInTheDocument();
    // Not missing: the runs are there, only not live.
    expect(screen.queryByText(/cluster\(s\) are missing/)).toBeNull();

    // Nothing is pushed while the cluster is away: the list asks again.
    api.pages = [
      page(
        [{ ...summary, status: { status: 'succeeded', label: 'Succeeded' } }],
        1,
      ),
    ];
    expect(await screen.findByText('Succeeded')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    const calls = api.listCalls.length;
    await new Promise(r => setTimeout(r, 200));
    expect(api.listCalls.length).toBe(calls);
  });

  it('explains how to opt in when there are no runs', async () => {
    const api = new FakePipelinesApi();
    await render(api);
    expect(await screen.findByText('No pipeline runs yet')).toBeInTheDocument();
    expect(
      screen.getByText('backstage.io/kubernetes-id=shop'),
    ).toBeInTheDocument();
  });

  it('shows the error when the list fails', async () => {
    const api = new FakePipelinesApi();
    api.failWith = new Error('cluster dev is unreachable');
    await render(api);
    expect(
      (await screen.findAllByText(/cluster dev is unreachable/)).length,
    ).toBeGreaterThan(0);
  });
});
