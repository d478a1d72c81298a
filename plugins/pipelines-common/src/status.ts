import {
  Condition,
  PipelineRun,
  PipelineTask,
  RunStatusFields,
  StepState,
} from './types';

/**
 * The one status vocabulary of the Pipelines UI and API, after Tekton
 * Dashboard's mapping: every Tekton reason falls into one of these.
 * `skipped` only applies to PipelineTasks that never ran.
 * @public
 */
export type RunStatus =
  | 'running'
  | 'pending'
  | 'cancelled'
  | 'failed'
  | 'succeeded'
  | 'skipped';

/** All statuses, in the order a progress bar shows them. @public */
export const RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'running',
  'pending',
  'skipped',
];

/**
 * A run's status: the category, a short label for people, and Tekton's own
 * reason and message for detail.
 * @public
 */
export interface RunStatusSummary {
  status: RunStatus;
  label: string;
  reason?: string;
  message?: string;
}

/**
 * What status mapping needs of a PipelineRun, TaskRun or CustomRun.
 * @public
 */
export interface RunLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { status?: string };
  status?: RunStatusFields;
}

/**
 * Labels for every reason Tekton Pipelines sets on a run's `Succeeded`
 * condition (`pipelinerun_types.go`, `taskrun_types.go`, `pkg/pod/status.go`,
 * the PipelineRun reconciler). Reasons not listed are shown humanised.
 */
const REASON_LABELS: Record<string, string> = {
  // In progress
  Started: 'Started',
  Running: 'Running',
  ToBeRetried: 'Retrying',
  PipelineRunStopping: 'Stopping',
  CancelledRunningFinally: 'Cancelling, running finally tasks',
  StoppedRunningFinally: 'Stopping, running finally tasks',
  PipelineRunTimeoutRunningFinally: 'Timed out, running finally tasks',
  // Waiting
  Pending: 'Pending',
  PipelineRunPending: 'Pending (held)',
  TaskRunPending: 'Pending (held)',
  ResolvingPipelineRef: 'Resolving pipeline',
  ResolvingTaskRef: 'Resolving task',
  ResolvingStepActionRef: 'Resolving step action',
  ExceededResourceQuota: 'Waiting for resource quota',
  ExceededNodeResources: 'Waiting for node resources',
  // Succeeded
  Succeeded: 'Succeeded',
  Completed: 'Succeeded, some tasks skipped',
  // Cancelled
  Cancelled: 'Cancelled',
  PipelineRunCancelled: 'Cancelled',
  TaskRunCancelled: 'Cancelled',
  // Failed
  Failed: 'Failed',
  FailureIgnored: 'Failed (ignored)',
  PipelineRunTimeout: 'Timed out',
  TaskRunTimeout: 'Timed out',
  CouldntGetPipeline: 'Pipeline not found',
  CouldntGetTask: 'Task not found',
  CouldntGetPipelineResult: 'Pipeline result missing',
  InvalidTaskResultReference: 'Task result missing',
  PipelineValidationFailed: 'Invalid pipeline',
  PipelineInvalidGraph: 'Invalid pipeline graph',
  TaskRunValidationFailed: 'Invalid task run',
  TaskValidationFailed: 'Invalid task',
  TaskRunResolutionFailed: 'Task could not be resolved',
  ResourceVerificationFailed: 'Verification failed',
  InvalidWorkspaceBindings: 'Invalid workspace bindings',
  InvalidPipelineResourceBindings: 'Invalid resource bindings',
  InvalidTaskRunSpecs: 'Invalid taskRunSpecs',
  RequiredWorkspaceMarkedOptional: 'Required workspace marked optional',
  ParameterMissing: 'Missing param',
  ParameterTypeMismatch: 'Param type mismatch',
  ObjectParameterMissKeys: 'Object param missing keys',
  ParamArrayIndexingInvalid: 'Invalid array param index',
  InvalidParamValue: 'Invalid param value',
  InvalidMatrixParameterTypes: 'Invalid matrix params',
  CELEvaluationFailed: 'CEL evaluation failed',
  CreateRunFailed: 'Could not create task run',
  PipelineRunCouldntCancel: 'Could not cancel',
  PipelineRunCouldntTimeOut: 'Could not time out',
  TaskRunImagePullFailed: 'Image pull failed',
  PullImageFailed: 'Image pull failed',
  CreateContainerConfigError: 'Container config error',
  PodCreationFailed: 'Pod creation failed',
  PodAdmissionFailed: 'Pod rejected by admission',
  TaskRunResultLargerThanAllowedLimit: 'Result too large',
  TaskRunStopSidecarFailed: 'Sidecar did not stop',
};

/** Reasons of an `Unknown` condition that mean nothing runs yet. */
const PENDING_REASONS = new Set([
  'Pending',
  'PipelineRunPending',
  'TaskRunPending',
  'ResolvingPipelineRef',
  'ResolvingTaskRef',
  'ResolvingStepActionRef',
  'ExceededResourceQuota',
  'ExceededNodeResources',
]);

/** Reasons of a `False` condition that mean a user cancelled the run. */
const CANCELLED_REASONS = new Set([
  'Cancelled',
  'PipelineRunCancelled',
  'TaskRunCancelled',
]);

/** Reasons of an `Unknown` condition that say more than a cancel request would. */
const WINDING_DOWN_REASONS = new Set([
  'ToBeRetried',
  'PipelineRunStopping',
  'CancelledRunningFinally',
  'StoppedRunningFinally',
  'PipelineRunTimeoutRunningFinally',
]);

/** `spec.status` values that ask a run to cancel or stop. */
const CANCEL_REQUESTS: Record<string, string> = {
  Cancelled: 'Cancelling',
  CancelledRunFinally: 'Cancelling',
  StoppedRunFinally: 'Stopping',
  TaskRunCancelled: 'Cancelling',
};

/** Turns an unlisted CamelCase reason into words: `PodEvicted` → `Pod evicted`. */
function humanizeReason(reason: string): string {
  const words = reason.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The human label Cairn shows for a Tekton reason.
 * @public
 */
export function getReasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? humanizeReason(reason);
}

/**
 * The run's `Succeeded` condition, which carries its outcome.
 * @public
 */
export function getSucceededCondition(run: RunLike): Condition | undefined {
  return run.status?.conditions?.find(c => c.type === 'Succeeded');
}

/**
 * Maps a PipelineRun, TaskRun or CustomRun to Cairn's status, from its
 * `Succeeded` condition and the `spec.status` a user may have set.
 * @public
 */
export function getRunStatus(run: RunLike): RunStatusSummary {
  const condition = getSucceededCondition(run);
  const specStatus = run.spec?.status;
  const reason = condition?.reason;
  const message = condition?.message;
  const details = { reason, message };

  if (!condition) {
    // Not reconciled yet: a run held by `PipelineRunPending`, or just created.
    return { status: 'pending', label: 'Pending', ...details };
  }
  if (condition.status === 'True') {
    return {
      status: 'succeeded',
      label: getReasonLabel(reason ?? 'Succeeded'),
      ...details,
    };
  }
  if (condition.status === 'False') {
    return {
      status: reason && CANCELLED_REASONS.has(reason) ? 'cancelled' : 'failed',
      label: getReasonLabel(reason ?? 'Failed'),
      ...details,
    };
  }
  // Unknown: the run is still going, or waiting to go.
  if (reason && PENDING_REASONS.has(reason)) {
    return { status: 'pending', label: getReasonLabel(reason), ...details };
  }
  if (reason === 'PipelineRunCouldntCancel') {
    // Cancelling the child runs failed; Tekton Dashboard shows this as an
    // error because it needs someone to look, though the run is not over.
    return { status: 'failed', label: getReasonLabel(reason), ...details };
  }
  let label: string;
  if (reason && WINDING_DOWN_REASONS.has(reason)) {
    label = getReasonLabel(reason);
  } else if (specStatus && specStatus in CANCEL_REQUESTS) {
    label = CANCEL_REQUESTS[specStatus];
  } else if (reason === 'Cancelled') {
    // Tekton keeps Unknown + Cancelled while cancellation is being processed.
    label = 'Cancelling';
  } else {
    label = getReasonLabel(reason ?? 'Running');
  }
  return { status: 'running', label, ...details };
}

/**
 * Whether the run has finished: its `Succeeded` condition is True or False.
 * @public
 */
export function isFinished(run: RunLike): boolean {
  const status = getSucceededCondition(run)?.status;
  return status === 'True' || status === 'False';
}

/**
 * Whether a cancel (or stop) request can still change the run: while it has
 * not finished. That includes a held run, a run already cancelling, and
 * `PipelineRunCouldntCancel`,
 * which the status mapping shows as failed though Tekton has not ended the
 * run: asking again is how a user retries. The UI offers Cancel and the
 * server accepts it on this one decision.
 * @public
 */
export function isCancellable(run: RunLike): boolean {
  return !isFinished(run);
}

/**
 * How long the run has taken, in milliseconds: from its start to its
 * completion, or to `now` while it runs. Undefined before it starts.
 * @public
 */
export function getRunDuration(
  run: RunLike,
  now: Date = new Date(),
): number | undefined {
  const start = run.status?.startTime;
  if (!start) {
    return undefined;
  }
  const end = run.status?.completionTime;
  const endMs = end ? Date.parse(end) : now.getTime();
  return Math.max(0, endMs - Date.parse(start));
}

/**
 * How long a PipelineTask has taken, in milliseconds: from the first start
 * of its runs (several for a matrix) to the last end, each run's end as
 * {@link getRunDuration} has it. Undefined before any of them starts.
 * @public
 */
export function getTaskDuration(
  runs: readonly RunLike[],
  now: Date = new Date(),
): number | undefined {
  const windows = runs.flatMap(run => {
    const start = run.status?.startTime;
    const duration = getRunDuration(run, now);
    if (!start || duration === undefined) return [];
    return [{ start: Date.parse(start), end: Date.parse(start) + duration }];
  });
  if (windows.length === 0) return undefined;
  return (
    Math.max(...windows.map(w => w.end)) -
    Math.min(...windows.map(w => w.start))
  );
}

/**
 * Whether a step is still running: its container says so and its TaskRun
 * has not ended. A TaskRun that ends (cancelled, timed out, its pod gone)
 * can leave a container's last reported state at running; the step ended
 * with its TaskRun.
 * @public
 */
export function isStepRunning(step: StepState, taskRun: RunLike): boolean {
  return (
    Boolean(step.running) &&
    !step.terminated &&
    !isFinished(taskRun) &&
    !taskRun.status?.completionTime
  );
}

/**
 * How long a step has taken, in milliseconds: its container's start to its
 * finish, to its TaskRun's end when the TaskRun ended first, or to `now`
 * while it runs; always within its TaskRun's {@link getRunDuration}, so a
 * step never shows longer than its task. Undefined for a step that never
 * started (a container that failed to start reports the Unix epoch).
 * @public
 */
export function getStepDuration(
  step: StepState,
  taskRun: RunLike,
  now: Date = new Date(),
): number | undefined {
  const startedAt = step.terminated?.startedAt ?? step.running?.startedAt;
  const stepStart = startedAt ? Date.parse(startedAt) : NaN;
  if (!(stepStart > 0)) return undefined;
  const taskStartedAt = taskRun.status?.startTime;
  const taskDuration = getRunDuration(taskRun, now);
  const taskStart = taskStartedAt ? Date.parse(taskStartedAt) : stepStart;
  const taskEnd =
    taskDuration === undefined ? now.getTime() : taskStart + taskDuration;
  const finishedAt = step.terminated?.finishedAt;
  const stepEnd = finishedAt ? Date.parse(finishedAt) : taskEnd;
  return Math.max(
    0,
    Math.min(stepEnd, taskEnd) - Math.max(stepStart, taskStart),
  );
}

/**
 * Formats a duration in milliseconds the way run lists show it:
 * `45s`, `3m 20s`, `2h 5m`, `1d 3h`.
 * @public
 */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${seconds % 60}s`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours}h ${minutes % 60}m`;
  }
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/**
 * The state of one PipelineTask within a PipelineRun.
 * @public
 */
export interface PipelineTaskRunState<TRun extends RunLike = RunLike> {
  /** The PipelineTask's name. */
  name: string;
  lane: 'tasks' | 'finally';
  status: RunStatusSummary;
  /** Its TaskRuns or CustomRuns; several for a matrix. */
  runs: TRun[];
  /** Tekton's reason when the task was skipped, e.g. `When Expressions evaluated to false`. */
  skippedReason?: string;
}

/** Which child status represents a matrix of runs: the first found in this order. */
const AGGREGATE_ORDER: RunStatus[] = [
  'running',
  'failed',
  'pending',
  'cancelled',
  'succeeded',
];

function aggregateStatus(runs: RunLike[]): RunStatusSummary {
  const statuses = runs.map(getRunStatus);
  for (const status of AGGREGATE_ORDER) {
    const found = statuses.find(s => s.status === status);
    if (found) {
      return found;
    }
  }
  return { status: 'pending', label: 'Pending' };
}

const PIPELINE_RUN_LABEL = 'tekton.dev/pipelineRun';
const PIPELINE_TASK_LABEL = 'tekton.dev/pipelineTask';

/**
 * The state of every PipelineTask of a PipelineRun, from its child runs
 * (found by `status.childReferences`, or by Tekton's labels while the run's
 * status lags behind) and `status.skippedTasks`. A task not started nor
 * skipped is pending while the run goes on, and skipped once it finished
 * (e.g. the run was cancelled before reaching it).
 * @public
 */
export function getPipelineTaskStates<TRun extends RunLike>(
  run: PipelineRun,
  childRuns: readonly TRun[],
): PipelineTaskRunState<TRun>[] {
  const spec = run.status?.pipelineSpec ?? run.spec.pipelineSpec;
  const childReferences = run.status?.childReferences ?? [];
  const skippedTasks = run.status?.skippedTasks ?? [];
  const runFinished = isFinished(run);

  const lanes = new Map<string, 'tasks' | 'finally'>();
  const addTasks = (
    tasks: PipelineTask[] | undefined,
    lane: 'tasks' | 'finally',
  ) => tasks?.forEach(t => lanes.set(t.name, lane));
  addTasks(spec?.tasks, 'tasks');
  addTasks(spec?.finally, 'finally');
  // Without a spec (a run not yet reconciled), show what the status names.
  for (const { pipelineTaskName } of childReferences) {
    if (!lanes.has(pipelineTaskName)) lanes.set(pipelineTaskName, 'tasks');
  }
  for (const { name } of skippedTasks) {
    if (!lanes.has(name)) lanes.set(name, 'tasks');
  }

  const runsByName = new Map<string, TRun>();
  for (const child of childRuns) {
    if (child.metadata?.name) runsByName.set(child.metadata.name, child);
  }

  return [...lanes].map(([name, lane]) => {
    const runs: TRun[] = [];
    for (const ref of childReferences) {
      const child = runsByName.get(ref.name);
      if (ref.pipelineTaskName === name && child) runs.push(child);
    }
    for (const child of childRuns) {
      const labels = child.metadata?.labels ?? {};
      if (
        labels[PIPELINE_TASK_LABEL] === name &&
        labels[PIPELINE_RUN_LABEL] === run.metadata.name &&
        !runs.includes(child)
      ) {
        runs.push(child);
      }
    }
    const skipped = skippedTasks.find(s => s.name === name);
    if (runs.length > 0) {
      return { name, lane, runs, status: aggregateStatus(runs) };
    }
    if (skipped) {
      return {
        name,
        lane,
        runs,
        status: { status: 'skipped', label: 'Skipped', reason: skipped.reason },
        skippedReason: skipped.reason,
      };
    }
    const referenced = childReferences.some(r => r.pipelineTaskName === name);
    return {
      name,
      lane,
      runs,
      status:
        runFinished && !referenced
          ? { status: 'skipped', label: 'Not run' }
          : { status: 'pending', label: 'Pending' },
    };
  });
}

/**
 * Counts of a PipelineRun's tasks by status, for the runs list's progress bar.
 * @public
 */
export interface TaskProgress {
  total: number;
  byStatus: Record<RunStatus, number>;
}

/**
 * Summarises the progress of a PipelineRun's tasks (finally tasks included).
 * @public
 */
export function summarizeTaskProgress(
  run: PipelineRun,
  childRuns: readonly RunLike[],
): TaskProgress {
  const byStatus = Object.fromEntries(RUN_STATUSES.map(s => [s, 0])) as Record<
    RunStatus,
    number
  >;
  const states = getPipelineTaskStates(run, childRuns);
  for (const state of states) {
    byStatus[state.status.status] += 1;
  }
  return { total: states.length, byStatus };
}
