import { Quantity } from '../quantity';
import { STORAGE_CLASS_RESOURCE_SUFFIX } from './constants';
import type { EnvironmentSpec, ResourceList } from './types';

/*
 * Quota arithmetic with resource.Quantity's semantics: `1000m` and `1` are
 * the same CPU, `1Gi` and `1024Mi` the same memory, and the API server
 * writes quantities back in canonical form, so comparing strings would see
 * drift where there is none.
 */

/**
 * The ResourceQuota `hard` of an Environment: its quota, plus a limit of 0
 * claims and 0 bytes for every StorageClass it may not use (absent
 * `storageClasses`: all allowed).
 * @public
 */
export function desiredQuotaHard(
  spec: Pick<EnvironmentSpec, 'quota' | 'storageClasses'>,
  clusterStorageClasses: string[],
): ResourceList {
  const hard: ResourceList = { ...(spec.quota ?? {}) };
  if (spec.storageClasses) {
    const allowed = new Set(spec.storageClasses);
    for (const name of [...clusterStorageClasses].sort()) {
      if (allowed.has(name)) continue;
      hard[`${name}${STORAGE_CLASS_RESOURCE_SUFFIX}requests.storage`] = '0';
      hard[`${name}${STORAGE_CLASS_RESOURCE_SUFFIX}persistentvolumeclaims`] =
        '0';
    }
  }
  return hard;
}

/** The quantities of a resource list that Kubernetes would refuse, with its message. @public */
export function invalidQuantities(
  list: ResourceList | undefined,
): Array<{ resource: string; message: string }> {
  const invalid: Array<{ resource: string; message: string }> = [];
  for (const [resource, value] of Object.entries(list ?? {})) {
    try {
      if (Quantity.parse(value).nanos < 0n)
        invalid.push({
          resource,
          message: 'must be greater than or equal to 0',
        });
    } catch (error) {
      invalid.push({ resource, message: (error as Error).message });
    }
  }
  return invalid;
}

function parsed(value: string | undefined): Quantity | undefined {
  return value === undefined ? undefined : Quantity.tryParse(value);
}

/** Whether two resource lists name the same resources with equal quantities. @public */
export function sameResourceList(
  a: ResourceList | undefined,
  b: ResourceList | undefined,
): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every(key => {
    if (!(key in right)) return false;
    const x = parsed(left[key]);
    const y = parsed(right[key]);
    return x && y ? x.cmp(y) === 0 : left[key] === right[key];
  });
}

/** Sums resource lists, resource by resource. @public */
export function addResourceLists(...lists: ResourceList[]): ResourceList {
  const sum: Record<string, Quantity> = {};
  for (const list of lists) {
    for (const [name, value] of Object.entries(list)) {
      const q = Quantity.parse(value);
      sum[name] = sum[name] ? sum[name].add(q) : q;
    }
  }
  return Object.fromEntries(
    Object.entries(sum).map(([name, q]) => [name, q.toString()]),
  );
}

/**
 * What is left of each limited resource (hard − used, never below 0), as
 * the portal shows usage against quota.
 * @public
 */
export function remainingQuota(
  hard: ResourceList,
  used: ResourceList,
): ResourceList {
  return Object.fromEntries(
    Object.entries(hard).map(([name, value]) => {
      const limit = Quantity.parse(value);
      const left = limit.sub(parsed(used[name]) ?? Quantity.zero(limit.format));
      return [
        name,
        (left.nanos < 0n ? Quantity.zero(limit.format) : left).toString(),
      ];
    }),
  );
}

/**
 * The resources a request would take over their limit, as the
 * ResourceQuota admission plugin decides (used + requested > hard).
 * @public
 */
export function exceededResources(
  hard: ResourceList,
  used: ResourceList,
  requested: ResourceList,
): string[] {
  return Object.keys(requested)
    .filter(name => name in hard)
    .filter(
      name =>
        (parsed(used[name]) ?? Quantity.zero())
          .add(Quantity.parse(requested[name]))
          .cmp(Quantity.parse(hard[name])) > 0,
    )
    .sort();
}
