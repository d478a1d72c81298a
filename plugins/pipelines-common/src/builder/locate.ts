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
