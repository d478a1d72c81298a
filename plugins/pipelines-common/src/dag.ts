import { dns1123LabelErrors } from '@cairn/plugin-kubernetes-common';
import {
  getPipelineTaskStates,
  getTaskDuration,
  PipelineTaskRunState,
  RunLike,
} from './status';
import { PipelineRun, PipelineSpec, PipelineTask } from './types';

/**
 * A PipelineTask as a node of the graph. `level` is the length of the longest
 * dependency path leading to it, the column of a left-to-right layout;
 * finally tasks share the column after the last DAG task.
 * @public
 */
export interface PipelineGraphNode {
  name: string;
  displayName?: string;
  lane: 'tasks' | 'finally';
  level: number;
  task: PipelineTask;
}

/**
 * An ordering between two tasks, one per pair: `runAfter` when declared so,
 * else `result` when only implied by result references. `results` names the
 * results that flow along it either way.
 * @public
 */
export interface PipelineGraphEdge {
  from: string;
  to: string;
  kind: 'runAfter' | 'result';
  results?: string[];
}

/**
 * A problem with a Pipeline, worded as Tekton's admission webhook or DAG
 * builder words it, and the field it is about.
 * @public
 */
export interface PipelineValidationIssue {
  path: string;
  message: string;
}

/** The graph of a Pipeline, layout-library agnostic. @public */
export interface PipelineGraph {
  nodes: PipelineGraphNode[];
  edges: PipelineGraphEdge[];
  issues: PipelineValidationIssue[];
}

/** A `$(tasks.<task>.results.<result>…)` found in a PipelineTask. @public */
export interface ResultReference {
  task: string;
  result: string;
}

// `$(tasks.t.results.r)`, `…r[0]`, `…r[*]`, `…r.key`, `$(tasks.t.results["r"])`.
const RESULT_REFERENCE =
  /\$\(tasks\.([^.()\s]+)\.results(?:\.([^.()[\]\s]+)|\[["']([^"']+)["']\])/g;

function collectStrings(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') {
    into.push(value);
  } else if (Array.isArray(value)) {
    value.forEach(v => collectStrings(v, into));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach(v => collectStrings(v, into));
  }
  return into;
}

/**
 * The task results a PipelineTask consumes: each one orders it after the
 * producer. Like Tekton (`PipelineTaskResultRefs`), only params, matrix
 * params and `when` expressions count; Tekton does not substitute task
 * results inside an embedded taskSpec, so a reference there orders nothing.
 * @public
 */
export function findResultReferences(task: PipelineTask): ResultReference[] {
  const strings = collectStrings([task.params, task.matrix, task.when], []);
  const found = new Map<string, ResultReference>();
  for (const text of strings) {
    for (const match of text.matchAll(RESULT_REFERENCE)) {
      const reference = { task: match[1], result: match[2] ?? match[3] };
      found.set(`${reference.task}.${reference.result}`, reference);
    }
  }
  return [...found.values()];
}

function unknownDependency(task: string, dependency: string): string {
  return (
    `invalid value: couldn't add link between ${task} and ${dependency}: ` +
    `task ${task} depends on ${dependency} but ${dependency} wasn't present in Pipeline`
  );
}

/**
 * Tekton's cycle check (Kahn's algorithm) and its message: the
 * alphabetically first task left over and its unresolved dependencies.
 */
function findCycle(deps: Map<string, Set<string>>): string | undefined {
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [task, taskDeps] of deps) {
    let count = 0;
    for (const dep of taskDeps) {
      if (!deps.has(dep)) continue;
      count++;
      dependents.set(dep, [...(dependents.get(dep) ?? []), task]);
    }
    waitingOn.set(task, count);
  }
  const ready = [...waitingOn].filter(([, n]) => n === 0).map(([t]) => t);
  while (ready.length) {
    const task = ready.pop()!;
    waitingOn.delete(task);
    for (const dependent of dependents.get(task) ?? []) {
      const left = waitingOn.get(dependent)! - 1;
      waitingOn.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  if (waitingOn.size === 0) {
    return undefined;
  }
  const first = [...waitingOn.keys()].sort()[0];
  const on = [...deps.get(first)!]
    .filter(d => waitingOn.has(d))
    .sort()
    .map(d => `"${d}"`)
    .join(', ');
  return `invalid value: cycle detected; task "${first}" depends on ${on}`;
}

/**
 * Longest-path depth of each task; a task in a cycle counts its edge into
 * the cycle as absent. A depth-first walk with its own stack, so that a
 * chain of thousands of tasks does not exhaust the call stack.
 */
function computeLevels(deps: Map<string, Set<string>>): Map<string, number> {
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  type Frame = { task: string; deps: Iterator<string>; level: number };
  const enter = (task: string): Frame => {
    visiting.add(task);
    return { task, deps: deps.get(task)!.values(), level: 0 };
  };
  for (const root of deps.keys()) {
    if (levels.has(root)) continue;
    const stack = [enter(root)];
    while (stack.length) {
      const frame = stack[stack.length - 1];
      const next = frame.deps.next();
      if (next.done) {
        stack.pop();
        visiting.delete(frame.task);
        levels.set(frame.task, frame.level);
        const parent = stack[stack.length - 1];
        if (parent) parent.level = Math.max(parent.level, frame.level + 1);
        continue;
      }
      const dep = next.value;
      if (!deps.has(dep) || visiting.has(dep)) continue;
      const known = levels.get(dep);
      if (known === undefined) stack.push(enter(dep));
      else frame.level = Math.max(frame.level, known + 1);
    }
  }
  return levels;
}

/**
 * Builds the graph of a Pipeline: a node per task (finally tasks in their
 * own lane), an edge per `runAfter` entry and per task whose results are
 * consumed, and the problems Tekton would reject the Pipeline for.
 * @public
 */
export function buildPipelineGraph(spec: PipelineSpec): PipelineGraph {
  const tasks = spec.tasks ?? [];
  const finallyTasks = spec.finally ?? [];
  const issues: PipelineValidationIssue[] = [];

  if (tasks.length === 0) {
    issues.push(
      finallyTasks.length > 0
        ? {
            path: 'finally',
            message: `invalid value: spec.tasks is empty but spec.finally has ${finallyTasks.length} tasks`,
          }
        : { path: 'tasks', message: 'missing field(s)' },
    );
  }

  const seen = new Set<string>();
  const lanes: Array<['tasks' | 'finally', PipelineTask[]]> = [
    ['tasks', tasks],
    ['finally', finallyTasks],
  ];
  for (const [lane, laneTasks] of lanes) {
    laneTasks.forEach((task, i) => {
      // Names come from editors too, so a missing one is reported, not thrown on.
      const name = task.name ?? '';
      if (dns1123LabelErrors(name).length) {
        issues.push({
          path: `${lane}[${i}].name`,
          message: `invalid value "${name}": Pipeline Task name must be a valid DNS Label`,
        });
      }
      if (seen.has(task.name)) {
        issues.push({
          path: `${lane}[${i}].name`,
          message: `task ${task.name} is already present in Graph, can't add it again: duplicate pipeline task`,
        });
      }
      seen.add(task.name);
    });
  }

  const dagNames = new Set(tasks.map(t => t.name));
  const finallyNames = new Set(finallyTasks.map(t => t.name));
  const edges = new Map<string, PipelineGraphEdge>();
  const addEdge = (from: string, to: string, result?: string) => {
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key) ?? {
      from,
      to,
      kind: result ? 'result' : 'runAfter',
    };
    if (!result) {
      edge.kind = 'runAfter';
    } else if (!edge.results?.includes(result)) {
      edge.results = [...(edge.results ?? []), result];
    }
    edges.set(key, edge);
  };

  const deps = new Map<string, Set<string>>();
  tasks.forEach((task, i) => {
    const taskDeps = deps.get(task.name) ?? new Set<string>();
    deps.set(task.name, taskDeps);
    (task.runAfter ?? []).forEach((dep, j) => {
      taskDeps.add(dep);
      if (dagNames.has(dep)) {
        addEdge(dep, task.name);
      } else {
        issues.push({
          path: `tasks[${i}].runAfter[${j}]`,
          message: unknownDependency(task.name, dep),
        });
      }
    });
    for (const ref of findResultReferences(task)) {
      if (dagNames.has(ref.task)) {
        addEdge(ref.task, task.name, ref.result);
      } else if (!taskDeps.has(ref.task)) {
        issues.push({
          path: `tasks[${i}]`,
          message: unknownDependency(task.name, ref.task),
        });
      }
      taskDeps.add(ref.task);
    }
  });

  finallyTasks.forEach((task, i) => {
    if (task.runAfter?.length) {
      issues.push({
        path: `finally[${i}]`,
        message: `invalid value: no runAfter allowed under spec.finally, final task ${task.name} has runAfter specified`,
      });
    }
    for (const ref of findResultReferences(task)) {
      if (dagNames.has(ref.task)) {
        addEdge(ref.task, task.name, ref.result);
      } else if (finallyNames.has(ref.task)) {
        issues.push({
          path: `finally[${i}]`,
          message: `invalid task result reference, final task has task result reference from a final task ${ref.task}`,
        });
      } else {
        issues.push({
          path: `finally[${i}]`,
          message: `invalid task result reference, final task has task result reference from a task ${ref.task} which is not defined in the pipeline`,
        });
      }
    }
  });

  const cycle = findCycle(deps);
  if (cycle) {
    issues.push({ path: 'tasks', message: cycle });
  }

  const levels = computeLevels(deps);
  const finallyLevel = tasks.length
    ? Math.max(...tasks.map(t => levels.get(t.name) ?? 0)) + 1
    : 0;
  const toNode =
    (lane: 'tasks' | 'finally') =>
    (task: PipelineTask): PipelineGraphNode => ({
      name: task.name,
      displayName: task.displayName,
      lane,
      level: lane === 'finally' ? finallyLevel : levels.get(task.name) ?? 0,
      task,
    });

  return {
    nodes: [
      ...tasks.map(toNode('tasks')),
      ...finallyTasks.map(toNode('finally')),
    ],
    edges: [...edges.values()],
    issues,
  };
}

/**
 * The problems Tekton would reject this Pipeline for; empty when valid.
 * @public
 */
export function validatePipelineSpec(
  spec: PipelineSpec,
): PipelineValidationIssue[] {
  return buildPipelineGraph(spec).issues;
}

/**
 * A graph node's state in a run: status, duration and retries of its
 * TaskRuns, or why it was skipped.
 * @public
 */
export interface PipelineGraphNodeRunState<TRun extends RunLike = RunLike>
  extends PipelineTaskRunState<TRun> {
  startTime?: string;
  /** Milliseconds, from the first TaskRun's start to the last one's end (or now). */
  duration?: number;
  /** Retries used so far (the most of any of its TaskRuns). */
  retries: number;
}

/**
 * Overlays a PipelineRun's state on the graph of its pipeline: one entry per
 * node name. Build the graph from `run.status.pipelineSpec`, the spec the
 * run actually executes.
 * @public
 */
export function overlayRunStatus<TRun extends RunLike>(
  graph: PipelineGraph,
  run: PipelineRun,
  childRuns: readonly TRun[],
  now: Date = new Date(),
): Record<string, PipelineGraphNodeRunState<TRun>> {
  const states = new Map(
    getPipelineTaskStates(run, childRuns).map(s => [s.name, s]),
  );
  const overlay: Record<string, PipelineGraphNodeRunState<TRun>> = {};
  for (const node of graph.nodes) {
    const state: PipelineTaskRunState<TRun> = states.get(node.name) ?? {
      name: node.name,
      lane: node.lane,
      runs: [],
      status: { status: 'pending', label: 'Pending' },
    };
    const starts = state.runs
      .map(r => r.status?.startTime)
      .filter((t): t is string => Boolean(t))
      .sort();
    overlay[node.name] = {
      ...state,
      startTime: starts[0],
      duration: getTaskDuration(state.runs, now),
      retries: Math.max(
        0,
        ...state.runs.map(r => {
          const retriesStatus = r.status?.retriesStatus;
          return Array.isArray(retriesStatus) ? retriesStatus.length : 0;
        }),
      ),
    };
  }
  return overlay;
}
