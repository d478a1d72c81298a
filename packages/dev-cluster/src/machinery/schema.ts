/**
 * CustomResourceDefinition structural schemas: pruning of unknown fields,
 * defaulting, and OpenAPI v3 validation with the messages kube-apiserver
 * returns (kube-openapi's validator, converted to field errors the way
 * apiextensions-apiserver converts them).
 *
 * `x-kubernetes-validations` (CEL) rules are not evaluated.
 */

import { FieldError, fieldErrors } from './errors';

/** The subset of JSONSchemaProps a structural schema uses. */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

type Json = any;

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fields of metav1.ObjectMeta; anything else under metadata is dropped. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const joinPath = (base: string, key: string) => (base ? `${base}.${key}` : key);

/**
 * Removes fields the schema does not declare (unless under
 * `x-kubernetes-preserve-unknown-fields`), keeping apiVersion, kind and
 * ObjectMeta fields at the root and in embedded resources. Returns the pruned
 * copy and the paths removed (what `fieldValidation=Strict` reports as
 * `unknown field "<path>"`).
 */
export function pruneUnknownFields(
  obj: Json,
  schema: StructuralSchema,
): { object: Json; pruned: string[] } {
  const pruned: string[] = [];
  const object = structuredClone(obj);
  pruneValue(object, schema, '', true, pruned);
  return { object, pruned };
}

function pruneValue(
  value: Json,
  schema: StructuralSchema | undefined,
  path: string,
  isResourceRoot: boolean,
  pruned: string[],
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) =>
      pruneValue(item, schema?.items, `${path}[${i}]`, false, pruned),
    );
    return;
  }
  if (!isObject(value) || !schema) return;
  const resourceRoot =
    isResourceRoot || schema['x-kubernetes-embedded-resource'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(value)) {
    const at = joinPath(path, key);
    if (resourceRoot && (key === 'apiVersion' || key === 'kind')) continue;
    if (resourceRoot && key === 'metadata') {
      if (isObject(value.metadata)) {
        for (const metaKey of Object.keys(value.metadata)) {
          if (!OBJECT_META_FIELDS.has(metaKey)) {
            delete value.metadata[metaKey];
            pruned.push(`${at}.${metaKey}`);
          }
        }
      }
      continue;
    }
    const property = schema.properties?.[key];
    if (property) {
      pruneValue(value[key], property, at, false, pruned);
    } else if (isObject(schema.additionalProperties)) {
      pruneValue(value[key], schema.additionalProperties, at, false, pruned);
    } else if (!preserve && schema.additionalProperties !== true) {
      delete value[key];
      pruned.push(at);
    }
  }
}

const isNonNullableNull = (value: Json, schema: StructuralSchema | undefined) =>
  value === null && !!schema && schema.nullable !== true;

/**
 * Applies `default`s to absent fields (and to nulls of non-nullable fields),
 * recursing into the defaulted values, then drops the remaining nulls of
 * non-nullable fields, as apiextensions' structural defaulting does.
 */
export function applySchemaDefaults(obj: Json, schema: StructuralSchema): Json {
  const object = structuredClone(obj);
  defaultValue(object, schema);
  return object;
}

function defaultValue(value: Json, schema: StructuralSchema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (
        isNonNullableNull(item, schema.items) &&
        schema.items?.default !== undefined
      ) {
        value[i] = structuredClone(schema.items.default);
      }
      defaultValue(value[i], schema.items);
    });
    return;
  }
  if (!isObject(value)) return;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.default === undefined) continue;
    if (!(key in value) || isNonNullableNull(value[key], property)) {
      value[key] = structuredClone(property.default);
    }
  }
  for (const key of Object.keys(value)) {
    const property =
      schema.properties?.[key] ??
      (isObject(schema.additionalProperties)
        ? schema.additionalProperties
        : undefined);
    if (!property) continue;
    if (isNonNullableNull(value[key], property)) {
      if (property.default !== undefined) {
        value[key] = structuredClone(property.default);
      } else {
        delete value[key];
        continue;
      }
    }
    defaultValue(value[key], property);
  }
}

/** The JSON type name kube-openapi reports for a value. */
function typeName(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const IN = 'in body';

function expectedTypes(schema: StructuralSchema): string[] {
  if (schema['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return schema.type ? [schema.type] : [];
}

/** Go's %v for a float64 bound. */
const goNumber = (n: number) => String(n);

const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': v =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(
      v,
    ),
  date: v => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  byte: v => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  uuid: v =>
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(
      v,
    ),
  ipv4: v =>
    /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(
      v,
    ),
  hostname: v =>
    /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/.test(
      v,
    ),
  email: v => /^[^@\s]+@[^@\s]+$/.test(v),
};

/**
 * Validates a (pruned, defaulted) object against a structural schema,
 * returning field errors worded as kube-apiserver words them, e.g.
 * `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
 */
export function validateAgainstSchema(
  obj: Json,
  schema: StructuralSchema,
): FieldError[] {
  const errors: FieldError[] = [];
  validateValue(obj, schema, '', errors, true);
  return errors;
}

function validateType(
  value: Json,
  schema: StructuralSchema,
  path: string,
  errors: FieldError[],
): boolean {
  const actual = typeName(value);
  if (value === null) {
    if (schema.nullable) return false;
    for (const type of expectedTypes(schema)) {
      errors.push(
        fieldErrors.typeInvalid(
          path,
          'null',
          `${path} ${IN} must be of type ${type}: "null"`,
        ),
      );
    }
    return false;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (actual === 'integer' || actual === 'string') return true;
    for (const type of ['integer', 'string']) {
      errors.push(
        fieldErrors.typeInvalid(
          path,
          actual,
          `${path} ${IN} must be of type ${type}: "${actual}"`,
        ),
      );
    }
    return false;
  }
  const expected = schema.type;
  if (!expected) return true;
  const ok =
    expected === actual || (expected === 'number' && actual === 'integer');
  if (!ok) {
    errors.push(
      fieldErrors.typeInvalid(
        path,
        actual,
        `${path} ${IN} must be of type ${expected}: "${actual}"`,
      ),
    );
  }
  return ok;
}

function validateValue(
  value: Json,
  schema: StructuralSchema,
  path: string,
  errors: FieldError[],
  isRoot = false,
): void {
  if (!validateType(value, schema, path, errors)) {
    if (value === null) return;
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      errors.push(fieldErrors.tooLong(path, schema.maxLength));
    }
    if (schema.minLength !== undefined && length < schema.minLength) {
      errors.push(
        fieldErrors.invalid(
          path,
          value,
          `${path} ${IN} should be at least ${schema.minLength} chars long`,
        ),
      );
    }
    if (
      schema.pattern !== undefined &&
      !new RegExp(schema.pattern, 'u').test(value)
    ) {
      errors.push(
        fieldErrors.invalid(
          path,
          value,
          `${path} ${IN} should match '${schema.pattern}'`,
        ),
      );
    }
    const format = schema.format && FORMATS[schema.format];
    if (format && !format(value)) {
      errors.push(
        fieldErrors.typeInvalid(
          path,
          value,
          `${path} ${IN} must be of type ${schema.format}: ${JSON.stringify(
            value,
          )}`,
        ),
      );
    }
  }
  if (typeof value === 'number') {
    validateNumber(value, schema, path, errors);
  }
  if (
    schema.enum &&
    !schema.enum.some(candidate => deepEqual(candidate, value))
  ) {
    errors.push(
      fieldErrors.notSupported(
        path,
        value,
        schema.enum.map(candidate =>
          typeof candidate === 'string' ? candidate : JSON.stringify(candidate),
        ),
      ),
    );
  }
  if (Array.isArray(value)) {
    validateArray(value, schema, path, errors);
  }
  if (isObject(value)) {
    if (schema['x-kubernetes-embedded-resource']) {
      if (!('apiVersion' in value))
        errors.push(
          fieldErrors.required(
            joinPath(path, 'apiVersion'),
            'must not be empty',
          ),
        );
      if (!('kind' in value))
        errors.push(
          fieldErrors.required(joinPath(path, 'kind'), 'must not be empty'),
        );
    }
    validateObject(value, schema, path, errors, isRoot);
  }
}

function validateNumber(
  value: number,
  schema: StructuralSchema,
  path: string,
  errors: FieldError[],
): void {
  if (schema.multipleOf !== undefined && schema.multipleOf > 0) {
    const quotient = value / schema.multipleOf;
    if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
      errors.push(
        fieldErrors.invalid(
          path,
          value,
          `${path} ${IN} should be a multiple of ${goNumber(
            schema.multipleOf,
          )}`,
        ),
      );
    }
  }
  if (schema.maximum !== undefined) {
    const over = schema.exclusiveMaximum
      ? value >= schema.maximum
      : value > schema.maximum;
    if (over) {
      const relation = schema.exclusiveMaximum
        ? 'less than'
        : 'less than or equal to';
      errors.push(
        fieldErrors.invalid(
          path,
          value,
          `${path} ${IN} should be ${relation} ${goNumber(schema.maximum)}`,
        ),
      );
    }
  }
  if (schema.minimum !== undefined) {
    const under = schema.exclusiveMinimum
      ? value <= schema.minimum
      : value < schema.minimum;
    if (under) {
      const relation = schema.exclusiveMinimum
        ? 'greater than'
        : 'greater than or equal to';
      errors.push(
        fieldErrors.invalid(
          path,
          value,
          `${path} ${IN} should be ${relation} ${goNumber(schema.minimum)}`,
        ),
      );
    }
  }
  if (
    schema.format === 'int32' &&
    Number.isInteger(value) &&
    (value > 2147483647 || value < -2147483648)
  ) {
    errors.push(
      fieldErrors.typeInvalid(
        path,
        String(value),
        `${path} ${IN} must be of type int32: "${value}"`,
      ),
    );
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(k => [k, canonical(value[k])]),
    );
  }
  return value;
}

function validateArray(
  value: Json[],
  schema: StructuralSchema,
  path: string,
  errors: FieldError[],
): void {
  if (schema.items) {
    value.forEach((item, i) =>
      validateValue(item, schema.items!, `${path}[${i}]`, errors),
    );
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push(
      fieldErrors.invalid(
        path,
        value.length,
        `${path} ${IN} should have at least ${schema.minItems} items`,
      ),
    );
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push(fieldErrors.tooMany(path, value.length, schema.maxItems));
  }
  if (schema.uniqueItems) {
    const seen = new Set(value.map(item => JSON.stringify(canonical(item))));
    if (seen.size !== value.length) {
      errors.push(
        fieldErrors.invalid(
          path,
          '',
          `${path} ${IN} shouldn't contain duplicates`,
        ),
      );
    }
  }
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = JSON.stringify(canonical(item));
      if (seen.has(key))
        errors.push(fieldErrors.duplicate(`${path}[${i}]`, item));
      seen.add(key);
    });
  }
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (!isObject(item)) return;
      const keyValues: Record<string, Json> = {};
      for (const key of keys) {
        // A missing key takes its schema default, which defaulting applied.
        if (key in item) keyValues[key] = item[key];
      }
      const id = JSON.stringify(canonical(keyValues));
      if (seen.has(id))
        errors.push(fieldErrors.duplicate(`${path}[${i}]`, keyValues));
      seen.add(id);
    });
  }
}

function validateObject(
  value: Record<string, Json>,
  schema: StructuralSchema,
  path: string,
  errors: FieldError[],
  isRoot: boolean,
): void {
  const count = Object.keys(value).length;
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    errors.push(
      fieldErrors.invalid(
        path,
        count,
        `${path} ${IN} should have at least ${schema.minProperties} properties`,
      ),
    );
    return;
  }
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    errors.push(fieldErrors.tooMany(path, count, schema.maxProperties));
    return;
  }
  const properties = schema.properties ?? {};
  if (isObject(schema.additionalProperties)) {
    for (const key of Object.keys(value).sort()) {
      if (!(key in properties))
        validateValue(
          value[key],
          schema.additionalProperties,
          `${path}.${key}`,
          errors,
        );
    }
  }
  for (const key of Object.keys(properties).sort()) {
    // The root's metadata is validated as ObjectMeta, not by the schema.
    if (isRoot && key === 'metadata') continue;
    if (key in value)
      validateValue(value[key], properties[key], joinPath(path, key), errors);
  }
  for (const key of schema.required ?? []) {
    if (!(key in value)) errors.push(fieldErrors.required(joinPath(path, key)));
  }
}

/**
 * What the API server does to a custom resource on create and update: prune
 * unknown fields, apply defaults, validate. The server answers 422 with the
 * errors, or (with `fieldValidation=Strict`) 400 for pruned fields.
 */
export function processCustomResource(
  obj: Json,
  schema: StructuralSchema,
): { object: Json; errors: FieldError[]; pruned: string[] } {
  const { object: prunedObject, pruned } = pruneUnknownFields(obj, schema);
  const object = applySchemaDefaults(prunedObject, schema);
  return { object, errors: validateAgainstSchema(object, schema), pruned };
}
