import * as models from '@kubernetes/client-node';
import type { ResourceType } from './registry';

/*
 * The shapes of the built-in kinds, taken from @kubernetes/client-node's
 * generated models (which come from the Kubernetes OpenAPI document): which
 * fields each type has and of what type. They drive the OpenAPI documents the
 * server publishes and the unknown-field handling of decoding (fields a
 * built-in type does not have are dropped, or rejected with
 * fieldValidation=Strict).
 */

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

type ModelClass = { getAttributeTypeMap(): Attribute[] };

const registry = models as unknown as Record<string, ModelClass | undefined>;

export function modelClass(name: string): ModelClass | undefined {
  const candidate = registry[name];
  return candidate && typeof candidate.getAttributeTypeMap === 'function'
    ? candidate
    : undefined;
}

/** The client-node model of a built-in kind (V1Pod, CoreV1Event, AuthenticationV1TokenRequest, …). */
export function modelNameForKind(
  group: string,
  version: string,
  kind: string,
): string | undefined {
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const groupPrefix = group
    ? group.split('.')[0].charAt(0).toUpperCase() + group.split('.')[0].slice(1)
    : 'Core';
  for (const name of [`${groupPrefix}${v}${kind}`, `${v}${kind}`]) {
    if (modelClass(name)) return name;
  }
  return undefined;
}

export function modelNameForType(type: ResourceType): string | undefined {
  if (type.custom) return undefined;
  return modelNameForKind(type.group, type.version, type.kind);
}

/** Parsed form of a client-node attribute type string. */
export type FieldType =
  | {
      kind: 'scalar';
      name: 'string' | 'number' | 'boolean' | 'Date' | 'IntOrString' | 'any';
      format: string;
    }
  | { kind: 'array'; items: FieldType }
  | { kind: 'map'; values: FieldType }
  | { kind: 'model'; name: string };

const parsedTypes = new Map<string, FieldType>();

export function parseFieldType(type: string, format = ''): FieldType {
  const key = `${type}|${format}`;
  let parsed = parsedTypes.get(key);
  if (parsed) return parsed;
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array)
    parsed = { kind: 'array', items: parseFieldType(array[1], format) };
  else if (map)
    parsed = { kind: 'map', values: parseFieldType(map[1], format) };
  else if (
    [
      'string',
      'number',
      'boolean',
      'Date',
      'IntOrString',
      'any',
      'object',
    ].includes(type)
  ) {
    parsed = {
      kind: 'scalar',
      name: (type === 'object' ? 'any' : type) as any,
      format,
    };
  } else parsed = { kind: 'model', name: type };
  parsedTypes.set(key, parsed);
  return parsed;
}

const fieldMaps = new Map<string, Map<string, FieldType>>();

/** The fields of a model by JSON name. */
export function modelFields(name: string): Map<string, FieldType> | undefined {
  let fields = fieldMaps.get(name);
  if (fields) return fields;
  const model = modelClass(name);
  if (!model) return undefined;
  fields = new Map(
    model
      .getAttributeTypeMap()
      .map(a => [a.baseName, parseFieldType(a.type, a.format)]),
  );
  fieldMaps.set(name, fields);
  return fields;
}

/**
 * Removes the fields `model` does not declare, and null values, from `value`
 * (in place) and returns the paths of the unknown fields, as JSON decoding
 * into the Go types drops them.
 */
export function pruneUnknownFields(
  value: unknown,
  model: string,
  path = '',
): string[] {
  const fields = modelFields(model);
  if (
    !fields ||
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value)
  )
    return [];
  const unknown: string[] = [];
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const field = fields.get(key);
    const fieldPath = path ? `${path}.${key}` : key;
    if (!field) {
      unknown.push(fieldPath);
      delete object[key];
      continue;
    }
    if (object[key] === null) {
      // Decoding into Go types turns null into the zero value, which is omitted.
      delete object[key];
      continue;
    }
    unknown.push(...pruneValue(object[key], field, fieldPath));
  }
  return unknown;
}

function pruneValue(value: unknown, type: FieldType, path: string): string[] {
  if (value === null || value === undefined) return [];
  switch (type.kind) {
    case 'model':
      return pruneUnknownFields(value, type.name, path);
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) =>
            pruneValue(item, type.items, `${path}[${i}]`),
          )
        : [];
    case 'map':
      return value && typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
            pruneValue(v, type.values, `${path}.${k}`),
          )
        : [];
    default:
      return [];
  }
}
