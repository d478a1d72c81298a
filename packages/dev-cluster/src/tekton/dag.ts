import { findReferences, parseResultReference } from './substitution';
import type { PipelineTask } from './types';

/*
 * The DAG of a Pipeline's tasks (pkg/reconciler/pipeline/dag): edges from
 * `runAfter` and from result references `$(tasks.<t>.results.<r>)` in params
 * and when expressions.
 */

/** The tasks whose results a pipeline task references, in the order referenced. */
export function resultReferencedTasks(task: PipelineTask): string[] {
  const references = findReferences([
    task.params ?? [],
    task.when ?? [],
    task.matrix ?? {},
  ]);
  const tasks: string[] = [];
  for (const reference of references) {
    const parsed = parseResultReference(reference);
    if (parsed && !tasks.includes(parsed.task)) tasks.push(parsed.task);
  }
  return tasks;
}

/** A task's parents: runAfter plus the tasks whose results it uses. */
export function taskDependencies(task: PipelineTask): string[] {
  const dependencies = [...(task.runAfter ?? [])];
  for (const name of resultReferencedTasks(task)) {
    if (!dependencies.includes(name)) dependencies.push(name);
  }
  return dependencies;
}

export interface Dag {
  /** Task names in a topological order (parents first, then by position in the spec). */
  order: string[];
  parents: Map<string, string[]>;
}

/**
 * Builds the graph as Tekton's dag.Build does, failing with its messages:
 * duplicate tasks, links to tasks not in the Pipeline, and cycles.
 */
export function buildDag(tasks: PipelineTask[]): Dag {
  const parents = new Map<string, string[]>();
  for (const task of tasks) {
    if (parents.has(task.name))
      throw new Error(`task ${task.name} is already present in Graph`);
    parents.set(task.name, []);
  }
  for (const task of tasks) {
    for (const parent of taskDependencies(task)) {
      if (!parents.has(parent)) {
        throw new Error(
          `task ${task.name} depends on ${parent} but ${parent} wasn't present in Pipeline`,
        );
      }
      if (parent === task.name)
        throw new Error(
          `cycle detected; task "${task.name}" depends on "${task.name}"`,
        );
      parents.get(task.name)!.push(parent);
    }
  }
  // Kahn's algorithm: what is left when no task is free any more is on a cycle.
  const order: string[] = [];
  const remaining = new Map(
    [...parents].map(([name, ps]) => [name, new Set(ps)]),
  );
  while (remaining.size > 0) {
    const free = [...remaining]
      .filter(([, ps]) => ps.size === 0)
      .map(([n]) => n);
    if (free.length === 0) {
      const [name, ps] = [...remaining].find(([, p]) => p.size > 0)!;
      throw new Error(
        `cycle detected; task "${name}" depends on "${[...ps][0]}"`,
      );
    }
    for (const name of free) {
      order.push(name);
      remaining.delete(name);
      for (const ps of remaining.values()) ps.delete(name);
    }
  }
  return { order, parents };
}
