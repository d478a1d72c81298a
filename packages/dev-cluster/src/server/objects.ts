import { randomInt } from 'node:crypto';
import type { KubeObject } from '../store/types';

/** RFC 3339 at second precision, as metav1.Time serializes. */
export function timestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serializes. */
export function microTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

/** The alphabet of k8s.io/apimachinery's rand.String (no vowels, no confusable digits). */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix appended to metadata.generateName. */
export function generateNameSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix += NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)];
  return suffix;
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The object with kind, apiVersion and metadata first, in the order
 * kube-apiserver serializes them.
 */
export function withTypeMeta(
  object: Record<string, any>,
  apiVersion: string,
  kind: string,
): KubeObject {
  const { kind: _k, apiVersion: _v, metadata, ...rest } = object;
  return { kind, apiVersion, metadata: metadata ?? {}, ...rest } as KubeObject;
}

/** Whether two JSON values are equal. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== typeof b ||
    a === null ||
    b === null ||
    typeof a !== 'object'
  )
    return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter(k => ao[k] !== undefined);
  const bk = Object.keys(bo).filter(k => bo[k] !== undefined);
  return ak.length === bk.length && ak.every(k => jsonEqual(ao[k], bo[k]));
}

/** Whether anything outside metadata and status differs (what bumps metadata.generation). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * jsonEqual for the no-op check of a write: kube-apiserver decodes a
 * request into typed objects, so a time sent as `…:01.000Z` is the stored
 * `…:01Z` (the same instant); anything else must be equal as JSON.
 */
export function storedEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string')
    return (
      RFC3339.test(a) &&
      RFC3339.test(b) &&
      new Date(a).getTime() === new Date(b).getTime()
    );
  if (
    typeof a !== typeof b ||
    a === null ||
    b === null ||
    typeof a !== 'object'
  )
    return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => storedEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter(k => ao[k] !== undefined);
  const bk = Object.keys(bo).filter(k => bo[k] !== undefined);
  return ak.length === bk.length && ak.every(k => storedEqual(ao[k], bo[k]));
}

export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (
      key === 'metadata' ||
      key === 'status' ||
      key === 'kind' ||
      key === 'apiVersion'
    )
      continue;
    if (!jsonEqual(a[key], b[key])) return true;
  }
  return false;
}
