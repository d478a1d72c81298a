import { findResultReferences } from '../dag';
import { PipelineTask } from '../types';

/** A `$(…)` variable found in a value, and the path of the string it is in. */
export interface VariableUse {
  /** The text between `$(` and `)`, e.g. `params.revision`. */
  expression: string;
  /** Path of the string, relative to where the search started (`params[0].value`). */
  path: string;
}

const VARIABLE = /\$\(([^()$]+)\)/g;

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Every `$(…)` variable used in the strings of `value`. */
export function findVariables(value: unknown, path = ''): VariableUse[] {
  const found: VariableUse[] = [];
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      for (const match of v.matchAll(VARIABLE)) {
        found.push({ expression: match[1].trim(), path: at });
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, join(at, i)));
    } else if (v && typeof v === 'object') {
      Object.entries(v).forEach(([k, item]) => walk(item, join(at, k)));
    }
  };
  walk(value, path);
  return found;
}

/** `params.p`, `params['p']`, `params["p"]`, with an optional `[*]`, `[0]` or `.key` after it. */
export function parseParamReference(
  expression: string,
): { param: string; key?: string } | undefined {
  const match =
    /^params(?:\.([^.[\]'"]+)|\[\s*['"]([^'"]+)['"]\s*\])(?:\.([^.[\]]+))?(?:\[(?:\d+|\*)\])?$/.exec(
      expression,
    );
  if (!match) return undefined;
  return { param: match[1] ?? match[2], key: match[3] };
}

/** `tasks.t.results.r` with `[*]`, `[0]`, `.key` or `["r"]`. */
export function parseResultReference(
  expression: string,
): { task: string; result: string } | undefined {
  const match =
    /^tasks\.([^.()\s]+)\.results(?:\.([^.()[\]\s]+)|\[\s*['"]([^'"]+)['"]\s*\])/.exec(
      expression,
    );
  return match ? { task: match[1], result: match[2] ?? match[3] } : undefined;
}

/** `tasks.status`, `tasks.t.status`, `tasks.t.reason`: only finally tasks may read them. */
export function isExecutionStatusReference(expression: string): boolean {
  return /^tasks\.(status|[^.]+\.(status|reason))$/.test(expression);
}

/**
 * The tasks a PipelineTask runs after: its `runAfter` and the tasks whose
 * results it consumes (as Tekton counts them: in params, matrix and when).
 */
export function findPipelineTaskDependencies(
  task: PipelineTask,
  opts: { runAfter?: boolean } = {},
): Set<string> {
  const deps = new Set<string>();
  if (opts.runAfter !== false && Array.isArray(task.runAfter)) {
    task.runAfter.forEach(dep => deps.add(dep));
  }
  findResultReferences(task).forEach(ref => deps.add(ref.task));
  return deps;
}
