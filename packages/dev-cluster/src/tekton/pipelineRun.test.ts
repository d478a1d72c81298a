import {
  aggregateStatus,
  matrixCombinations,
  planPipelineRun,
  PipelineRunPlanInput,
  SKIP_REASONS,
  TIMED_OUT_MESSAGE,
} from './pipelineRun';
import type { PipelineRun, PipelineSpec, PipelineTask, TaskRun } from './types';

const start = new Date('2026-01-01T00:00:00Z');
const later = (ms: number) => new Date(start.getTime() + ms);

const task = (
  name: string,
  extra: Partial<PipelineTask> = {},
): PipelineTask => ({
  name,
  taskSpec: { steps: [{ name: 's', image: 'alpine', script: 'true' }] },
  ...extra,
});

function run(
  spec: Partial<PipelineRun['spec']> = {},
  status?: PipelineRun['status'],
): PipelineRun {
  return {
    metadata: {
      name: 'r',
      namespace: 'ns',
      uid: 'uid-1',
      labels: { 'backstage.io/kubernetes-id': 'svc' },
      annotations: {
        note: 'x',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      },
    },
    spec,
    status,
  };
}

function taskRunOf(
  pipelineTask: string,
  condition: { status: 'True' | 'False' | 'Unknown'; reason: string },
  results: Array<{ name: string; value: string }> = [],
  statusMessage?: string,
): TaskRun {
  return {
    metadata: {
      name: `r-${pipelineTask}`,
      labels: { 'tekton.dev/pipelineTask': pipelineTask },
    },
    spec: statusMessage ? { status: 'TaskRunCancelled', statusMessage } : {},
    status: { conditions: [{ type: 'Succeeded', ...condition }], results },
  };
}
const succeeded = (
  t: string,
  results: Array<{ name: string; value: string }> = [],
) => taskRunOf(t, { status: 'True', reason: 'Succeeded' }, results);
const failed = (t: string) =>
  taskRunOf(t, { status: 'False', reason: 'Failed' });
const running = (t: string) =>
  taskRunOf(t, { status: 'Unknown', reason: 'Running' });

function plan(spec: PipelineSpec, options: Partial<PipelineRunPlanInput> = {}) {
  const input: PipelineRunPlanInput = {
    run: run({ pipelineSpec: spec }, { startTime: start.toISOString() }),
    pipelineName: 'r',
    spec,
    taskRuns: [],
    now: later(1000),
    ...options,
  };
  return planPipelineRun(input);
}

const created = (p: ReturnType<typeof plan>) =>
  p.create.map(tr => tr.metadata.labels!['tekton.dev/pipelineTask']);

describe('planPipelineRun', () => {
  it('starts the roots with Tekton labels, owner and propagated metadata', () => {
    const spec = { tasks: [task('a'), task('b', { runAfter: ['a'] })] };
    const first = plan(spec, { run: run({ pipelineSpec: spec }) });
    expect(created(first)).toEqual(['a']);
    const [taskRun] = first.create;
    expect(taskRun.metadata).toEqual({
      name: 'r-a',
      namespace: 'ns',
      labels: {
        'backstage.io/kubernetes-id': 'svc',
        'tekton.dev/pipeline': 'r',
        'tekton.dev/pipelineRun': 'r',
        'tekton.dev/pipelineRunUID': 'uid-1',
        'tekton.dev/pipelineTask': 'a',
        'tekton.dev/memberOf': 'tasks',
        'app.kubernetes.io/managed-by': 'tekton-pipelines',
      },
      annotations: { note: 'x' },
      ownerReferences: [
        {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          name: 'r',
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(taskRun.spec.timeout).toBe('1h0m0s');
    expect(first.status.startTime).toBe(later(1000).toISOString());
    expect(first.status.conditions![0]).toMatchObject({
      status: 'Unknown',
      reason: 'Running',
      message:
        'Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0',
    });
    expect(first.status.childReferences).toEqual([
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        name: 'r-a',
        pipelineTaskName: 'a',
      },
    ]);
  });

  it('passes results, params and context into the next task and its embedded spec', () => {
    const spec: PipelineSpec = {
      params: [
        { name: 'greeting', default: 'hi' },
        { name: 'list', type: 'array' },
        { name: 'repo', type: 'object', properties: { url: {} } },
      ],
      tasks: [
        task('a'),
        task('b', {
          retries: 2,
          params: [
            { name: 'image', value: '$(tasks.a.results.image)' },
            { name: 'items', value: ['$(params.list[*])'] },
            {
              name: 'run',
              value:
                '$(context.pipelineRun.name)/$(context.pipelineTask.retries)',
            },
          ],
          taskSpec: {
            params: [
              { name: 'image' },
              { name: 'items', type: 'array' },
              { name: 'run' },
            ],
            steps: [
              {
                name: 's',
                image: 'alpine',
                args: [
                  '$(params.image)',
                  '$(params.greeting)',
                  '$(params.repo.url)',
                  '$(params.list[0])',
                ],
              },
            ],
          },
        }),
      ],
    };
    const p = plan(spec, {
      run: run(
        {
          pipelineSpec: spec,
          params: [
            { name: 'list', value: ['x', 'y'] },
            { name: 'repo', value: { url: 'https://git' } },
          ],
        },
        { startTime: start.toISOString() },
      ),
      taskRuns: [succeeded('a', [{ name: 'image', value: 'img:1' }])],
    });
    expect(created(p)).toEqual(['b']);
    const [b] = p.create;
    expect(b.spec.params).toEqual([
      { name: 'image', value: 'img:1' },
      { name: 'items', value: ['x', 'y'] },
      { name: 'run', value: 'r/2' },
    ]);
    // Declared params stay for the TaskRun; the others are propagated.
    expect(b.spec.taskSpec!.steps![0].args).toEqual([
      '$(params.image)',
      'hi',
      'https://git',
      'x',
    ]);
    expect(b.spec.retries).toBe(2);
  });

  it('skips on when expressions, and children of when-skipped tasks still run', () => {
    const spec: PipelineSpec = {
      params: [{ name: 'env', default: 'dev' }],
      tasks: [
        task('gate', {
          when: [{ input: '$(params.env)', operator: 'in', values: ['prod'] }],
        }),
        task('after', { runAfter: ['gate'] }),
      ],
    };
    const p = plan(spec);
    expect(created(p)).toEqual(['after']);
    expect(p.status.skippedTasks).toEqual([
      {
        name: 'gate',
        reason: SKIP_REASONS.when,
        whenExpressions: [{ input: 'dev', operator: 'in', values: ['prod'] }],
      },
    ]);
  });

  it('skips consumers of missing results, and their children as parent-skipped', () => {
    const spec: PipelineSpec = {
      tasks: [
        task('gate', {
          when: [{ input: 'a', operator: 'notin', values: ['a'] }],
        }),
        task('use', {
          params: [{ name: 'p', value: '$(tasks.gate.results.r)' }],
        }),
        task('child', { runAfter: ['use'] }),
      ],
    };
    const p = plan(spec);
    expect(created(p)).toEqual([]);
    expect(p.status.skippedTasks!.map(s => [s.name, s.reason])).toEqual([
      ['gate', SKIP_REASONS.when],
      ['use', SKIP_REASONS.missingResults],
      ['child', SKIP_REASONS.parentSkipped],
    ]);
    expect(p.status.conditions![0]).toMatchObject({
      status: 'True',
      reason: 'Completed',
      message: 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 3',
    });
    expect(p.status.completionTime).toBe(later(1000).toISOString());
  });

  it('stops after a failure, runs finally with execution status, and fails', () => {
    const spec: PipelineSpec = {
      tasks: [task('a'), task('b'), task('c', { runAfter: ['a'] })],
      finally: [
        task('report', {
          params: [
            { name: 'all', value: '$(tasks.status)' },
            { name: 'a', value: '$(tasks.a.status)' },
            { name: 'c', value: '$(tasks.c.status)' },
          ],
        }),
      ],
    };
    const whileB = plan(spec, { taskRuns: [failed('a'), running('b')] });
    expect(created(whileB)).toEqual([]);
    expect(whileB.status.conditions![0]).toMatchObject({
      reason: 'Running',
      message:
        'Tasks Completed: 1 (Failed: 1, Cancelled 0), Incomplete: 2, Skipped: 1',
    });
    const p = plan(spec, { taskRuns: [failed('a'), succeeded('b')] });
    expect(created(p)).toEqual(['report']);
    expect(p.create[0].metadata.labels!['tekton.dev/memberOf']).toBe('finally');
    expect(p.create[0].spec.params).toEqual([
      { name: 'all', value: 'Failed' },
      { name: 'a', value: 'Failed' },
      { name: 'c', value: 'None' },
    ]);
    expect(p.status.finallyStartTime).toBe(later(1000).toISOString());
    expect(p.status.skippedTasks).toEqual([
      { name: 'c', reason: SKIP_REASONS.stopping },
    ]);
    const done = plan(spec, {
      taskRuns: [failed('a'), succeeded('b'), succeeded('report')],
    });
    expect(done.status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1',
    });
  });

  it('ignores failures of onError: continue tasks', () => {
    const spec: PipelineSpec = {
      tasks: [
        task('a', { onError: 'continue' }),
        task('b', { runAfter: ['a'] }),
      ],
    };
    expect(created(plan(spec, { taskRuns: [failed('a')] }))).toEqual(['b']);
    const done = plan(spec, { taskRuns: [failed('a'), succeeded('b')] });
    expect(done.status.conditions![0]).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
      message:
        'Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0',
    });
  });

  it('produces pipeline results from task results', () => {
    const spec: PipelineSpec = {
      tasks: [task('a')],
      results: [
        { name: 'digest', value: '$(tasks.a.results.digest)' },
        {
          name: 'both',
          value: '$(tasks.a.results.digest)-$(tasks.a.results.tag)',
        },
        { name: 'missing', value: '$(tasks.a.results.nope)' },
      ],
    };
    const p = plan(spec, {
      taskRuns: [
        succeeded('a', [
          { name: 'digest', value: 'sha' },
          { name: 'tag', value: 'v1' },
        ]),
      ],
    });
    expect(p.status.results).toEqual([
      { name: 'digest', value: 'sha' },
      { name: 'both', value: 'sha-v1' },
    ]);
  });

  it('is pending until spec.status is removed', () => {
    const spec = { tasks: [task('a')] };
    const p = plan(spec, {
      run: run({ pipelineSpec: spec, status: 'PipelineRunPending' }),
    });
    expect(p.create).toEqual([]);
    expect(p.status.startTime).toBeUndefined();
    expect(p.status.conditions![0]).toMatchObject({
      status: 'Unknown',
      reason: 'PipelineRunPending',
    });
  });

  it('cancels: every running TaskRun, at once', () => {
    const spec = {
      tasks: [task('a'), task('b', { runAfter: ['a'] })],
      finally: [task('f')],
    };
    const p = plan(spec, {
      run: run(
        { pipelineSpec: spec, status: 'Cancelled' },
        { startTime: start.toISOString() },
      ),
      taskRuns: [running('a')],
    });
    expect(p.create).toEqual([]);
    expect(p.cancel).toEqual([
      {
        name: 'r-a',
        statusMessage:
          'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.',
      },
    ]);
    expect(p.status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'Cancelled',
      message: 'PipelineRun "r" was cancelled',
    });
  });

  it('cancels gracefully: cancels running tasks, skips the rest, runs finally', () => {
    const spec = {
      tasks: [task('a'), task('b', { runAfter: ['a'] })],
      finally: [task('f')],
    };
    const cancelling = run(
      { pipelineSpec: spec, status: 'CancelledRunFinally' },
      { startTime: start.toISOString() },
    );
    const first = plan(spec, { run: cancelling, taskRuns: [running('a')] });
    expect(first.cancel.map(c => c.name)).toEqual(['r-a']);
    expect(first.status.conditions![0].reason).toBe('CancelledRunningFinally');
    const cancelledA = taskRunOf('a', {
      status: 'False',
      reason: 'TaskRunCancelled',
    });
    const second = plan(spec, { run: cancelling, taskRuns: [cancelledA] });
    expect(created(second)).toEqual(['f']);
    // Tekton checks "stopping" (a DAG task failed or was cancelled) first.
    expect(second.status.skippedTasks).toEqual([
      { name: 'b', reason: SKIP_REASONS.stopping },
    ]);
    expect(first.status.skippedTasks).toEqual([
      { name: 'b', reason: SKIP_REASONS.gracefullyCancelled },
    ]);
    const done = plan(spec, {
      run: cancelling,
      taskRuns: [cancelledA, succeeded('f')],
    });
    expect(done.status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'Cancelled',
      message: 'PipelineRun "r" was cancelled',
    });
  });

  it('stops gracefully: lets running tasks finish and starts no new ones', () => {
    const spec = {
      tasks: [task('a'), task('b', { runAfter: ['a'] })],
      finally: [task('f')],
    };
    const stopping = run(
      { pipelineSpec: spec, status: 'StoppedRunFinally' },
      { startTime: start.toISOString() },
    );
    const first = plan(spec, { run: stopping, taskRuns: [running('a')] });
    expect(first.cancel).toEqual([]);
    expect(first.status.conditions![0].reason).toBe('StoppedRunningFinally');
    const second = plan(spec, { run: stopping, taskRuns: [succeeded('a')] });
    expect(created(second)).toEqual(['f']);
    expect(second.status.skippedTasks).toEqual([
      { name: 'b', reason: SKIP_REASONS.gracefullyStopped },
    ]);
  });

  it('times out the pipeline: cancels running TaskRuns and fails', () => {
    const spec = { tasks: [task('a'), task('b', { runAfter: ['a'] })] };
    const timed = run(
      { pipelineSpec: spec, timeouts: { pipeline: '1m' } },
      { startTime: start.toISOString() },
    );
    const before = plan(spec, {
      run: timed,
      taskRuns: [running('a')],
      now: later(30_000),
    });
    expect(before.requeueAfterMs).toBe(30_000);
    const p = plan(spec, {
      run: timed,
      taskRuns: [running('a')],
      now: later(60_000),
    });
    expect(p.cancel).toEqual([
      { name: 'r-a', statusMessage: TIMED_OUT_MESSAGE },
    ]);
    expect(p.status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: 'PipelineRun "r" failed to finish within "1m0s"',
    });
    expect(p.status.skippedTasks).toEqual([
      { name: 'b', reason: SKIP_REASONS.pipelineTimedOut },
    ]);
  });

  it('times out the tasks: runs finally, then fails with the tasks timeout', () => {
    const spec = {
      tasks: [task('a'), task('b', { runAfter: ['a'] })],
      finally: [task('f')],
    };
    const timed = run(
      { pipelineSpec: spec, timeouts: { pipeline: '1h', tasks: '1m' } },
      { startTime: start.toISOString() },
    );
    const first = plan(spec, {
      run: timed,
      taskRuns: [running('a')],
      now: later(61_000),
    });
    expect(first.cancel).toEqual([
      { name: 'r-a', statusMessage: TIMED_OUT_MESSAGE },
    ]);
    const timedOutA = taskRunOf(
      'a',
      { status: 'False', reason: 'TaskRunCancelled' },
      [],
      TIMED_OUT_MESSAGE,
    );
    const second = plan(spec, {
      run: timed,
      taskRuns: [timedOutA],
      now: later(62_000),
    });
    expect(created(second)).toEqual(['f']);
    expect(first.status.skippedTasks).toEqual([
      { name: 'b', reason: SKIP_REASONS.tasksTimedOut },
    ]);
    const done = plan(spec, {
      run: timed,
      taskRuns: [timedOutA, succeeded('f')],
      now: later(63_000),
    });
    expect(done.status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message:
        'PipelineRun "r" failed due to tasks failed to finish within "1m0s"',
    });
  });

  it('times out finally tasks: skips those not started and fails', () => {
    const spec = { tasks: [task('a')], finally: [task('f'), task('g')] };
    const timed = run(
      { pipelineSpec: spec, timeouts: { pipeline: '1h', finally: '1m' } },
      {
        startTime: start.toISOString(),
        finallyStartTime: later(1000).toISOString(),
      },
    );
    const p = plan(spec, {
      run: timed,
      taskRuns: [succeeded('a'), succeeded('f')],
      now: later(62_000),
    });
    expect(p.create).toEqual([]);
    expect(p.status.skippedTasks).toEqual([
      { name: 'g', reason: SKIP_REASONS.finallyTimedOut },
    ]);
    expect(p.status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 1',
    });
  });

  it('gives TaskRuns no timeout when the pipeline has none', () => {
    const spec = { tasks: [task('a')] };
    const p = plan(spec, {
      run: run(
        { pipelineSpec: spec, timeouts: { pipeline: '0' } },
        { startTime: start.toISOString() },
      ),
    });
    expect(p.create[0].spec.timeout).toBe('0s');
  });

  it('gives TaskRuns the remaining time, or the pipeline task and taskRunSpecs timeouts', () => {
    const spec = {
      tasks: [task('a'), task('b', { timeout: '5m' }), task('c')],
    };
    const p = plan(spec, {
      run: run(
        {
          pipelineSpec: spec,
          timeouts: { pipeline: '1h', tasks: '30m' },
          taskRunSpecs: [
            {
              pipelineTaskName: 'c',
              timeout: '2m',
              serviceAccountName: 'builder',
            },
          ],
          taskRunTemplate: { serviceAccountName: 'default-sa' },
        },
        { startTime: start.toISOString() },
      ),
      now: later(60_000),
    });
    expect(
      p.create.map(tr => [tr.spec.timeout, tr.spec.serviceAccountName]),
    ).toEqual([
      ['29m0s', 'default-sa'],
      ['5m', 'default-sa'],
      ['2m', 'builder'],
    ]);
  });

  it('binds workspaces with subPaths and claims for volumeClaimTemplates', () => {
    const spec: PipelineSpec = {
      workspaces: [{ name: 'source' }, { name: 'cache' }],
      tasks: [
        task('a', {
          workspaces: [
            { name: 'output', workspace: 'source', subPath: 'app' },
            { name: 'cache', workspace: 'cache' },
          ],
        }),
      ],
    };
    const p = plan(spec, {
      run: run(
        {
          pipelineSpec: spec,
          workspaces: [
            {
              name: 'source',
              persistentVolumeClaim: { claimName: 'src' },
              subPath: 'root',
            },
            { name: 'cache', volumeClaimTemplate: { spec: {} } },
          ],
        },
        { startTime: start.toISOString() },
      ),
    });
    const [output, cache] = p.create[0].spec.workspaces!;
    expect(output).toEqual({
      name: 'output',
      persistentVolumeClaim: { claimName: 'src' },
      subPath: 'root/app',
    });
    expect(cache.name).toBe('cache');
    expect(cache.persistentVolumeClaim!.claimName).toMatch(
      /^pvc-[0-9a-f]{10}$/,
    );
  });

  it('computes $(tasks.status) as Tekton does', () => {
    const done = (outcome: 'succeeded' | 'failed' | 'cancelled') => ({
      kind: 'done' as const,
      outcome,
      ignored: false,
      taskRuns: [{} as TaskRun],
    });
    expect(aggregateStatus([done('succeeded')])).toBe('Succeeded');
    expect(
      aggregateStatus([done('succeeded'), { kind: 'skipped', reason: 'x' }]),
    ).toBe('Completed');
    expect(
      aggregateStatus([done('failed'), { kind: 'skipped', reason: 'x' }]),
    ).toBe('Failed');
    expect(aggregateStatus([done('cancelled')])).toBe('Failed');
    expect(aggregateStatus([{ kind: 'waiting' }])).toBe('None');
  });

  it('keeps the transition time of an unchanged condition', () => {
    const spec = { tasks: [task('a')] };
    const first = plan(spec, { taskRuns: [running('a')] });
    const again = plan(spec, {
      run: run({ pipelineSpec: spec }, first.status),
      taskRuns: [running('a')],
      now: later(5_000),
    });
    expect(again.status).toEqual(first.status);
  });
});

describe('param propagation into an embedded pipelineSpec', () => {
  it('substitutes run params the spec does not declare', () => {
    const spec: PipelineSpec = {
      tasks: [
        task('a', {
          taskSpec: {
            steps: [
              { name: 's', image: 'alpine', script: 'echo $(params.message)' },
            ],
          },
        }),
      ],
    };
    const p = plan(spec, {
      run: run(
        { pipelineSpec: spec, params: [{ name: 'message', value: 'hello' }] },
        { startTime: start.toISOString() },
      ),
    });
    expect(p.create[0].spec.taskSpec!.steps![0].script).toBe('echo hello');
  });
});

describe('matrix', () => {
  it('fans out the cartesian product, first param fastest, with include', () => {
    expect(
      matrixCombinations(
        {
          params: [
            { name: 'platform', value: '$(params.platforms[*])' },
            { name: 'browser', value: ['chrome', 'safari'] },
          ],
          include: [
            { name: 'extra', params: [{ name: 'url', value: 'https://x' }] },
            {
              name: 'linux-chrome-flag',
              params: [
                { name: 'platform', value: 'linux' },
                { name: 'browser', value: 'chrome' },
                { name: 'flag', value: 'on' },
              ],
            },
            {
              name: 'new',
              params: [
                { name: 'platform', value: 'windows' },
                { name: 'browser', value: 'edge' },
              ],
            },
          ],
        },
        { 'params.platforms': ['linux', 'mac'] },
      ).map(c => Object.fromEntries(c.map(p => [p.name, p.value]))),
    ).toEqual([
      { platform: 'linux', browser: 'chrome', url: 'https://x', flag: 'on' },
      { platform: 'mac', browser: 'chrome', url: 'https://x' },
      { platform: 'linux', browser: 'safari', url: 'https://x' },
      { platform: 'mac', browser: 'safari', url: 'https://x' },
      { platform: 'windows', browser: 'edge' },
    ]);
  });

  const matrixSpec: PipelineSpec = {
    tasks: [
      task('build', {
        matrix: { params: [{ name: 'arch', value: ['amd64', 'arm64'] }] },
      }),
      task('publish', {
        params: [
          { name: 'images', value: ['$(tasks.build.results.image[*])'] },
          { name: 'count', value: '$(tasks.build.matrix.length)' },
        ],
      }),
    ],
  };

  it('creates one TaskRun per combination, named <run>-<task>-<index>', () => {
    const p = plan(matrixSpec);
    expect(p.create.map(tr => [tr.metadata.name, tr.spec.params])).toEqual([
      ['r-build-0', [{ name: 'arch', value: 'amd64' }]],
      ['r-build-1', [{ name: 'arch', value: 'arm64' }]],
    ]);
    expect(p.status.childReferences!.map(c => c.name)).toEqual([
      'r-build-0',
      'r-build-1',
    ]);
  });

  it('waits for every combination and passes their results as arrays', () => {
    const built = (index: number, image: string) => ({
      ...succeeded('build', [{ name: 'image', value: image }]),
      metadata: {
        name: `r-build-${index}`,
        labels: { 'tekton.dev/pipelineTask': 'build' },
      },
    });
    const partial = plan(matrixSpec, {
      taskRuns: [
        built(1, 'img-arm'),
        {
          ...running('build'),
          metadata: {
            name: 'r-build-0',
            labels: { 'tekton.dev/pipelineTask': 'build' },
          },
        },
      ],
    });
    expect(partial.create).toEqual([]);
    const p = plan(matrixSpec, {
      taskRuns: [built(1, 'img-arm'), built(0, 'img-amd')],
    });
    expect(p.create.map(tr => tr.spec.params)).toEqual([
      [
        { name: 'images', value: ['img-amd', 'img-arm'] },
        { name: 'count', value: '2' },
      ],
    ]);
  });

  it('skips a matrix with an empty array', () => {
    const spec = {
      tasks: [
        task('build', { matrix: { params: [{ name: 'arch', value: [] }] } }),
      ],
    };
    expect(plan(spec).status.skippedTasks).toEqual([
      { name: 'build', reason: 'Matrix Parameters have an empty array' },
    ]);
  });
});
