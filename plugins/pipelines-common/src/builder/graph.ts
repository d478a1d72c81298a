import { buildPipelineGraph } from '../dag';
import { Pipeline, PipelineTask } from '../types';
import { ValidationProblem } from './problems';

/**
 * The builder's graph of a Pipeline: a node per task (finally tasks
 * flagged), an edge per `runAfter` entry or consumed result, and the number
 * of errors (which block saving) and warnings on each node.
 * @public
 */
export interface BuilderGraph {
  nodes: Array<{
    name: string;
    displayName?: string;
    finally: boolean;
    /** The Task it runs: its name, or for a resolver reference the resolver and the name it asks for. */
    taskRef?: string;
    inline: boolean;
    errors: number;
    warnings: number;
  }>;
  edges: Array<{ from: string; to: string; kind: 'runAfter' | 'result' }>;
}

function describeTaskRef(task: PipelineTask): string | undefined {
  const ref = task.taskRef;
  if (!ref || typeof ref !== 'object') return undefined;
  if (!ref.resolver) return ref.name;
  const name = (Array.isArray(ref.params) ? ref.params : []).find(
    p => p?.name === 'name' || p?.name === 'pathInRepo',
  )?.value;
  return typeof name === 'string' ? `${ref.resolver}: ${name}` : ref.resolver;
}

/**
 * The graph the builder draws, from the same DAG model as a run's graph.
 * @public
 */
export function builderGraph(
  pipeline: Pipeline,
  problems: ValidationProblem[] = [],
): BuilderGraph {
  const spec = pipeline.spec ?? {};
  const onlyTasks = (value: unknown) =>
    (Array.isArray(value) ? value : []).filter(
      (t): t is PipelineTask =>
        typeof t === 'object' && t !== null && !Array.isArray(t),
    );
  const graph = buildPipelineGraph({
    tasks: onlyTasks(spec.tasks),
    finally: onlyTasks(spec.finally),
  });
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const problem of problems) {
    if (problem.task === undefined) continue;
    const count = counts.get(problem.task) ?? { errors: 0, warnings: 0 };
    if (problem.severity === 'error') count.errors++;
    else count.warnings++;
    counts.set(problem.task, count);
  }
  return {
    nodes: graph.nodes.map(node => ({
      name: node.name,
      ...(node.displayName !== undefined
        ? { displayName: node.displayName }
        : {}),
      finally: node.lane === 'finally',
      ...(describeTaskRef(node.task) !== undefined
        ? { taskRef: describeTaskRef(node.task) }
        : {}),
      inline: Boolean(node.task.taskSpec),
      ...(counts.get(node.name) ?? { errors: 0, warnings: 0 }),
    })),
    edges: graph.edges.map(({ from, to, kind }) => ({ from, to, kind })),
  };
}
