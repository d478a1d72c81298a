import { getParamType } from '../params';
import { ParamSpec, Pipeline, PipelineTask, Task, TaskSpec } from '../types';
import { findPipelineTaskDependencies } from './references';

/**
 * A variable a value may use, e.g. `$(params.revision)`.
 * @public
 */
export interface Completion {
  label: string;
  detail?: string;
  type: 'param' | 'result' | 'workspace' | 'context';
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Variables for a param or result of each type: `x`, `x[*]`, `x.key`. */
function variants(
  base: string,
  spec: {
    type?: string;
    properties?: Record<string, unknown>;
    default?: unknown;
  },
  type: string,
): string[] {
  if (type === 'array') return [`$(${base}[*])`];
  if (type === 'object') {
    const keys = Object.keys(
      spec.properties ?? (isObject(spec.default) ? spec.default : {}),
    );
    return keys.length
      ? keys.map(key => `$(${base}.${key})`)
      : [`$(${base}[*])`];
  }
  return [`$(${base})`];
}

function resultsOf(task: PipelineTask, tasks: Task[] | undefined) {
  let spec: TaskSpec | undefined = isObject(task.taskSpec)
    ? task.taskSpec
    : undefined;
  if (
    !spec &&
    tasks &&
    isObject(task.taskRef) &&
    task.taskRef.name &&
    !task.taskRef.resolver
  ) {
    spec = tasks.find(t => t.metadata?.name === task.taskRef!.name)?.spec;
  }
  return list<{
    name: string;
    type?: string;
    description?: string;
    properties?: Record<string, unknown>;
  }>(spec?.results);
}

/** Tasks that run after `name`, directly or not: their results are not available to it. */
function downstreamOf(tasks: PipelineTask[], name: string): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const task of tasks) {
    for (const dep of findPipelineTaskDependencies(task)) {
      dependents.set(dep, [...(dependents.get(dep) ?? []), task.name]);
    }
  }
  const seen = new Set<string>();
  const visit = (task: string) => {
    for (const next of dependents.get(task) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        visit(next);
      }
    }
  };
  visit(name);
  return seen;
}

/**
 * The variables a value in the pipeline may use: in a task (`where.task`),
 * the pipeline's params, the results of tasks that are not downstream of
 * it (so using one cannot make a cycle), its workspaces, the run's
 * context, and in a finally task the execution status of tasks; without a
 * task (pipeline results), every task's results. With the namespace's
 * Tasks, referenced Tasks' results are known too. Inside an inline
 * taskSpec (`where.taskSpec`), its params, results, workspaces and the
 * TaskRun's context instead.
 * @public
 */
export function completionsFor(
  pipeline: Pipeline,
  where: {
    task?: string;
    /** True for a value inside the task's inline taskSpec (steps, sidecars). */
    taskSpec?: boolean;
  },
  context: { tasks?: Task[] } = {},
): Completion[] {
  const spec = pipeline.spec ?? {};
  const tasks = list<PipelineTask>(spec.tasks).filter(
    isObject,
  ) as PipelineTask[];
  const finals = list<PipelineTask>(spec.finally).filter(
    isObject,
  ) as PipelineTask[];
  const completions: Completion[] = [];
  const add = (completion: Completion) => {
    if (!completions.some(c => c.label === completion.label))
      completions.push(completion);
  };

  const current = where.task
    ? [...tasks, ...finals].find(t => t.name === where.task)
    : undefined;
  const inline =
    where.taskSpec && isObject(current?.taskSpec)
      ? (current!.taskSpec as TaskSpec)
      : undefined;

  // An inline task's own params first; the pipeline's reach it too.
  for (const param of [
    ...list<ParamSpec>(inline?.params),
    ...list<ParamSpec>(spec.params),
  ]) {
    if (!isObject(param) || !param.name) continue;
    const type = getParamType(param);
    for (const label of variants(`params.${param.name}`, param, type)) {
      add({
        label,
        type: 'param',
        detail: param.description ?? `${type} param`,
      });
    }
  }
  if (inline) {
    addTaskSpecVariables(inline, add);
    addPipelineRunContext(add);
    return completions;
  }

  const isFinal = current ? finals.includes(current) : false;
  let producers: PipelineTask[];
  if (!where.task) producers = [...tasks, ...finals];
  else if (isFinal) producers = tasks;
  else {
    const downstream = downstreamOf(tasks, where.task);
    producers = tasks.filter(
      t => t.name !== where.task && !downstream.has(t.name),
    );
  }
  for (const producer of producers) {
    // A matrixed task's results are arrays of what each run gave.
    const matrixed = isObject(producer.matrix);
    if (matrixed) {
      add({
        label: `$(tasks.${producer.name}.matrix.length)`,
        type: 'result',
        detail: `how many runs ${producer.name} fans out to`,
      });
    }
    for (const result of resultsOf(producer, context.tasks)) {
      if (!isObject(result) || !result.name) continue;
      const type = matrixed ? 'array' : result.type ?? 'string';
      for (const label of variants(
        `tasks.${producer.name}.results.${result.name}`,
        result,
        type,
      )) {
        add({
          label,
          type: 'result',
          detail: result.description ?? `result of ${producer.name}`,
        });
      }
    }
  }

  if (current) {
    for (const binding of list<{ name: string; workspace?: string }>(
      current.workspaces,
    )) {
      if (!isObject(binding) || !binding.name) continue;
      const bound = `bound to pipeline workspace ${
        binding.workspace ?? binding.name
      }`;
      add({
        label: `$(workspaces.${binding.name}.path)`,
        type: 'workspace',
        detail: `path of workspace ${binding.name}, ${bound}`,
      });
      add({
        label: `$(workspaces.${binding.name}.bound)`,
        type: 'workspace',
        detail: `"true" when workspace ${binding.name} is bound`,
      });
    }
  }
  for (const workspace of list<{ name: string; description?: string }>(
    spec.workspaces,
  )) {
    if (!isObject(workspace) || !workspace.name) continue;
    add({
      label: `$(workspaces.${workspace.name}.bound)`,
      type: 'workspace',
      detail:
        workspace.description ??
        `"true" when pipeline workspace ${workspace.name} is bound`,
    });
  }

  addPipelineRunContext(add);
  if (current) {
    add({
      label: '$(context.pipelineTask.retries)',
      type: 'context',
      detail: 'retries of this task',
    });
  }
  if (isFinal) {
    add({
      label: '$(tasks.status)',
      type: 'context',
      detail: 'Succeeded, Failed, Completed or None: the status of all tasks',
    });
    for (const task of tasks) {
      add({
        label: `$(tasks.${task.name}.status)`,
        type: 'context',
        detail: `Succeeded, Failed or None: how ${task.name} ended`,
      });
      add({
        label: `$(tasks.${task.name}.reason)`,
        type: 'context',
        detail: `the reason ${task.name} ended with`,
      });
    }
  }
  return completions;
}

type Add = (completion: Completion) => void;

function addPipelineRunContext(add: Add) {
  add({
    label: '$(context.pipelineRun.name)',
    type: 'context',
    detail: 'name of the PipelineRun',
  });
  add({
    label: '$(context.pipelineRun.namespace)',
    type: 'context',
    detail: 'namespace of the PipelineRun',
  });
  add({
    label: '$(context.pipelineRun.uid)',
    type: 'context',
    detail: 'uid of the PipelineRun',
  });
  add({
    label: '$(context.pipeline.name)',
    type: 'context',
    detail: 'name of the Pipeline',
  });
}

/** What the steps of an inline task may use: its results, workspaces and TaskRun context. */
function addTaskSpecVariables(spec: TaskSpec, add: Add) {
  for (const result of list<{ name: string; description?: string }>(
    spec.results,
  )) {
    if (!isObject(result) || !result.name) continue;
    add({
      label: `$(results.${result.name}.path)`,
      type: 'result',
      detail: result.description ?? `file to write result ${result.name} to`,
    });
  }
  for (const workspace of list<{ name: string; description?: string }>(
    spec.workspaces,
  )) {
    if (!isObject(workspace) || !workspace.name) continue;
    add({
      label: `$(workspaces.${workspace.name}.path)`,
      type: 'workspace',
      detail: workspace.description ?? `path of workspace ${workspace.name}`,
    });
    add({
      label: `$(workspaces.${workspace.name}.bound)`,
      type: 'workspace',
      detail: `"true" when workspace ${workspace.name} is bound`,
    });
  }
  add({
    label: '$(context.taskRun.name)',
    type: 'context',
    detail: 'name of the TaskRun',
  });
  add({
    label: '$(context.taskRun.namespace)',
    type: 'context',
    detail: 'namespace of the TaskRun',
  });
  add({
    label: '$(context.taskRun.uid)',
    type: 'context',
    detail: 'uid of the TaskRun',
  });
  add({
    label: '$(context.task.name)',
    type: 'context',
    detail: 'name of the Task',
  });
  add({
    label: '$(context.task.retry-count)',
    type: 'context',
    detail: 'how often this TaskRun was retried',
  });
}
