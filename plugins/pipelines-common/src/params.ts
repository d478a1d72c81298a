import { Param, ParamSpec, ParamType, ParamValue } from './types';

/**
 * A field of the form that starts (or reruns) a pipeline, derived from one of
 * its declared params.
 * @public
 */
export interface ParamFormField {
  name: string;
  type: ParamType;
  description?: string;
  /** True when the param has no default, so the run needs a value. */
  required: boolean;
  default?: ParamValue;
  /** Allowed values of a string param; the form shows a choice. */
  enum?: string[];
  /** Declared keys of an object param. */
  keys?: string[];
  /** What the field starts with: the previous run's value, else the default. */
  initialValue?: ParamValue;
}

/**
 * A value the user got wrong, with a message that says what to fix.
 * @public
 */
export interface ParamInputError {
  param: string;
  message: string;
}

/**
 * The type of a declared param: its `type`, else the shape of its default,
 * else `string`, as Tekton defaults it.
 * @public
 */
export function getParamType(spec: ParamSpec): ParamType {
  if (spec.type) {
    return spec.type;
  }
  if (Array.isArray(spec.default)) {
    return 'array';
  }
  if (spec.default && typeof spec.default === 'object') {
    return 'object';
  }
  return 'string';
}

/**
 * The start form of a pipeline: one field per declared param, pre-filled
 * from `previous` (a run's params, when rerunning) or the param's default.
 * @public
 */
export function buildParamForm(
  specs: readonly ParamSpec[] | undefined,
  previous: readonly Param[] = [],
): ParamFormField[] {
  return (specs ?? []).map(spec => {
    const type = getParamType(spec);
    const keys = spec.properties ? Object.keys(spec.properties) : undefined;
    return {
      name: spec.name,
      type,
      description: spec.description,
      required: spec.default === undefined,
      default: spec.default,
      enum: spec.enum?.length ? spec.enum : undefined,
      keys,
      initialValue:
        previous.find(p => p.name === spec.name)?.value ?? spec.default,
    };
  });
}

type Checked<T> = { value: T } | { error: string };

/** A JSON value as a message names it: `the number 3`, `a list`. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** How to send a number or boolean as the text Tekton params hold. */
function asTextHint(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean'
    ? `; send "${value}"`
    : '';
}

function isBlank(value: unknown, type: ParamType): boolean {
  return (
    value === undefined || value === null || (type === 'string' && value === '')
  );
}

/**
 * Checks a value against the param's declared type. Tekton params hold only
 * text, so a number or boolean is refused rather than turned into text: what
 * the user meant by `1.0` or `true` is theirs to write.
 */
function check(
  spec: ParamSpec,
  type: ParamType,
  input: unknown,
): Checked<ParamValue> {
  const name = spec.name;
  if (type === 'string') {
    if (typeof input !== 'string') {
      return {
        error: `param "${name}" is declared as a string, not ${describeValue(
          input,
        )}${asTextHint(input)}`,
      };
    }
    if (spec.enum?.length && !spec.enum.includes(input)) {
      const allowed = spec.enum.map(v => `"${v}"`).join(', ');
      return {
        error: `param "${name}" must be one of ${allowed}, not "${input}"`,
      };
    }
    return { value: input };
  }
  if (type === 'array') {
    if (!Array.isArray(input)) {
      return {
        error: `param "${name}" is declared as an array: send a list of strings, not ${describeValue(
          input,
        )}`,
      };
    }
    const bad = input.findIndex(item => typeof item !== 'string');
    if (bad >= 0) {
      return {
        error: `param "${name}" is declared as an array of strings; item ${
          bad + 1
        } is ${describeValue(input[bad])}${asTextHint(input[bad])}`,
      };
    }
    return { value: input as string[] };
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return {
      error: `param "${name}" is declared as an object: send an object of string values, not ${describeValue(
        input,
      )}`,
    };
  }
  const badKeys = Object.entries(input)
    .filter(([, v]) => typeof v !== 'string')
    .map(([k]) => `"${k}"`);
  if (badKeys.length) {
    return {
      error: `param "${name}" is declared as an object of string values; key(s) ${badKeys.join(
        ', ',
      )} are not strings`,
    };
  }
  const value = input as Record<string, string>;
  // Tekton fills keys missing from the value from the default.
  const defaults =
    spec.default &&
    typeof spec.default === 'object' &&
    !Array.isArray(spec.default)
      ? spec.default
      : {};
  const missing = Object.keys(spec.properties ?? {}).filter(
    key => !(key in value) && !(key in defaults),
  );
  if (missing.length) {
    return {
      error: `param "${name}" is missing key(s) ${missing
        .map(k => `"${k}"`)
        .join(', ')}`,
    };
  }
  return { value };
}

/**
 * Checks what a user entered for a pipeline's params and turns it into a
 * PipelineRun's `spec.params`. A blank value (missing, null, or an empty
 * string for a string param) leaves the param out so Tekton applies its
 * default; it is an error only when there is no default. Names the pipeline
 * does not declare are errors too, so a rerun of an older run does not pass
 * params that no longer mean anything.
 * @public
 */
export function validateParamInput(
  specs: readonly ParamSpec[] | undefined,
  input: Readonly<Record<string, unknown>>,
): { params: Param[]; errors: ParamInputError[] } {
  const declared = specs ?? [];
  const params: Param[] = [];
  const errors: ParamInputError[] = [];

  for (const spec of declared) {
    const type = getParamType(spec);
    const value = input[spec.name];
    if (isBlank(value, type)) {
      if (spec.default === undefined) {
        errors.push({
          param: spec.name,
          message: `param "${spec.name}" is required`,
        });
      }
      continue;
    }
    const result = check(spec, type, value);
    if ('error' in result) {
      errors.push({ param: spec.name, message: result.error });
    } else {
      params.push({ name: spec.name, value: result.value });
    }
  }

  const names = new Set(declared.map(s => s.name));
  for (const name of Object.keys(input)) {
    if (!names.has(name)) {
      errors.push({
        param: name,
        message: `param "${name}" is not declared by the pipeline; remove it`,
      });
    }
  }
  return { params, errors };
}
