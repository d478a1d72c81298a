import {
  formatDuration,
  getPipelineTaskStates,
  getReasonLabel,
  getRunDuration,
  getRunStatus,
  getStepDuration,
  getTaskDuration,
  isCancellable,
  isFinished,
  isStepRunning,
  RunLike,
  summarizeTaskProgress,
} from './status';
import { PipelineRun, StepState, TaskRun } from './types';

function runWith(
  status: 'True' | 'False' | 'Unknown' | undefined,
  reason?: string,
  specStatus?: string,
): RunLike {
  return {
    spec: { status: specStatus },
    status: status
      ? { conditions: [{ type: 'Succeeded', status, reason, message: 'm' }] }
      : {},
  };
}

describe('getRunStatus', () => {
  it.each([
    // status, reason, spec.status, expected status, expected label
    [undefined, undefined, undefined, 'pending', 'Pending'],
    [undefined, undefined, 'PipelineRunPending', 'pending', 'Pending'],
    [
      'Unknown',
      'PipelineRunPending',
      'PipelineRunPending',
      'pending',
      'Pending (held)',
    ],
    ['Unknown', 'Pending', undefined, 'pending', 'Pending'],
    ['Unknown', 'TaskRunPending', undefined, 'pending', 'Pending (held)'],
    [
      'Unknown',
      'ResolvingPipelineRef',
      undefined,
      'pending',
      'Resolving pipeline',
    ],
    ['Unknown', 'ResolvingTaskRef', undefined, 'pending', 'Resolving task'],
    [
      'Unknown',
      'ExceededResourceQuota',
      undefined,
      'pending',
      'Waiting for resource quota',
    ],
    [
      'Unknown',
      'ExceededNodeResources',
      undefined,
      'pending',
      'Waiting for node resources',
    ],
    ['Unknown', 'Started', undefined, 'running', 'Started'],
    ['Unknown', 'Running', undefined, 'running', 'Running'],
    ['Unknown', undefined, undefined, 'running', 'Running'],
    ['Unknown', 'ToBeRetried', undefined, 'running', 'Retrying'],
    ['Unknown', 'PipelineRunStopping', undefined, 'running', 'Stopping'],
    ['Unknown', 'Running', 'Cancelled', 'running', 'Cancelling'],
    ['Unknown', 'Started', 'StoppedRunFinally', 'running', 'Stopping'],
    ['Unknown', 'Cancelled', undefined, 'running', 'Cancelling'],
    [
      'Unknown',
      'CancelledRunningFinally',
      'CancelledRunFinally',
      'running',
      'Cancelling, running finally tasks',
    ],
    [
      'Unknown',
      'StoppedRunningFinally',
      'StoppedRunFinally',
      'running',
      'Stopping, running finally tasks',
    ],
    [
      'Unknown',
      'PipelineRunCouldntCancel',
      'Cancelled',
      'failed',
      'Could not cancel',
    ],
    ['True', 'Succeeded', undefined, 'succeeded', 'Succeeded'],
    [
      'True',
      'Completed',
      undefined,
      'succeeded',
      'Succeeded, some tasks skipped',
    ],
    ['True', undefined, undefined, 'succeeded', 'Succeeded'],
    ['False', 'Cancelled', 'Cancelled', 'cancelled', 'Cancelled'],
    ['False', 'Cancelled', 'StoppedRunFinally', 'cancelled', 'Cancelled'],
    ['False', 'PipelineRunCancelled', undefined, 'cancelled', 'Cancelled'],
    ['False', 'TaskRunCancelled', 'TaskRunCancelled', 'cancelled', 'Cancelled'],
    ['False', 'Failed', undefined, 'failed', 'Failed'],
    ['False', undefined, undefined, 'failed', 'Failed'],
    ['False', 'PipelineRunTimeout', undefined, 'failed', 'Timed out'],
    ['False', 'TaskRunTimeout', undefined, 'failed', 'Timed out'],
    [
      'False',
      'CreateContainerConfigError',
      undefined,
      'failed',
      'Container config error',
    ],
    [
      'False',
      'PipelineValidationFailed',
      undefined,
      'failed',
      'Invalid pipeline',
    ],
    [
      'False',
      'InvalidTaskResultReference',
      undefined,
      'failed',
      'Task result missing',
    ],
    ['False', 'CouldntGetPipeline', undefined, 'failed', 'Pipeline not found'],
    ['False', 'CouldntGetTask', undefined, 'failed', 'Task not found'],
    [
      'False',
      'TaskRunImagePullFailed',
      undefined,
      'failed',
      'Image pull failed',
    ],
    ['False', 'ParameterMissing', undefined, 'failed', 'Missing param'],
    [
      'False',
      'PipelineInvalidGraph',
      undefined,
      'failed',
      'Invalid pipeline graph',
    ],
    ['False', 'FailureIgnored', undefined, 'failed', 'Failed (ignored)'],
    ['False', 'PodEvicted', undefined, 'failed', 'Pod evicted'],
  ] as const)(
    'maps %s/%s with spec.status %s to %s (%s)',
    (status, reason, specStatus, expected, label) => {
      const result = getRunStatus(runWith(status, reason, specStatus));
      expect(result.status).toBe(expected);
      expect(result.label).toBe(label);
      expect(result.reason).toBe(reason);
    },
  );

  it('passes on the condition message', () => {
    expect(getRunStatus(runWith('False', 'Failed')).message).toBe('m');
  });

  it('ignores conditions other than Succeeded', () => {
    const run: RunLike = {
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(getRunStatus(run).status).toBe('pending');
  });
});

describe('getReasonLabel', () => {
  it('humanises reasons it does not know', () => {
    expect(getReasonLabel('SomeNewReason')).toBe('Some new reason');
  });
});

describe('isFinished', () => {
  it('is true only once the Succeeded condition is True or False', () => {
    expect(isFinished(runWith(undefined))).toBe(false);
    expect(isFinished(runWith('Unknown', 'Running'))).toBe(false);
    expect(isFinished(runWith('Unknown', 'PipelineRunCouldntCancel'))).toBe(
      false,
    );
    expect(isFinished(runWith('True', 'Succeeded'))).toBe(true);
    expect(isFinished(runWith('False', 'Cancelled'))).toBe(true);
  });
});

describe('isCancellable', () => {
  it.each([
    // status, reason, spec.status, cancellable
    [undefined, undefined, 'PipelineRunPending', true],
    ['Unknown', 'PipelineRunPending', 'PipelineRunPending', true],
    ['Unknown', 'Running', undefined, true],
    ['Unknown', 'Cancelled', 'Cancelled', true],
    ['Unknown', 'StoppedRunningFinally', 'StoppedRunFinally', true],
    ['True', 'Succeeded', undefined, false],
    ['True', 'Completed', undefined, false],
    ['False', 'Failed', undefined, false],
    ['False', 'Cancelled', 'Cancelled', false],
    ['False', 'PipelineRunTimeout', undefined, false],
  ] as const)(
    'a run %s/%s with spec.status %s: %s',
    (status, reason, specStatus, expected) => {
      expect(isCancellable(runWith(status, reason, specStatus))).toBe(expected);
    },
  );

  it('allows cancelling again a run whose cancel failed, which the status shows as failed', () => {
    const run = runWith('Unknown', 'PipelineRunCouldntCancel', 'Cancelled');
    expect(getRunStatus(run).status).toBe('failed');
    expect(isCancellable(run)).toBe(true);
  });
});

describe('getRunDuration', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  it('is undefined before the run starts', () => {
    expect(getRunDuration({ status: {} }, now)).toBeUndefined();
  });
  it('counts up to now while running', () => {
    expect(
      getRunDuration({ status: { startTime: '2026-01-01T00:00:00Z' } }, now),
    ).toBe(600_000);
  });
  it('stops at the completion time', () => {
    const run = {
      status: {
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:01:05Z',
      },
    };
    expect(getRunDuration(run, now)).toBe(65_000);
  });
  it('never goes negative with clock skew', () => {
    expect(
      getRunDuration({ status: { startTime: '2026-01-01T00:11:00Z' } }, now),
    ).toBe(0);
  });
});

describe('task and step durations', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  const at = (mmss: string) => `2026-01-01T00:${mmss}Z`;
  const taskRunAt = (
    startTime: string,
    completionTime?: string,
    ended?: 'True' | 'False',
  ): RunLike => ({
    status: {
      startTime,
      completionTime,
      conditions: [
        { type: 'Succeeded', status: ended ?? 'Unknown', reason: 'r' },
      ],
    },
  });
  const finished = (startedAt: string, finishedAt: string): StepState => ({
    name: 's',
    terminated: { exitCode: 0, startedAt, finishedAt },
  });
  const running = (startedAt: string): StepState => ({
    name: 's',
    running: { startedAt },
  });

  it('a task spans its runs from the first start to the last end', () => {
    expect(
      getTaskDuration(
        [
          taskRunAt(at('00:10'), at('00:40'), 'True'),
          taskRunAt(at('00:00'), at('00:30'), 'True'),
        ],
        now,
      ),
    ).toBe(40_000);
    expect(getTaskDuration([taskRunAt(at('09:00'))], now)).toBe(60_000);
    expect(getTaskDuration([{ status: {} }], now)).toBeUndefined();
  });

  it("a finished step takes its container's start to finish", () => {
    const task = taskRunAt(at('00:00'), at('01:00'), 'True');
    expect(getStepDuration(finished(at('00:05'), at('00:35')), task, now)).toBe(
      30_000,
    );
  });

  it('a running step counts to now, as its running task does', () => {
    const task = taskRunAt(at('09:00'));
    const step = running(at('09:20'));
    expect(isStepRunning(step, task)).toBe(true);
    expect(getStepDuration(step, task, now)).toBe(40_000);
    expect(getTaskDuration([task], now)).toBe(60_000);
  });

  it('a step left running by a task that ended (cancelled, pod gone) ended with the task', () => {
    const task = taskRunAt(at('00:00'), at('00:50'), 'False');
    const step = running(at('00:10'));
    expect(isStepRunning(step, task)).toBe(false);
    expect(getStepDuration(step, task, now)).toBe(40_000);
  });

  it('a step is never longer than its task, whatever the clocks say', () => {
    const task = taskRunAt(at('00:10'), at('00:40'), 'True');
    const step = finished(at('00:05'), at('00:45'));
    expect(getStepDuration(step, task, now)).toBe(getTaskDuration([task], now));
  });

  it('a step that never started (StartError reports the epoch) has no duration', () => {
    const task = taskRunAt(at('00:00'), at('00:50'), 'False');
    expect(
      getStepDuration(finished('1970-01-01T00:00:00Z', at('00:01')), task, now),
    ).toBeUndefined();
    expect(getStepDuration({ name: 's', waiting: {} }, task, now)).toBe(
      undefined,
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [65_000, '1m 5s'],
    [3_600_000 + 5 * 60_000, '1h 5m'],
    [27 * 3_600_000, '1d 3h'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

function taskRun(
  name: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  extra: Partial<NonNullable<TaskRun['status']>> = {},
  labels?: Record<string, string>,
): TaskRun {
  return {
    metadata: { name, labels },
    spec: {},
    status: {
      conditions: [{ type: 'Succeeded', status, reason }],
      ...extra,
    },
  };
}

const pipelineSpec = {
  tasks: [
    { name: 'clone' },
    { name: 'build', runAfter: ['clone'] },
    { name: 'test', runAfter: ['clone'] },
    { name: 'deploy', runAfter: ['build', 'test'] },
    { name: 'matrix' },
  ],
  finally: [{ name: 'notify' }],
};

function pipelineRun(
  status: PipelineRun['status'],
  name = 'run-1',
): PipelineRun {
  return {
    metadata: { name },
    spec: { pipelineRef: { name: 'p' } },
    status: { pipelineSpec, ...status },
  };
}

describe('getPipelineTaskStates and summarizeTaskProgress', () => {
  const running = pipelineRun({
    conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }],
    childReferences: [
      { name: 'run-1-clone', pipelineTaskName: 'clone', kind: 'TaskRun' },
      { name: 'run-1-build', pipelineTaskName: 'build', kind: 'TaskRun' },
      { name: 'run-1-matrix-0', pipelineTaskName: 'matrix', kind: 'TaskRun' },
      { name: 'run-1-matrix-1', pipelineTaskName: 'matrix', kind: 'TaskRun' },
    ],
    skippedTasks: [
      { name: 'test', reason: 'When Expressions evaluated to false' },
    ],
  });
  const children = [
    taskRun('run-1-clone', 'True', 'Succeeded'),
    taskRun('run-1-build', 'Unknown', 'Running'),
    taskRun('run-1-matrix-0', 'True', 'Succeeded'),
    taskRun('run-1-matrix-1', 'False', 'Failed'),
  ];

  it('gives each pipeline task its status, runs and skip reason', () => {
    const states = getPipelineTaskStates(running, children);
    const byName = Object.fromEntries(states.map(s => [s.name, s]));
    expect(byName.clone.status.status).toBe('succeeded');
    expect(byName.build.status.status).toBe('running');
    expect(byName.test).toMatchObject({
      status: { status: 'skipped', label: 'Skipped' },
      skippedReason: 'When Expressions evaluated to false',
    });
    expect(byName.deploy.status.status).toBe('pending');
    expect(byName.matrix.runs).toHaveLength(2);
    expect(byName.matrix.status.status).toBe('failed');
    expect(byName.notify).toMatchObject({
      lane: 'finally',
      status: { status: 'pending' },
    });
  });

  it('counts tasks by status for the progress bar', () => {
    expect(summarizeTaskProgress(running, children)).toEqual({
      total: 6,
      byStatus: {
        succeeded: 1,
        failed: 1,
        cancelled: 0,
        running: 1,
        pending: 2,
        skipped: 1,
      },
    });
  });

  it('counts tasks never reached by a finished run as skipped', () => {
    const cancelled = pipelineRun({
      conditions: [{ type: 'Succeeded', status: 'False', reason: 'Cancelled' }],
      childReferences: [{ name: 'run-1-clone', pipelineTaskName: 'clone' }],
    });
    const progress = summarizeTaskProgress(cancelled, [
      taskRun('run-1-clone', 'False', 'TaskRunCancelled'),
    ]);
    expect(progress.byStatus).toMatchObject({ cancelled: 1, skipped: 5 });
  });

  it('finds child runs by label while childReferences lag behind', () => {
    const fresh = pipelineRun({
      conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }],
    });
    const labelled = taskRun(
      'run-1-clone',
      'Unknown',
      'Running',
      {},
      { 'tekton.dev/pipelineRun': 'run-1', 'tekton.dev/pipelineTask': 'clone' },
    );
    const otherRun = taskRun(
      'run-2-build',
      'True',
      'Succeeded',
      {},
      { 'tekton.dev/pipelineRun': 'run-2', 'tekton.dev/pipelineTask': 'build' },
    );
    const states = getPipelineTaskStates(fresh, [labelled, otherRun]);
    expect(states.find(s => s.name === 'clone')?.runs).toEqual([labelled]);
    expect(states.find(s => s.name === 'build')?.runs).toEqual([]);
  });

  it('uses the status, not the spec, when the run has no pipelineSpec yet', () => {
    const bare: PipelineRun = {
      metadata: { name: 'run-1' },
      spec: {},
      status: {
        childReferences: [{ name: 'run-1-a', pipelineTaskName: 'a' }],
        skippedTasks: [{ name: 'b', reason: 'Parent Tasks were skipped' }],
      },
    };
    expect(summarizeTaskProgress(bare, []).total).toBe(2);
  });
});
