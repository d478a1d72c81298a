/**
 * Resource quantities inside built-in objects: where they live, their
 * canonical form (what the API server stores and returns, `0.5` → `500m`),
 * and the decode error for one that is not a quantity.
 */

import { Quantity, QuantityParseError } from '../quantity';
import type { Obj } from './meta';

/** Paths (per group/Kind) of resource lists, with `[]` for every list element. */
const RESOURCE_LIST_PATHS: Record<string, string[]> = {
  '/Pod': [
    'spec.containers[].resources.requests',
    'spec.containers[].resources.limits',
    'spec.initContainers[].resources.requests',
    'spec.initContainers[].resources.limits',
    'spec.overhead',
    'spec.resources.requests',
    'spec.resources.limits',
  ],
  '/Node': ['status.capacity', 'status.allocatable'],
  '/PersistentVolumeClaim': [
    'spec.resources.requests',
    'spec.resources.limits',
    'status.capacity',
    'status.allocatedResources',
  ],
  '/PersistentVolume': ['spec.capacity'],
  '/ResourceQuota': ['spec.hard', 'status.hard', 'status.used'],
  '/LimitRange': [
    'spec.limits[].max',
    'spec.limits[].min',
    'spec.limits[].default',
    'spec.limits[].defaultRequest',
    'spec.limits[].maxLimitRequestRatio',
  ],
};
const TEMPLATE_KINDS = new Set([
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  '/ReplicationController',
  '/PodTemplate',
]);

function groupKind(obj: Obj): string {
  const apiVersion = String(obj.apiVersion ?? '');
  return `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${
    obj.kind
  }`;
}

function pathsFor(obj: Obj): string[] {
  const kind = groupKind(obj);
  if (TEMPLATE_KINDS.has(kind)) {
    const prefix = kind === '/PodTemplate' ? 'template' : 'spec.template';
    return RESOURCE_LIST_PATHS['/Pod']
      .filter(p => p.startsWith('spec.'))
      .map(p => `${prefix}.${p}`);
  }
  return RESOURCE_LIST_PATHS[kind] ?? [];
}

/** Calls `visit` with every resource list object found at `path`. */
function visitLists(
  value: any,
  segments: string[],
  visit: (list: Obj) => void,
): void {
  if (value === null || typeof value !== 'object') return;
  if (segments.length === 0) {
    visit(value);
    return;
  }
  const [head, ...rest] = segments;
  if (head.endsWith('[]')) {
    const items = value[head.slice(0, -2)];
    if (Array.isArray(items))
      items.forEach(item => visitLists(item, rest, visit));
  } else {
    visitLists(value[head], rest, visit);
  }
}

/** Canonical forms of quantity strings seen (null: not a quantity); few distinct values recur. */
const canonicalCache = new Map<string, string | null>();
const CANONICAL_CACHE_LIMIT = 4096;

/** The canonical form of a quantity, or undefined when the value is not one. */
function canonicalForm(value: unknown): string | undefined {
  if (typeof value !== 'string') return Quantity.tryParse(value)?.toString();
  const cached = canonicalCache.get(value);
  if (cached !== undefined) return cached ?? undefined;
  const canonical = Quantity.tryParse(value)?.toString();
  if (canonicalCache.size >= CANONICAL_CACHE_LIMIT) canonicalCache.clear();
  canonicalCache.set(value, canonical ?? null);
  return canonical;
}

/** The canonical form of every valid quantity of the list, or undefined when all already are. */
function canonicalList(list: Obj): Obj | undefined {
  let copy: Obj | undefined;
  for (const [name, value] of Object.entries(list)) {
    const canonical = canonicalForm(value);
    if (canonical === undefined) continue;
    if (canonical === value) continue;
    copy ??= { ...list };
    copy[name] = canonical;
  }
  return copy;
}

/**
 * `value` with the resource lists at `segments` in canonical form: the same
 * value when nothing changes, else copies of only the objects and arrays on
 * the way to a changed list.
 */
function canonicalAt(value: any, segments: string[], at: number): any {
  if (value === null || typeof value !== 'object') return value;
  if (at === segments.length) return canonicalList(value) ?? value;
  const head = segments[at];
  if (head.endsWith('[]')) {
    const field = head.slice(0, -2);
    const items = value[field];
    if (!Array.isArray(items)) return value;
    let copied: any[] | undefined;
    items.forEach((item, i) => {
      const next = canonicalAt(item, segments, at + 1);
      if (next === item) return;
      copied ??= [...items];
      copied[i] = next;
    });
    return copied ? { ...value, [field]: copied } : value;
  }
  const child = value[head];
  const next = canonicalAt(child, segments, at + 1);
  return next === child ? value : { ...value, [head]: next };
}

/**
 * Rewrites every valid resource quantity of a built-in object in canonical
 * form, as decoding and re-encoding in the API server does; invalid values
 * are left for {@link quantityDecodeError}. Returns a new object (with its
 * own metadata object) and never modifies its argument; nested objects that
 * hold no rewritten quantity are shared with it, not copied.
 */
export function canonicalizeQuantities<T extends Obj>(obj: T): T {
  let result: any = obj;
  for (const path of pathsFor(obj)) {
    result = canonicalAt(result, path.split('.'), 0);
  }
  if (result === obj) result = { ...obj };
  if (result.metadata && typeof result.metadata === 'object') {
    result.metadata = { ...result.metadata };
  }
  return result;
}

/**
 * The 400 message for an object holding something that is not a quantity
 * (`Pod in version "v1" cannot be handled as a Pod: quantities must match …`),
 * or undefined.
 */
export function quantityDecodeError(obj: Obj): string | undefined {
  const values: unknown[] = [];
  for (const path of pathsFor(obj)) {
    visitLists(obj, path.split('.'), list =>
      values.push(...Object.values(list)),
    );
  }
  for (const value of values) {
    try {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new QuantityParseError('cannot unmarshal into a Quantity');
      }
      Quantity.parse(value);
    } catch (e) {
      const version = String(obj.apiVersion ?? '')
        .split('/')
        .pop();
      return `${obj.kind} in version "${version}" cannot be handled as a ${
        obj.kind
      }: ${(e as Error).message}`;
    }
  }
  return undefined;
}
