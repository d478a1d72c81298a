import type { ParamSpec, ParamValue, Param } from './types';

/*
 * Tekton's variable substitution (docs/variables.md): `$(params.x)`,
 * `$(params['x'])`, `$(params.x[0])`, `$(params.obj.key)`, and whole-element
 * `$(params.x[*])` expansion inside string arrays. Values are not escaped.
 */

/** The values a substitution pass knows, keyed by reference without `$( )`, e.g. `params.x`, `tasks.a.results.r`. */
export type Replacements = Record<string, ParamValue>;

/** Matches one `$(…)` reference; Tekton's matcher plus bracketed, quoted names. */
const REFERENCE = /\$\(([^()$]+)\)/g;

/** `params['a.b']` → `params.a.b`, `params["x"]` → `params.x`. */
function normalizeReference(reference: string): string {
  return reference
    .trim()
    .replace(/\[\s*(['"])(.*?)\1\s*\]/g, (_, _quote, name) => `.${name}`);
}

/** The value of one reference, or undefined when it is not known here (the text is then kept). */
export function lookupReference(
  reference: string,
  replacements: Replacements,
): ParamValue | undefined {
  let key = normalizeReference(reference);
  let index: number | '*' | undefined;
  const indexed = /^(.*)\[(\d+|\*)\]$/.exec(key);
  if (indexed) {
    key = indexed[1];
    index = indexed[2] === '*' ? '*' : Number(indexed[2]);
  }
  let value: ParamValue | undefined = replacements[key];
  if (value === undefined) {
    // `params.obj.key`: an object's key.
    const dot = key.lastIndexOf('.');
    const object = dot > 0 ? replacements[key.slice(0, dot)] : undefined;
    if (object && typeof object === 'object' && !Array.isArray(object)) {
      value = object[key.slice(dot + 1)];
    }
  }
  if (value === undefined) return undefined;
  if (index === undefined || index === '*') return value;
  return Array.isArray(value) ? value[index] : undefined;
}

function asText(value: ParamValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Replaces every known reference in a string. */
export function substituteString(
  text: string,
  replacements: Replacements,
): string {
  return text.replace(REFERENCE, (whole, reference: string) => {
    const value = lookupReference(reference, replacements);
    return value === undefined ? whole : asText(value);
  });
}

/** An element that is exactly one `[*]` (or whole array/object) reference to a known array, expanded. */
function expandWholeElement(
  element: string,
  replacements: Replacements,
): string[] | undefined {
  const match = /^\$\(([^()$]+)\)$/.exec(element.trim());
  if (!match) return undefined;
  const reference = match[1];
  const value = lookupReference(reference, replacements);
  if (Array.isArray(value) && /\[\*\]\s*$/.test(reference)) return value;
  return undefined;
}

/**
 * Substitutes references everywhere in a JSON value. In arrays of strings an
 * element that is exactly `$(x[*])` becomes the array's elements.
 */
export function substituteDeep<T>(value: T, replacements: Replacements): T {
  if (typeof value === 'string')
    return substituteString(value, replacements) as T;
  if (Array.isArray(value)) {
    const output: unknown[] = [];
    for (const element of value) {
      const expanded =
        typeof element === 'string'
          ? expandWholeElement(element, replacements)
          : undefined;
      if (expanded) output.push(...expanded);
      else output.push(substituteDeep(element, replacements));
    }
    return output as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        substituteDeep(v, replacements),
      ]),
    ) as T;
  }
  return value;
}

/**
 * The value a param passes on: a string that is exactly one reference to an
 * array or object (`$(params.a[*])`, `$(params.obj[*])`, `$(tasks.t.results.r)`,
 * with or without `[*]` as Tekton's applyOrCorrect) passes the array or
 * object itself.
 */
export function substituteParamValue(
  value: ParamValue,
  replacements: Replacements,
): ParamValue {
  if (typeof value === 'string') {
    const match = /^\$\(([^()$]+)\)$/.exec(value.trim());
    if (match) {
      const whole = lookupReference(
        match[1].replace(/\[\*\]\s*$/, ''),
        replacements,
      );
      if (whole !== undefined && typeof whole !== 'string') return whole;
    }
    return substituteString(value, replacements);
  }
  return substituteDeep(value, replacements);
}

/** Every `$(…)` reference in a JSON value, as written (without `$( )`). */
export function findReferences(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      for (const match of v.matchAll(REFERENCE)) found.push(match[1]);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

/** A `tasks.<t>.results.<r>` reference's task and result names. */
export function parseResultReference(
  reference: string,
): { task: string; result: string } | undefined {
  // `finally.<task>` names a finally task's results in the Pipeline's results.
  const match = /^(?:tasks|finally)\.([^.[\]]+)\.results\.([^.[\]]+)/.exec(
    normalizeReference(reference),
  );
  return match ? { task: match[1], result: match[2] } : undefined;
}

export class ParamError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/**
 * The params a spec sees: its declared defaults overridden by the given
 * values, keyed `params.<name>`. Undeclared given params are kept too: they
 * are how Tekton propagates params into embedded specs.
 * Throws ParamError (ParameterMissing, ParameterTypeMismatch) as Tekton fails a run.
 */
export function resolveParams(
  declared: ParamSpec[] = [],
  given: Param[] = [],
  what: string,
): Replacements {
  const values: Replacements = {};
  const givenByName = new Map(given.map(p => [p.name, p.value]));
  for (const param of given) values[`params.${param.name}`] = param.value;
  const missing: string[] = [];
  for (const spec of declared) {
    const value = givenByName.get(spec.name) ?? spec.default;
    if (value === undefined) {
      missing.push(spec.name);
      continue;
    }
    const type = declaredType(spec);
    if (typeOfValue(value) !== type) {
      throw new ParamError(
        'ParameterTypeMismatch',
        `${what} parameters have mismatching types with Pipeline: ${spec.name}`,
      );
    }
    values[`params.${spec.name}`] =
      type === 'object' && typeof spec.default === 'object'
        ? {
            ...(spec.default as Record<string, string>),
            ...(value as Record<string, string>),
          }
        : value;
  }
  if (missing.length > 0) {
    throw new ParamError(
      'ParameterMissing',
      `${what} missing parameters: [${missing.join(' ')}]`,
    );
  }
  return values;
}

/** A param's type; Tekton's defaulting: the default's type, else object if it has properties. */
function declaredType(spec: ParamSpec): 'string' | 'array' | 'object' {
  if (spec.type) return spec.type;
  if (spec.default !== undefined) return typeOfValue(spec.default);
  return spec.properties ? 'object' : 'string';
}

export function typeOfValue(value: ParamValue): 'string' | 'array' | 'object' {
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'array' : 'object';
}
