/**
 * Kubernetes label selectors (`a=b,c!=d,e in (f,g),h notin (i),j,!k`),
 * parsed once and matched in memory against cached objects.
 */

/** One requirement of a label selector. @public */
export type LabelRequirement =
  | { key: string; operator: 'in' | 'notin'; values: string[] }
  | { key: string; operator: 'exists' | 'doesnotexist' };

/** A parsed label selector: every requirement must hold. @public */
export type LabelSelector = LabelRequirement[];

// Qualified name with an optional DNS prefix, as Kubernetes allows for keys.
const KEY =
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(Boolean);
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key) || key.length > 316) {
    throw new Error(
      `label selector "${selector}": "${key}" is not a label key`,
    );
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new Error(
      `label selector "${selector}": "${value}" is not a label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)`,
    );
  }
  return value;
}

/**
 * Parses a label selector; throws an Error that quotes the selector and the
 * part that is wrong.
 * @public
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const requirements: LabelSelector = [];
  for (const part of splitTopLevel(selector)) {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (set) {
      const values = set[3]
        .split(',')
        .map(v => v.trim())
        .filter(Boolean)
        .map(v => checkValue(v, selector));
      requirements.push({
        key: checkKey(set[1], selector),
        operator: set[2] as 'in' | 'notin',
        values,
      });
      continue;
    }
    const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (equality) {
      requirements.push({
        key: checkKey(equality[1], selector),
        operator: equality[2] === '!=' ? 'notin' : 'in',
        values: [checkValue(equality[3], selector)],
      });
      continue;
    }
    const exists = /^(!?)\s*([^!=\s()]+)$/.exec(part);
    if (exists) {
      requirements.push({
        key: checkKey(exists[2], selector),
        operator: exists[1] ? 'doesnotexist' : 'exists',
      });
      continue;
    }
    throw new Error(
      `label selector "${selector}": cannot read "${part}"; use key=value, key!=value, key in (a,b), key notin (a,b), key or !key`,
    );
  }
  return requirements;
}

/** Whether labels satisfy every requirement of a selector. @public */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return selector.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.operator) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}
