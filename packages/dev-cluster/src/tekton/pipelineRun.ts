import { createHash } from 'node:crypto';
import { buildDag } from './dag';
import { DEFAULT_TIMEOUT_MS, formatDuration, parseDuration } from './duration';
import {
  childName,
  conditionAt,
  LABELS,
  MANAGED_BY_TEKTON,
  ON_ERROR_ANNOTATION,
  ownerReference,
  propagatedMetadata,
  succeededCondition,
  TEKTON_API_VERSION,
} from './labels';
import {
  findReferences,
  parseResultReference,
  Replacements,
  resolveParams,
  substituteDeep,
  substituteParamValue,
  substituteString,
} from './substitution';
import type {
  ChildReference,
  Condition,
  Param,
  PipelineRun,
  PipelineRunStatus,
  PipelineSpec,
  PipelineTask,
  RunResult,
  SkippedTask,
  TaskRun,
  WhenExpression,
  WorkspaceBinding,
  WorkspacePipelineTaskBinding,
} from './types';

/*
 * What a PipelineRun's reconcile does next, as a pure function of the run,
 * its resolved Pipeline spec, its TaskRuns and the time: which TaskRuns to
 * create or cancel, and the run's new status. Tekton's behaviour from
 * docs/pipelineruns.md, docs/pipelines.md and pkg/reconciler/pipelinerun.
 */

/** Why a pipeline task was skipped (pipeline/v1 SkippingReason). */
export const SKIP_REASONS = {
  when: 'When Expressions evaluated to false',
  parentSkipped: 'Parent Tasks were skipped',
  stopping: 'PipelineRun was stopping',
  gracefullyCancelled: 'PipelineRun was gracefully cancelled',
  gracefullyStopped: 'PipelineRun was gracefully stopped',
  missingResults: 'Results were missing',
  pipelineTimedOut: 'PipelineRun timeout has been reached',
  tasksTimedOut: 'PipelineRun Tasks timeout has been reached',
  finallyTimedOut: 'PipelineRun Finally timeout has been reached',
  emptyMatrix: 'Matrix Parameters have an empty array',
} as const;

export const CANCELLED_MESSAGE =
  'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';
export const TIMED_OUT_MESSAGE =
  'TaskRun cancelled as the PipelineRun it belongs to has timed out.';

export interface PipelineRunPlanInput {
  run: PipelineRun;
  /** The value of the tekton.dev/pipeline label: the Pipeline's name, or the run's for an embedded spec. */
  pipelineName: string;
  spec: PipelineSpec;
  /** The run's TaskRuns (labelled tekton.dev/pipelineRun=<run>). */
  taskRuns: TaskRun[];
  now: Date;
}

export interface PipelineRunPlan {
  create: TaskRun[];
  cancel: Array<{ name: string; statusMessage: string }>;
  status: PipelineRunStatus;
  /** When the plan changes by itself (a timeout); the controller looks again then. */
  requeueAfterMs?: number;
}

type TaskState =
  | { kind: 'waiting' }
  | { kind: 'running'; taskRuns: TaskRun[] }
  | {
      kind: 'done';
      /** One TaskRun, or one per combination of a matrix. */
      taskRuns: TaskRun[];
      outcome: 'succeeded' | 'failed' | 'cancelled';
      /** A failure of a task with onError: continue, which does not fail the run. */
      ignored: boolean;
    }
  | {
      kind: 'skipped';
      reason: string;
      /** The evaluated when expressions of a task they skipped. */
      whenExpressions?: WhenExpression[];
    };

function outcomeOf(
  taskRun: TaskRun,
): 'running' | 'succeeded' | 'failed' | 'cancelled' {
  const condition = succeededCondition(taskRun.status);
  if (!condition || condition.status === 'Unknown') return 'running';
  if (condition.status === 'True') return 'succeeded';
  // A TaskRun cancelled because the run timed out counts as failed.
  if (condition.reason !== 'TaskRunCancelled') return 'failed';
  return taskRun.spec.statusMessage === TIMED_OUT_MESSAGE
    ? 'failed'
    : 'cancelled';
}

/** A pipeline task's state from its TaskRuns: done when all are, failed if any failed. */
function stateOf(task: PipelineTask, taskRuns: TaskRun[]): TaskState {
  if (taskRuns.length === 0) return { kind: 'waiting' };
  const outcomes = taskRuns.map(outcomeOf);
  if (outcomes.includes('running')) return { kind: 'running', taskRuns };
  let outcome: 'succeeded' | 'failed' | 'cancelled' = 'succeeded';
  if (outcomes.includes('failed')) outcome = 'failed';
  else if (outcomes.includes('cancelled')) outcome = 'cancelled';
  return {
    kind: 'done',
    taskRuns,
    outcome,
    ignored: outcome === 'failed' && task.onError === 'continue',
  };
}

/** A matrixed TaskRun's combination index (its name ends in `-<index>`). */
function combinationIndex(taskRun: TaskRun): number {
  return Number(/-(\d+)$/.exec(taskRun.metadata.name ?? '')?.[1] ?? 0);
}

/**
 * The combinations of a matrix (docs/matrix.md): the cartesian product of its
 * params, the first varying fastest; each `include` adds its params to the
 * combinations its matrix-named params match, or is a combination of its own.
 */
export function matrixCombinations(
  matrix: PipelineTask['matrix'],
  replacements: Replacements,
): Param[][] {
  const params = (matrix?.params ?? []).map(p => ({
    name: p.name,
    value: substituteParamValue(p.value, replacements),
  }));
  let combinations: Array<Record<string, string>> = params.length ? [{}] : [];
  for (const param of params) {
    const values = Array.isArray(param.value) ? param.value : [];
    const next: Array<Record<string, string>> = [];
    for (const value of values)
      for (const combination of combinations)
        next.push({ ...combination, [param.name]: value });
    combinations = next;
  }
  const matrixNames = new Set(params.map(p => p.name));
  for (const include of matrix?.include ?? []) {
    const entries = (include.params ?? []).map(
      p =>
        [p.name, String(substituteParamValue(p.value, replacements))] as const,
    );
    const keys = entries.filter(([key]) => matrixNames.has(key));
    const extra = entries.filter(([key]) => !matrixNames.has(key));
    const matching = combinations.filter(c =>
      keys.every(([key, value]) => c[key] === value),
    );
    if (params.length && matching.length) {
      for (const combination of matching)
        Object.assign(combination, Object.fromEntries(extra));
    } else {
      combinations.push(Object.fromEntries(entries));
    }
  }
  return combinations.map(c =>
    Object.entries(c).map(([name, value]) => ({ name, value })),
  );
}

/** The name Tekton gives a pipeline task's TaskRun. */
export function taskRunName(run: PipelineRun, task: PipelineTask): string {
  return childName(run.metadata.name!, `-${task.name}`);
}

/** The PVC Tekton creates for a volumeClaimTemplate workspace binding of a run. */
export function volumeClaimName(run: PipelineRun, workspace: string): string {
  const hash = createHash('sha256')
    .update(`${run.metadata.uid}/${workspace}`)
    .digest('hex')
    .slice(0, 10);
  return `pvc-${hash}`;
}

/** When expressions after substitution, and whether they all hold. */
export function evaluateWhen(
  expressions: WhenExpression[],
  replacements: Replacements,
): { resolved: WhenExpression[]; holds: boolean; missingResults: boolean } {
  const resolved = substituteDeep(expressions, replacements);
  const missingResults = findReferences(resolved).some(r =>
    parseResultReference(r),
  );
  const holds = resolved.every(when => {
    const found = (when.values ?? []).includes(when.input);
    return when.operator === 'notin' ? !found : found;
  });
  return { resolved, holds, missingResults };
}

function timeoutOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

interface Timeouts {
  pipeline: number;
  tasks?: number;
  finally?: number;
}

function timeoutsOf(run: PipelineRun): Timeouts {
  const t = run.spec.timeouts ?? {};
  return {
    pipeline: timeoutOf(t.pipeline) ?? DEFAULT_TIMEOUT_MS,
    tasks: timeoutOf(t.tasks),
    finally: timeoutOf(t.finally),
  };
}

function pipelineTaskStatus(state: TaskState): string {
  if (state.kind !== 'done') return 'None';
  return state.outcome === 'succeeded' ? 'Succeeded' : 'Failed';
}

/**
 * `$(tasks.status)`, for finally tasks: None until every DAG task is done,
 * then Failed if any TaskRun failed (cancelled and ignored failures too),
 * else Completed if any was skipped, else Succeeded.
 */
export function aggregateStatus(states: TaskState[]): string {
  if (states.some(s => s.kind !== 'done' && s.kind !== 'skipped'))
    return 'None';
  if (states.some(s => s.kind === 'done' && s.outcome !== 'succeeded'))
    return 'Failed';
  if (states.some(s => s.kind === 'skipped')) return 'Completed';
  return 'Succeeded';
}

function resultReplacements(
  tasks: PipelineTask[],
  states: Map<string, TaskState>,
): Replacements {
  const replacements: Replacements = {};
  for (const task of tasks) {
    const state = states.get(task.name)!;
    if (state.kind !== 'done') continue;
    if (state.outcome !== 'succeeded' && !state.ignored) continue;
    const prefix = `tasks.${task.name}`;
    if (!task.matrix) {
      for (const result of state.taskRuns[0].status?.results ?? [])
        replacements[`${prefix}.results.${result.name}`] = result.value;
      continue;
    }
    // A matrixed task's results are arrays of its TaskRuns' string results.
    const taskRuns = [...state.taskRuns].sort(
      (a, b) => combinationIndex(a) - combinationIndex(b),
    );
    replacements[`${prefix}.matrix.length`] = String(taskRuns.length);
    const names = new Set(
      taskRuns.flatMap(tr => (tr.status?.results ?? []).map(r => r.name)),
    );
    for (const name of names) {
      const values = taskRuns.flatMap(tr =>
        (tr.status?.results ?? [])
          .filter(r => r.name === name && typeof r.value === 'string')
          .map(r => r.value as string),
      );
      replacements[`${prefix}.results.${name}`] = values;
      replacements[`${prefix}.matrix.${name}.length`] = String(values.length);
    }
  }
  return replacements;
}

function workspaceBindings(
  run: PipelineRun,
  task: PipelineTask,
): WorkspaceBinding[] {
  const byName = new Map((run.spec.workspaces ?? []).map(w => [w.name, w]));
  const bindings: WorkspaceBinding[] = [];
  // An inline taskSpec gets the run's workspaces its steps and sidecars
  // reference, as Tekton's propagateWorkspaces.
  const used = task.taskSpec
    ? findReferences([task.taskSpec.steps, task.taskSpec.sidecars])
        .map(r => /^workspaces\.([^.]+)\./.exec(r)?.[1])
        .filter((name): name is string => Boolean(name))
    : [];
  const bound = new Set((task.workspaces ?? []).map(b => b.name));
  const propagated = [...new Set(used)]
    .filter(name => !bound.has(name))
    .map((name): WorkspacePipelineTaskBinding => ({ name }));
  for (const binding of [...(task.workspaces ?? []), ...propagated]) {
    const source = byName.get(binding.workspace ?? binding.name);
    if (!source) continue;
    const { volumeClaimTemplate, subPath: _runSubPath, ...volume } = source;
    const subPath = [source.subPath, binding.subPath].filter(Boolean).join('/');
    bindings.push({
      ...volume,
      // Tekton creates one claim per run from the template (ensureVolumeClaims).
      ...(volumeClaimTemplate
        ? {
            persistentVolumeClaim: {
              claimName: volumeClaimName(run, source.name),
            },
          }
        : {}),
      name: binding.name,
      ...(subPath ? { subPath } : {}),
    });
  }
  return bindings;
}

function buildTaskRun(
  input: PipelineRunPlanInput,
  task: PipelineTask,
  replacements: Replacements,
  memberOf: 'tasks' | 'finally',
  /** What is left of the run's time for the task; 0 for no limit. */
  timeoutMs: number,
  combination?: { index: number; params: Param[] },
): TaskRun {
  const { run } = input;
  const params = [
    ...(task.params ?? []).map(p => ({
      name: p.name,
      value: substituteParamValue(p.value, replacements),
    })),
    ...(combination?.params ?? []),
  ];
  let taskSpec = task.taskSpec;
  if (taskSpec) {
    // Params the embedded spec declares come through the TaskRun's params;
    // the others are propagated from the Pipeline into the spec's text.
    const declared = new Set(
      (taskSpec.params ?? []).map(p => `params.${p.name}`),
    );
    const propagated = Object.fromEntries(
      Object.entries(replacements).filter(([key]) => !declared.has(key)),
    );
    const { metadata: _metadata, ...spec } = taskSpec;
    taskSpec = substituteDeep(spec, propagated);
  }
  const taskRunSpec = (run.spec.taskRunSpecs ?? []).find(
    s => s.pipelineTaskName === task.name,
  );
  const metadata = propagatedMetadata(run.metadata, {
    labels: {
      ...task.taskSpec?.metadata?.labels,
      [LABELS.pipeline]: input.pipelineName,
      [LABELS.pipelineRun]: run.metadata.name!,
      [LABELS.pipelineRunUid]: run.metadata.uid!,
      [LABELS.pipelineTask]: task.name,
      [LABELS.memberOf]: memberOf,
      [LABELS.managedBy]: MANAGED_BY_TEKTON,
    },
    annotations: {
      ...task.taskSpec?.metadata?.annotations,
      ...(task.onError === 'continue'
        ? { [ON_ERROR_ANNOTATION]: 'continue' }
        : {}),
    },
  });
  const timeout =
    taskRunSpec?.timeout ?? task.timeout ?? formatDuration(timeoutMs);
  const serviceAccountName =
    taskRunSpec?.serviceAccountName ??
    run.spec.taskRunTemplate?.serviceAccountName;
  const workspaces = workspaceBindings(run, task).map(binding =>
    binding.subPath
      ? {
          ...binding,
          subPath: substituteString(binding.subPath, replacements),
        }
      : binding,
  );
  return {
    apiVersion: TEKTON_API_VERSION,
    kind: 'TaskRun',
    metadata: {
      name: combination
        ? childName(run.metadata.name!, `-${task.name}-${combination.index}`)
        : taskRunName(run, task),
      namespace: run.metadata.namespace,
      labels: metadata.labels,
      annotations: metadata.annotations,
      ownerReferences: [ownerReference('PipelineRun', run.metadata)],
    },
    spec: {
      ...(params.length ? { params } : {}),
      ...(task.taskRef ? { taskRef: { kind: 'Task', ...task.taskRef } } : {}),
      ...(taskSpec ? { taskSpec } : {}),
      ...(serviceAccountName ? { serviceAccountName } : {}),
      timeout,
      ...(task.retries ? { retries: task.retries } : {}),
      ...(workspaces.length ? { workspaces } : {}),
    },
  };
}

const TIMEOUT_SKIPS: string[] = [
  SKIP_REASONS.pipelineTimedOut,
  SKIP_REASONS.tasksTimedOut,
  SKIP_REASONS.finallyTimedOut,
];

/** Counts of the run's tasks, as the run's condition reports them. */
export function countTasks(states: TaskState[]) {
  const count = (test: (s: TaskState) => boolean) => states.filter(test).length;
  const succeeded = count(s => s.kind === 'done' && s.outcome === 'succeeded');
  const failed = count(
    s => s.kind === 'done' && s.outcome === 'failed' && !s.ignored,
  );
  const ignored = count(s => s.kind === 'done' && s.ignored);
  const cancelled = count(s => s.kind === 'done' && s.outcome === 'cancelled');
  const skipped = count(s => s.kind === 'skipped');
  const skippedForTimeout = count(
    s => s.kind === 'skipped' && TIMEOUT_SKIPS.includes(s.reason),
  );
  const completed = succeeded + failed + ignored + cancelled;
  const incomplete = states.length - completed - skipped;
  return {
    completed,
    failed,
    ignored,
    cancelled,
    skipped,
    skippedForTimeout,
    incomplete,
  };
}

/** "Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0" and its running and ignored-failure forms. */
export function tasksMessage(
  counts: ReturnType<typeof countTasks>,
  running: boolean,
): string {
  const { completed, failed, ignored, cancelled, skipped, incomplete } = counts;
  if (running)
    return `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${cancelled}), Incomplete: ${incomplete}, Skipped: ${skipped}`;
  const failures = ignored
    ? `Failed: ${failed + ignored} (Ignored: ${ignored})`
    : `Failed: ${failed}`;
  return `Tasks Completed: ${completed} (${failures}, Cancelled ${cancelled}), Skipped: ${skipped}`;
}

/** Runs the planning; see the module comment. Throws ParamError for params that do not fit the Pipeline. */
export function planPipelineRun(input: PipelineRunPlanInput): PipelineRunPlan {
  const { run, spec, now } = input;
  const name = run.metadata.name!;
  const previous = run.status ?? {};
  const previousCondition = succeededCondition(previous);
  const plan: PipelineRunPlan = {
    create: [],
    cancel: [],
    status: { ...previous },
  };
  const setCondition = (
    condition: Omit<Condition, 'type' | 'lastTransitionTime'>,
  ) => {
    plan.status.conditions = [conditionAt(previousCondition, condition, now)];
  };

  if (run.spec.status === 'PipelineRunPending' && !previous.startTime) {
    setCondition({
      status: 'Unknown',
      reason: 'PipelineRunPending',
      message: `PipelineRun "${name}" is pending`,
    });
    return plan;
  }

  const startTime = previous.startTime ?? now.toISOString();
  plan.status.startTime = startTime;
  plan.status.pipelineSpec = spec;
  const elapsed = now.getTime() - Date.parse(startTime);
  const timeouts = timeoutsOf(run);
  const deadlines: number[] = [];
  const dueIn = (limit: number | undefined, since: number): boolean => {
    if (!limit) return false;
    const left = limit - since;
    if (left > 0) deadlines.push(left);
    return left <= 0;
  };

  const dagTasks = spec.tasks ?? [];
  const finallyTasks = spec.finally ?? [];
  const byTask = new Map<string, TaskRun[]>();
  for (const taskRun of input.taskRuns) {
    const task = taskRun.metadata.labels?.[LABELS.pipelineTask];
    if (task) byTask.set(task, [...(byTask.get(task) ?? []), taskRun]);
  }
  for (const taskRuns of byTask.values())
    taskRuns.sort((a, b) => combinationIndex(a) - combinationIndex(b));
  const states = new Map<string, TaskState>();
  for (const task of [...dagTasks, ...finallyTasks])
    states.set(task.name, stateOf(task, byTask.get(task.name) ?? []));
  const running = (tasks: PipelineTask[]) =>
    tasks.flatMap(t => {
      const state = states.get(t.name)!;
      return state.kind === 'running'
        ? state.taskRuns.filter(tr => outcomeOf(tr) === 'running')
        : [];
    });
  const cancelAll = (taskRuns: TaskRun[], statusMessage: string) => {
    for (const taskRun of taskRuns) {
      if (taskRun.spec.status !== 'TaskRunCancelled')
        plan.cancel.push({ name: taskRun.metadata.name!, statusMessage });
    }
  };
  const finish = (
    status: 'True' | 'False',
    reason: string,
    message: string,
  ) => {
    setCondition({ status, reason, message });
    plan.status.completionTime = previous.completionTime ?? now.toISOString();
  };

  const params = resolveParams(
    spec.params,
    run.spec.params,
    `PipelineRun ${run.metadata.namespace}/${name}`,
  );
  const bound = new Set((run.spec.workspaces ?? []).map(w => w.name));
  const baseReplacements: Replacements = {
    ...params,
    'context.pipelineRun.name': name,
    'context.pipelineRun.namespace': run.metadata.namespace ?? 'default',
    'context.pipelineRun.uid': run.metadata.uid ?? '',
    'context.pipeline.name': input.pipelineName,
  };
  for (const workspace of spec.workspaces ?? [])
    baseReplacements[`workspaces.${workspace.name}.bound`] = String(
      bound.has(workspace.name),
    );

  const allTasks = [...dagTasks, ...finallyTasks];
  const finallyNames = new Set(finallyTasks.map(t => t.name));
  const childReferences = (): ChildReference[] =>
    allTasks.flatMap(task => {
      const state = states.get(task.name)!;
      const taskRuns =
        state.kind === 'running' || state.kind === 'done' ? state.taskRuns : [];
      return taskRuns.map(taskRun => ({
        apiVersion: TEKTON_API_VERSION,
        kind: 'TaskRun',
        name: taskRun.metadata.name!,
        pipelineTaskName: task.name,
        ...(task.displayName ? { displayName: task.displayName } : {}),
        ...(task.when?.length
          ? { whenExpressions: substituteDeep(task.when, baseReplacements) }
          : {}),
      }));
    });
  // Starts a pipeline task: one TaskRun, or one per matrix combination.
  const launch = (
    task: PipelineTask,
    replacements: Replacements,
    memberOf: 'tasks' | 'finally',
    timeoutMs: number,
  ): TaskState => {
    if (!task.matrix) {
      const taskRun = buildTaskRun(
        input,
        task,
        replacements,
        memberOf,
        timeoutMs,
      );
      plan.create.push(taskRun);
      return { kind: 'running', taskRuns: [taskRun] };
    }
    const combinations = matrixCombinations(task.matrix, replacements);
    if (combinations.length === 0)
      return { kind: 'skipped', reason: SKIP_REASONS.emptyMatrix };
    const taskRuns = combinations.map((combination, index) =>
      buildTaskRun(input, task, replacements, memberOf, timeoutMs, {
        index,
        params: combination,
      }),
    );
    plan.create.push(...taskRuns);
    return { kind: 'running', taskRuns };
  };
  // Tekton lists a skipped DAG task's when expressions whatever the reason;
  // a finally task's only when they skipped it.
  const skippedWhen = (task: PipelineTask, state: TaskState) => {
    if (state.kind === 'skipped' && state.whenExpressions)
      return state.whenExpressions;
    if (!task.when?.length || finallyNames.has(task.name)) return undefined;
    return substituteDeep(task.when, baseReplacements);
  };
  const skipped = (): SkippedTask[] =>
    allTasks.flatMap(task => {
      const state = states.get(task.name)!;
      if (state.kind !== 'skipped') return [];
      const whenExpressions = skippedWhen(task, state);
      return [
        {
          name: task.name,
          reason: state.reason,
          ...(whenExpressions ? { whenExpressions } : {}),
        },
      ];
    });
  const publishChildren = () => {
    plan.status.childReferences = childReferences();
    const skippedTasks = skipped();
    if (skippedTasks.length) plan.status.skippedTasks = skippedTasks;
    else delete plan.status.skippedTasks;
  };

  if (run.spec.status === 'Cancelled') {
    cancelAll(running(allTasks), CANCELLED_MESSAGE);
    publishChildren();
    finish('False', 'Cancelled', `PipelineRun "${name}" was cancelled`);
    return plan;
  }
  if (dueIn(timeouts.pipeline, elapsed)) {
    cancelAll(running(allTasks), TIMED_OUT_MESSAGE);
    for (const task of allTasks) {
      if (states.get(task.name)!.kind === 'waiting')
        states.set(task.name, {
          kind: 'skipped',
          reason: SKIP_REASONS.pipelineTimedOut,
        });
    }
    publishChildren();
    finish(
      'False',
      'PipelineRunTimeout',
      `PipelineRun "${name}" failed to finish within "${formatDuration(
        timeouts.pipeline,
      )}"`,
    );
    return plan;
  }

  const gracefullyCancelled = run.spec.status === 'CancelledRunFinally';
  const gracefullyStopped = run.spec.status === 'StoppedRunFinally';
  const tasksTimedOut = dueIn(timeouts.tasks, elapsed);
  const stopping = dagTasks.some(task => {
    const state = states.get(task.name)!;
    return (
      state.kind === 'done' && state.outcome !== 'succeeded' && !state.ignored
    );
  });
  if (gracefullyCancelled) cancelAll(running(dagTasks), CANCELLED_MESSAGE);
  if (tasksTimedOut) cancelAll(running(dagTasks), TIMED_OUT_MESSAGE);

  const dag = buildDag(dagTasks);
  const dagByName = new Map(dagTasks.map(t => [t.name, t]));
  // What is left of a limit (timeouts.tasks, else the pipeline's); 0 is no limit.
  const remainingFor = (limit: number | undefined) => {
    const budget = limit || timeouts.pipeline;
    return budget ? Math.max(1, budget - elapsed) : 0;
  };
  for (const taskName of dag.order) {
    const task = dagByName.get(taskName)!;
    if (states.get(taskName)!.kind !== 'waiting') continue;
    const skip = (reason: string) =>
      states.set(taskName, { kind: 'skipped', reason });
    if (stopping) skip(SKIP_REASONS.stopping);
    else if (gracefullyCancelled) skip(SKIP_REASONS.gracefullyCancelled);
    else if (gracefullyStopped) skip(SKIP_REASONS.gracefullyStopped);
    else if (tasksTimedOut) skip(SKIP_REASONS.tasksTimedOut);
    else {
      const parents = dag.parents.get(taskName)!.map(p => states.get(p)!);
      if (parents.some(p => p.kind === 'waiting' || p.kind === 'running'))
        continue;
      if (
        parents.some(
          p => p.kind === 'skipped' && p.reason !== SKIP_REASONS.when,
        )
      ) {
        skip(SKIP_REASONS.parentSkipped);
        continue;
      }
      const replacements = {
        ...baseReplacements,
        ...resultReplacements(dagTasks, states),
        'context.pipelineTask.retries': String(task.retries ?? 0),
      };
      const when = evaluateWhen(task.when ?? [], replacements);
      const paramsMissing = findReferences(
        substituteDeep(task.params ?? [], replacements),
      ).some(r => parseResultReference(r));
      if (paramsMissing || when.missingResults)
        skip(SKIP_REASONS.missingResults);
      else if (!when.holds)
        states.set(taskName, {
          kind: 'skipped',
          reason: SKIP_REASONS.when,
          whenExpressions: when.resolved,
        });
      else
        states.set(
          taskName,
          launch(task, replacements, 'tasks', remainingFor(timeouts.tasks)),
        );
    }
  }

  const dagStates = dagTasks.map(t => states.get(t.name)!);
  const dagDone = dagStates.every(
    s => s.kind === 'done' || s.kind === 'skipped',
  );
  if (dagDone && finallyTasks.length > 0) {
    const finallyStart = previous.finallyStartTime ?? now.toISOString();
    plan.status.finallyStartTime = finallyStart;
    const finallyTimedOut = dueIn(
      timeouts.finally,
      now.getTime() - Date.parse(finallyStart),
    );
    if (finallyTimedOut) cancelAll(running(finallyTasks), TIMED_OUT_MESSAGE);
    const replacements: Replacements = {
      ...baseReplacements,
      ...resultReplacements(dagTasks, states),
      'tasks.status': aggregateStatus(dagStates),
    };
    for (const task of dagTasks) {
      const state = states.get(task.name)!;
      replacements[`tasks.${task.name}.status`] = pipelineTaskStatus(state);
      // As Tekton's getReason: a failed TaskRun's (of a matrix), else the first's.
      const reasonRun =
        state.kind === 'done'
          ? state.taskRuns.find(
              tr => succeededCondition(tr.status)?.status !== 'True',
            ) ?? state.taskRuns[0]
          : undefined;
      replacements[`tasks.${task.name}.reason`] =
        succeededCondition(reasonRun?.status)?.reason ?? '';
    }
    const finallyElapsed = now.getTime() - Date.parse(finallyStart);
    for (const task of finallyTasks) {
      if (states.get(task.name)!.kind !== 'waiting') continue;
      if (finallyTimedOut) {
        states.set(task.name, {
          kind: 'skipped',
          reason: SKIP_REASONS.finallyTimedOut,
        });
        continue;
      }
      const taskReplacements = {
        ...replacements,
        'context.pipelineTask.retries': String(task.retries ?? 0),
      };
      const when = evaluateWhen(task.when ?? [], taskReplacements);
      const paramsMissing = findReferences(
        substituteDeep(task.params ?? [], taskReplacements),
      ).some(r => parseResultReference(r));
      if (paramsMissing || when.missingResults)
        states.set(task.name, {
          kind: 'skipped',
          reason: SKIP_REASONS.missingResults,
        });
      else if (!when.holds)
        states.set(task.name, {
          kind: 'skipped',
          reason: SKIP_REASONS.when,
          whenExpressions: when.resolved,
        });
      else {
        const remaining = timeouts.finally
          ? Math.max(1, timeouts.finally - finallyElapsed)
          : remainingFor(undefined);
        states.set(
          task.name,
          launch(task, taskReplacements, 'finally', remaining),
        );
      }
    }
  }

  publishChildren();
  const everyState = allTasks.map(t => states.get(t.name)!);
  const allDone = everyState.every(
    s => s.kind === 'done' || s.kind === 'skipped',
  );
  const counts = countTasks(everyState);
  if (!allDone) {
    const finallyDone = finallyTasks.every(t =>
      ['done', 'skipped'].includes(states.get(t.name)!.kind),
    );
    let reason = 'Running';
    if (gracefullyCancelled) reason = 'CancelledRunningFinally';
    else if (gracefullyStopped) reason = 'StoppedRunningFinally';
    else if (counts.cancelled > 0 || (counts.failed > 0 && finallyDone))
      reason = 'PipelineRunStopping';
    setCondition({
      status: 'Unknown',
      reason,
      message: tasksMessage(counts, true),
    });
    if (deadlines.length) plan.requeueAfterMs = Math.min(...deadlines);
    return plan;
  }

  const results = pipelineResults(spec, resultReplacements(allTasks, states));
  if (results.length) plan.status.results = results;
  const message = tasksMessage(counts, false);
  if (tasksTimedOut)
    finish(
      'False',
      'PipelineRunTimeout',
      `PipelineRun "${name}" failed due to tasks failed to finish within "${formatDuration(
        timeouts.tasks!,
      )}"`,
    );
  else if (counts.failed > 0 || counts.skippedForTimeout > 0)
    finish('False', 'Failed', message);
  else if (gracefullyCancelled || gracefullyStopped)
    finish('False', 'Cancelled', `PipelineRun "${name}" was cancelled`);
  else if (counts.cancelled > 0) finish('False', 'Cancelled', message);
  else if (counts.skipped > 0) finish('True', 'Completed', message);
  else finish('True', 'Succeeded', message);
  return plan;
}

/** The Pipeline's results from its tasks' results (`finally.<task>` for finally tasks'); a result whose references cannot be resolved is left out. */
export function pipelineResults(
  spec: PipelineSpec,
  replacements: Replacements,
): RunResult[] {
  const results: RunResult[] = [];
  const all = { ...replacements };
  for (const task of spec.finally ?? []) {
    const prefix = `tasks.${task.name}.results.`;
    for (const [key, value] of Object.entries(replacements))
      if (key.startsWith(prefix))
        all[`finally.${key.slice('tasks.'.length)}`] = value;
  }
  for (const result of spec.results ?? []) {
    const value = substituteParamValue(result.value, all);
    if (findReferences(value).some(r => parseResultReference(r))) continue;
    results.push({ name: result.name, value });
  }
  return results;
}
