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

/**
 * Rewrites every valid resource quantity of a built-in object in canonical
 * form, as decoding and re-encoding in the API server does; invalid values
 * are left for {@link quantityDecodeError}. Returns a new object.
 */
export function canonicalizeQuantities<T extends Obj>(obj: T): T {
  const copy = structuredClone(obj);
  for (const path of pathsFor(copy)) {
    visitLists(copy, path.split('.'), list => {
      for (const [name, value] of Object.entries(list)) {
        const quantity = Quantity.tryParse(value);
        if (quantity) list[name] = quantity.toString();
      }
    });
  }
  return copy;
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
