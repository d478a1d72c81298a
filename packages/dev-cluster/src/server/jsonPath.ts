/*
 * The subset of Kubernetes JSONPath that CRD additionalPrinterColumns use:
 * `.a.b`, `['a.b']`, `[n]`, `[*]` and `[?(@.x=="y")]` filters.
 */

type Step =
  | { field: string }
  | { index: number }
  | { all: true }
  | { filter: { path: string[]; value?: string } };

export function parseJsonPath(expression: string): Step[] {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  if (text.startsWith('$')) text = text.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      if (j > i) steps.push({ field: text.slice(i, j) });
      i = j;
    } else if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ in ${expression}`);
      const inner = text.slice(i + 1, end).trim();
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner))
        steps.push({ field: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const match = /^@((?:\.[\w-]+)+)\s*(?:==\s*(['"])(.*)\2)?$/.exec(
          inner.slice(2, -1).trim(),
        );
        if (!match) throw new Error(`unsupported filter ${inner}`);
        steps.push({
          filter: { path: match[1].slice(1).split('.'), value: match[3] },
        });
      } else throw new Error(`unsupported subscript ${inner}`);
      i = end + 1;
    } else {
      throw new Error(`unexpected ${c} in ${expression}`);
    }
  }
  return steps;
}

function lookup(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every value the path selects (empty when nothing matches). */
export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  let values: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of values) {
      if ('field' in step) {
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          const v = (value as Record<string, unknown>)[step.field];
          if (v !== undefined) next.push(v);
        }
      } else if (!Array.isArray(value)) {
        continue;
      } else if ('index' in step) {
        const v =
          value[step.index < 0 ? value.length + step.index : step.index];
        if (v !== undefined) next.push(v);
      } else if ('all' in step) {
        next.push(...value);
      } else {
        const { path, value: expected } = step.filter;
        for (const item of value) {
          const v = lookup(item, path);
          if (expected === undefined ? v !== undefined : String(v) === expected)
            next.push(item);
        }
      }
    }
    values = next;
  }
  return values;
}
