import { isMap, isScalar, isSeq, LineCounter, Node as YamlNode } from 'yaml';
import { ValidationProblem } from './problems';
import { parseYamlDocument } from './yamlText';

/** `spec.tasks[1].name` → `['spec', 'tasks', 1, 'name']`. */
function pathSegments(path: string): Array<string | number> {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(m =>
    m[2] !== undefined ? Number(m[2]) : m[1],
  );
}

/**
 * Gives each problem the line and column of the field its path names in the
 * YAML text (or of the nearest enclosing field that exists), so that the
 * YAML view can mark it. Problems that already have a position keep it.
 * @public
 */
export function locateProblems(
  text: string,
  problems: ValidationProblem[],
): ValidationProblem[] {
  const lines = new LineCounter();
  const doc = parseYamlDocument(text, lines);
  if (doc.errors.length) return problems;
  return problems.map(problem => {
    if (problem.line !== undefined) return problem;
    let offset = (doc.contents as YamlNode | null)?.range?.[0];
    let node: unknown = doc.contents;
    for (const segment of pathSegments(problem.path)) {
      if (isMap(node)) {
        const pair = node.items.find(
          p => isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) break;
        offset = (pair.key as YamlNode).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as YamlNode | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    if (offset === undefined) return problem;
    const position = lines.linePos(offset);
    return { ...problem, line: position.line, column: position.col };
  });
}

/** Where a value in the YAML text is, as `completionsFor` takes it. */
export interface CompletionScope {
  task?: string;
  /** True inside the task's inline taskSpec (steps, sidecars). */
  taskSpec?: boolean;
}

function pairValue(map: unknown, key: string): unknown {
  if (!isMap(map)) return undefined;
  return map.items.find(p => isScalar(p.key) && p.key.value === key)?.value;
}

/**
 * The PipelineTask whose entry holds `offset` in the YAML text, and whether
 * it is inside that task's inline `taskSpec`, so that completion there
 * offers what that place may use; `{}` outside any task. Text that does not
 * fully parse still gives the tasks it has.
 * @public
 */
export function locateCompletionScope(
  text: string,
  offset: number,
): CompletionScope {
  const doc = parseYamlDocument(text);
  // A node's range ends after its line break; at the very end of the text the caret is still in it.
  const holds = (node: unknown) => {
    const range = (node as YamlNode | null)?.range;
    return (
      !!range &&
      range[0] <= offset &&
      (offset < range[2] || (offset === range[2] && offset === text.length))
    );
  };
  const spec = pairValue(doc.contents, 'spec');
  for (const list of [pairValue(spec, 'tasks'), pairValue(spec, 'finally')]) {
    if (!isSeq(list)) continue;
    const task = list.items.find(holds);
    if (!task) continue;
    const name = pairValue(task, 'name');
    return {
      task: isScalar(name) && name.value ? String(name.value) : undefined,
      taskSpec: holds(pairValue(task, 'taskSpec')),
    };
  }
  return {};
}
