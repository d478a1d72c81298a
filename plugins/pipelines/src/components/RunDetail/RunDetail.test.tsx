import {
  renderInTestApp,
  TestApiProvider,
  mockApis,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakePipelinesApi, makeRunDetails } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../../api';
import { PipelinesRouter } from '../PipelinesRouter';

// LogViewer sizes itself to its container, which jsdom does not lay out.
jest.mock('react-virtualized-auto-sizer', () => ({
  __esModule: true,
  default: (props: {
    children: (size: { width: number; height: number }) => unknown;
  }) => props.children({ width: 800, height: 400 }),
}));

const entityRef = 'component:default/shop';

// The run page (DAG, tables, log viewer) renders slowly on a busy machine.
jest.setTimeout(30_000);
// usePermission caches decisions per resource across tests: deny on another entity.
const lockedRef = 'component:default/locked';

beforeAll(() => {
  // jsdom has no SVG layout; DependencyGraph measures its nodes.
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 190,
    height: 52,
  });
});

async function render(api: FakePipelinesApi, allow = true) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [pipelinesApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: (allow ? 'ALLOW' : 'DENY') as any,
          }),
        ],
      ]}
    >
      <PipelinesRouter entityRef={allow ? entityRef : lockedRef} />
    </TestApiProvider>,
    { routeEntries: ['/runs/dev/shop/build-x1'] },
  );
}

describe('RunDetail', () => {
  it('draws the DAG coloured by status, with skip reasons and finally tasks', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api);
    expect(await screen.findByTestId('dag-node-fetch')).toHaveAttribute(
      'data-status',
      'succeeded',
    );
    expect(screen.getByTestId('dag-node-test')).toHaveAttribute(
      'data-status',
      'failed',
    );
    expect(screen.getByTestId('dag-node-deploy')).toHaveAttribute(
      'aria-label',
      'deploy: Skipped: When Expressions evaluated to false',
    );
    expect(
      screen.getByTestId('dag-node-report').getAttribute('aria-label'),
    ).toMatch(/^report \(finally\): Running/);
    // The DAG's ends meet in one junction before the finally tasks.
    expect(screen.getAllByTestId('dag-finally-junction')).toHaveLength(1);
    expect(api.calls[0]).toEqual({
      method: 'getRun',
      args: [
        entityRef,
        { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
      ],
    });
    // Params and results of the run.
    expect(screen.getByText('registry/shop@sha256:abc')).toBeInTheDocument();
  });

  it("shows the failed task's steps with exit codes, and another task's on click", async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api);
    expect(await screen.findByText('Task test')).toBeInTheDocument();
    const unitRow = screen.getByText('unit').closest('tr')!;
    expect(within(unitRow).getByText('2')).toBeInTheDocument();
    expect(within(unitRow).getByText('Error')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('dag-node-fetch'));
    expect(await screen.findByText('Task fetch')).toBeInTheDocument();
    const fetchUnit = screen.getByText('unit').closest('tr')!;
    expect(within(fetchUnit).getByText('0')).toBeInTheDocument();
  });

  it("shows the failed step's log, and follows a running step live", async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    const failedLog = 'running tests\n\u001b[31mFAIL\u001b[0m shop.test.ts\n';
    api.logs['build-x1-test/unit'] = {
      source: 'archive',
      text: failedLog,
      start: 0,
      size: failedLog.length,
    };
    api.followed['build-x1-report/run'] = ['sending report\n', 'sent\n'];
    await render(api);
    expect(
      await screen.findByText('shop.test.ts', { exact: false }),
    ).toBeInTheDocument();
    // A log read from its start offers no earlier page.
    expect(screen.queryByRole('button', { name: 'Load earlier' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Search the whole log'), {
      target: { value: 'fail' },
    });
    fireEvent.submit(screen.getByLabelText('Search the whole log'));
    expect(
      await within(await screen.findByTestId('step-log-matches')).findByText(
        '\u001b[31mFAIL\u001b[0m shop.test.ts',
      ),
    ).toBeInTheDocument();
    const createObjectURL = jest.fn((_blob: Blob) => 'blob:log');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    let downloaded = '';
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function recordDownload(this: HTMLAnchorElement) {
        downloaded = this.download;
      });
    fireEvent.click(screen.getByRole('button', { name: /download/i }));
    click.mockRestore();
    expect(downloaded).toBe('build-x1-test-unit.log');
    expect(await createObjectURL.mock.calls[0][0].text()).toContain(
      'running tests',
    );
    expect(api.calls).toContainEqual({
      method: 'getStepLog',
      args: [
        entityRef,
        { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
        { taskRun: 'build-x1-test', step: 'unit' },
      ],
    });

    fireEvent.click(screen.getByTestId('dag-node-report'));
    expect(await screen.findByText('sent')).toBeInTheDocument();
    expect(screen.getByText('sending report')).toBeInTheDocument();
    expect(api.calls).toContainEqual({
      method: 'followStepLog',
      args: [
        entityRef,
        { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
        { taskRun: 'build-x1-report', step: 'run' },
      ],
    });
  });

  it('reloads when the backend pushes a change of this run', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api);
    await screen.findByTestId('dag-node-fetch');
    await waitFor(() => expect(api.watchers).toHaveLength(1));
    const reads = () => api.calls.filter(c => c.method === 'getRun').length;
    const before = reads();
    api.push([
      {
        type: 'deleted',
        run: { cluster: 'dev', namespace: 'shop', name: 'other' },
      },
    ]);
    api.push([{ type: 'run', run: api.details.summary }]);
    await waitFor(() => expect(reads()).toBe(before + 1));
  });

  it('starts a held run', async () => {
    const api = new FakePipelinesApi();
    const details = makeRunDetails();
    details.run.spec.status = 'PipelineRunPending';
    details.run.status = undefined;
    details.summary.status = { status: 'pending', label: 'Pending (held)' };
    api.details = details;
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Start now' }));
    await waitFor(() =>
      expect(api.calls).toContainEqual({
        method: 'startPendingRun',
        args: [
          entityRef,
          { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
        ],
      }),
    );
  });

  it('cancels with the chosen mode', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByLabelText(/StoppedRunFinally/));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel run' }));
    await waitFor(() =>
      expect(api.calls).toContainEqual({
        method: 'cancelRun',
        args: [
          entityRef,
          { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
          'StoppedRunFinally',
        ],
      }),
    );
  });

  it("shows the server's message when an action fails", async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    api.failWith = Object.assign(new Error('Request failed'), {
      body: { error: { message: 'you may not delete pipeline runs of shop' } },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(
      await screen.findByText('you may not delete pipeline runs of shop'),
    ).toBeInTheDocument();
  });

  it('reruns with edited, typed params', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Rerun' }));
    const revision = screen.getByLabelText('revision');
    expect(revision).toHaveValue('main');
    fireEvent.change(revision, { target: { value: 'v2' } });
    fireEvent.change(screen.getByLabelText('flags'), {
      target: { value: '--fast\n--verbose' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Rerun' }));
    await waitFor(() =>
      expect(api.calls).toContainEqual({
        method: 'rerun',
        args: [
          entityRef,
          { cluster: 'dev', namespace: 'shop', name: 'build-x1' },
          { revision: 'v2', mode: 'fast', flags: ['--fast', '--verbose'] },
        ],
      }),
    );
  });

  it('hides the actions the user may not use', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    await render(api, false);
    await screen.findByTestId('dag-node-fetch');
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Rerun' })).toBeNull(),
    );
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Start new run' })).toBeNull();
  });

  it('opens a timed-out run on the failed task and the step that could not start, with its reason and no duration', async () => {
    const api = new FakePipelinesApi();
    const details = makeRunDetails();
    const test = details.taskRuns.find(
      tr => tr.metadata.name === 'build-x1-test',
    )!;
    // The 900 KB param made the step's exec fail: containerd's StartError,
    // with the Unix epoch as its start.
    test.status!.steps = [
      {
        name: 'compile',
        terminated: {
          exitCode: 0,
          reason: 'Completed',
          startedAt: '2026-11-25T01:00:00Z',
          finishedAt: '2026-11-25T01:00:05Z',
        },
      },
      {
        name: 'package',
        terminated: {
          exitCode: 128,
          reason: 'StartError',
          message: 'failed to start: exec: argument list too long',
          startedAt: '1970-01-01T00:00:00Z',
          finishedAt: '2026-11-25T01:00:06Z',
        },
      },
    ];
    api.details = details;
    api.logs['build-x1-test/package'] = {
      source: 'pod',
      text: '',
      start: 0,
      size: 0,
    };
    await render(api);
    expect(await screen.findByText('Task test')).toBeInTheDocument();
    const row = screen.getByText('package').closest('tr')!;
    expect(row).toHaveStyle({ backgroundColor: '#e3f2fd' });
    expect(within(row).getByText('StartError')).toBeInTheDocument();
    expect(
      within(row).getByText('failed to start: exec: argument list too long'),
    ).toBeInTheDocument();
    expect(within(row).queryByText(/\d+d$/)).toBeNull();
    expect(within(row).getByText('—')).toBeInTheDocument();
    // Its log is empty: said in words, not a spinner or a blank viewer.
    expect(
      await screen.findByText('This step wrote no output.'),
    ).toBeInTheDocument();
  });

  it('opens a run whose timeout cancelled its tasks on the cancelled task', async () => {
    const api = new FakePipelinesApi();
    const details = makeRunDetails();
    for (const state of Object.values(details.tasks)) {
      if (state.status.status === 'failed' || state.status.status === 'running')
        state.status = {
          status: 'cancelled',
          label: 'Cancelled',
          reason: 'TaskRunCancelled',
        };
    }
    details.tasks.fetch.status = { status: 'succeeded', label: 'Succeeded' };
    api.details = details;
    await render(api);
    expect(await screen.findByText('Task test')).toBeInTheDocument();
  });

  it('cuts a long param and shows it whole on request', async () => {
    const api = new FakePipelinesApi();
    const details = makeRunDetails();
    const big = `${'a'.repeat(400)}END`;
    details.run.spec.params = [{ name: 'manifest', value: big }];
    api.details = details;
    await render(api);
    const button = await screen.findByRole('button', {
      name: 'show all (403 B)',
    });
    expect(screen.queryByText(/END/)).toBeNull();
    fireEvent.click(button);
    expect(screen.getByText(/END/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'show less' }));
    expect(screen.queryByText(/END/)).toBeNull();
  });

  it("says a lost cluster's run is its last known state", async () => {
    const api = new FakePipelinesApi();
    api.details = {
      ...makeRunDetails(),
      clusterErrors: [
        {
          cluster: 'dev',
          message: 'cannot reach cluster "dev" (ECONNREFUSED)',
          unreachableSince: '2026-11-25T01:02:03Z',
        },
      ],
    };
    await render(api);
    const banner = (
      await screen.findByText(/^Showing the last known state of dev/)
    ).closest('[role="alert"]');
    expect(banner).toHaveTextContent(
      `Showing the last known state of dev from ${new Date(
        '2026-11-25T01:02:03Z',
      ).toLocaleString()}`,
    );
    expect(banner).toHaveTextContent(
      'cannot reach cluster "dev" (ECONNREFUSED)',
    );
  });

  it('stops claiming a step log is live while the cluster is lost, and follows it again once the cluster is back', async () => {
    const api = new FakePipelinesApi();
    api.details = makeRunDetails();
    api.followed['build-x1-report/run'] = ['sending report\n'];
    api.followStaysOpen = true;
    api.logs['build-x1-report/run'] = {
      source: 'archive',
      text: 'sending report\n',
      start: 0,
      size: 15,
    };
    await render(api);
    fireEvent.click(await screen.findByTestId('dag-node-report'));
    expect(await screen.findByText(/following live/)).toBeInTheDocument();
    await waitFor(() => expect(api.watchers).toHaveLength(1));
    const follows = () =>
      api.calls.filter(c => c.method === 'followStepLog').length;
    expect(follows()).toBe(1);

    const since = '2026-11-25T01:02:03Z';
    api.details = {
      ...api.details,
      clusterErrors: [
        {
          cluster: 'dev',
          message: 'cannot reach cluster',
          unreachableSince: since,
        },
      ],
    };
    api.push([{ type: 'run', run: api.details.summary }]);
    const caption = await screen.findByText(
      /not live: the cluster has not answered since/,
    );
    expect(caption).toHaveTextContent(new Date(since).toLocaleString());
    expect(screen.queryByText(/following live/)).toBeNull();
    expect(screen.getByText('sending report')).toBeInTheDocument();

    api.details = { ...api.details, clusterErrors: [] };
    api.push([{ type: 'run', run: api.details.summary }]);
    expect(await screen.findByText(/following live/)).toBeInTheDocument();
    expect(screen.queryByText(/not live/)).toBeNull();
    expect(follows()).toBe(2);
  });

  it('gives a task and its steps durations measured alike: a running step as long as its running task, a step its cancelled task left running ended with it', async () => {
    const api = new FakePipelinesApi();
    const details = makeRunDetails();
    const test = details.taskRuns.find(
      tr => tr.metadata.name === 'build-x1-test',
    )!;
    // Cancelled at 01:00:42 with its pod gone: the step's last reported
    // state is still running.
    test.status!.steps = [
      { name: 'unit', running: { startedAt: '2026-11-25T01:00:00Z' } },
    ];
    api.details = details;
    await render(api);
    expect(await screen.findByText('Task test')).toBeInTheDocument();
    expect(screen.getByText('Duration: 42s')).toBeInTheDocument();
    const unit = screen.getByText('unit').closest('tr')!;
    expect(within(unit).getByText('Ended with its task')).toBeInTheDocument();
    expect(within(unit).getByText('42s')).toBeInTheDocument();

    fireEvent.click(screen.getByTestId('dag-node-report'));
    expect(await screen.findByText('Task report')).toBeInTheDocument();
    const [, taskDuration] = /^Duration: (.+)$/.exec(
      screen.getByText(/^Duration: /).textContent!,
    )!;
    const run = screen.getByText('run').closest('tr')!;
    expect(within(run).getByText('Running')).toBeInTheDocument();
    expect(within(run).getByText(taskDuration)).toBeInTheDocument();
    expect(
      screen.getByTestId('dag-node-report').getAttribute('aria-label'),
    ).toBe(`report (finally): Running · ${taskDuration}`);
  });

  it('says in words, not with a spinner, what a run has not got yet: its pipeline, task runs, a started step', async () => {
    const api = new FakePipelinesApi();
    const held = makeRunDetails();
    // Just created: Tekton has not resolved the pipeline nor made task runs.
    api.details = { ...held, graph: undefined, tasks: {}, taskRuns: [] };
    const { unmount } = await render(api);
    expect(
      await screen.findByText('The pipeline of this run is not known yet.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Select a task in the graph to see its steps.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).toBeNull();
    unmount();

    const starting = makeRunDetails();
    const test = starting.taskRuns.find(
      tr => tr.metadata.name === 'build-x1-test',
    )!;
    test.status!.steps = [
      { name: 'unit', waiting: { reason: 'PodInitializing' } },
    ];
    starting.taskRuns = starting.taskRuns.filter(
      tr => tr.metadata.name !== 'build-x1-report',
    );
    api.details = starting;
    await render(api);
    expect(
      await screen.findByText('Step unit has not started (PodInitializing).'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('dag-node-report'));
    expect(await screen.findByText('No task run (yet).')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('answers an address below the runs list that names no page with Not Found', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[pipelinesApiRef, new FakePipelinesApi()]]}>
        <PipelinesRouter entityRef={entityRef} />
      </TestApiProvider>,
      { routeEntries: ['/runs/dev/shop'] },
    );
    expect(await screen.findByText('Page not found (404)')).toBeInTheDocument();
    expect(screen.getByText('/runs/dev/shop')).toBeInTheDocument();
    expect(screen.getByText('All runs').closest('a')).toHaveAttribute(
      'href',
      '/',
    );
  });
});
