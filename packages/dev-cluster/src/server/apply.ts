import type { KubeObject, ManagedFieldsEntry } from '../store/types';
import { deepClone, isPlainObject, jsonEqual, timestamp } from './objects';
import { ApiError } from './status';

/*
 * Server-side apply (application/apply-patch+yaml): the applied configuration
 * is merged into the live object, the fields it sets are recorded as owned by
 * its field manager in metadata.managedFields (FieldsV1), fields the manager
 * applied before and no longer applies are removed, and changing a field
 * another manager owns is a conflict unless forced.
 *
 * Without the OpenAPI list types of every kind, lists of objects are
 * associative by the first of the usual merge keys all their items carry
 * (name, type, containerPort, mountPath, ip, devicePath); other lists are atomic.
 */

const MERGE_KEYS = [
  'name',
  'type',
  'containerPort',
  'mountPath',
  'ip',
  'devicePath',
];

/** Metadata fields the server owns, never part of field sets. */
const UNTRACKED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

function listMergeKey(items: unknown[]): string | undefined {
  if (!items.length || !items.every(isPlainObject)) return undefined;
  return MERGE_KEYS.find(key =>
    items.every(item => (item as any)[key] !== undefined),
  );
}

function elementSegment(key: string, item: Record<string, unknown>): string {
  return `k:${JSON.stringify({ [key]: item[key] })}`;
}

/** Leaf paths of the fields `value` sets, each a list of FieldsV1 segments. */
export function fieldPaths(object: Record<string, unknown>): string[][] {
  const paths: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (!keys.length && path.length) paths.push(path);
      for (const key of keys) {
        if (
          path.length === 1 &&
          path[0] === 'f:metadata' &&
          UNTRACKED_METADATA.has(key)
        )
          continue;
        walk(value[key], [...path, `f:${key}`]);
      }
      return;
    }
    if (Array.isArray(value)) {
      const key = listMergeKey(value);
      if (!key) {
        paths.push(path);
        return;
      }
      for (const item of value as Record<string, unknown>[]) {
        const element = [...path, elementSegment(key, item)];
        paths.push([...element, '.']);
        for (const field of Object.keys(item))
          walk(item[field], [...element, `f:${field}`]);
      }
      return;
    }
    paths.push(path);
  };
  for (const key of Object.keys(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    walk(object[key], [`f:${key}`]);
  }
  return paths.filter(
    p => p.length > 0 && !(p.length === 1 && p[0] === 'f:metadata'),
  );
}

const pathId = (path: string[]) => path.join('\u0000');

export function toFieldsV1(paths: string[][]): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) node = node[segment] ??= {};
  }
  return root;
}

export function fromFieldsV1(
  tree: Record<string, unknown>,
  prefix: string[] = [],
): string[][] {
  const paths: string[][] = [];
  for (const [segment, child] of Object.entries(tree)) {
    const path = [...prefix, segment];
    if (isPlainObject(child) && Object.keys(child).length)
      paths.push(...fromFieldsV1(child, path));
    else paths.push(path);
  }
  return paths;
}

function elementMatches(segment: string, item: unknown): boolean {
  const wanted = JSON.parse(segment.slice(2)) as Record<string, unknown>;
  return (
    isPlainObject(item) &&
    Object.entries(wanted).every(([k, v]) => jsonEqual(item[k], v))
  );
}

function valueAt(object: unknown, path: string[]): unknown {
  let current = object;
  for (const segment of path) {
    if (segment === '.') return current;
    if (segment.startsWith('f:')) {
      if (!isPlainObject(current)) return undefined;
      current = current[segment.slice(2)];
    } else if (segment.startsWith('k:')) {
      if (!Array.isArray(current)) return undefined;
      current = current.find(item => elementMatches(segment, item));
    } else {
      return undefined;
    }
  }
  return current;
}

function removeAt(object: unknown, path: string[]): void {
  const last = path[path.length - 1];
  if (last === '.') {
    const list = valueAt(object, path.slice(0, -2));
    const segment = path[path.length - 2];
    if (Array.isArray(list)) {
      const index = list.findIndex(item => elementMatches(segment, item));
      if (index >= 0) list.splice(index, 1);
    }
    return;
  }
  const parent = valueAt(object, path.slice(0, -1));
  if (isPlainObject(parent) && last.startsWith('f:'))
    delete parent[last.slice(2)];
}

function mergeValues(live: unknown, applied: unknown): unknown {
  if (isPlainObject(live) && isPlainObject(applied)) {
    const result: Record<string, unknown> = { ...live };
    for (const [key, value] of Object.entries(applied))
      result[key] = mergeValues(live[key], value);
    return result;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    const key = listMergeKey(applied);
    if (!key || !live.every(isPlainObject)) return deepClone(applied);
    const result = live.map(item => ({ ...(item as object) })) as Record<
      string,
      unknown
    >[];
    for (const item of applied as Record<string, unknown>[]) {
      const index = result.findIndex(r => jsonEqual(r[key], item[key]));
      if (index >= 0)
        result[index] = mergeValues(result[index], item) as Record<
          string,
          unknown
        >;
      else result.push(deepClone(item));
    }
    return result;
  }
  return deepClone(applied);
}

export interface ApplyInput {
  /** The live object, or undefined when apply creates it. */
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  /** Set when applying to a subresource (status). */
  subresource?: string;
}

function conflictError(
  kind: string,
  name: string,
  group: string,
  conflicts: { manager: string; apiVersion: string; field: string }[],
): ApiError {
  const text = conflicts.map(
    c => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`,
  );
  const message =
    conflicts.length === 1
      ? `Apply failed with 1 conflict: ${text[0]}`
      : `Apply failed with ${conflicts.length} conflicts: ${text.join('\n')}`;
  return new ApiError(409, 'Conflict', message, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: conflicts.map(c => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}" using ${c.apiVersion}`,
      field: c.field,
    })),
  });
}

/** The dotted form of a field path in conflict messages (`.spec.replicas`, `.spec.containers[name="x"].image`). */
function describePath(path: string[]): string {
  let text = '';
  for (const segment of path) {
    if (segment.startsWith('f:')) text += `.${segment.slice(2)}`;
    else if (segment.startsWith('k:')) {
      const key = JSON.parse(segment.slice(2));
      text += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return text;
}

const CLIENT_SIDE_APPLY_MANAGER = 'kubectl-client-side-apply';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A field kubectl's client-side apply set (it still has the value of the
 * last-applied-configuration annotation) passes to server-side apply without
 * a conflict: the upgrade path from client-side to server-side apply.
 */
function upgradedFromClientSideApply(
  entry: ManagedFieldsEntry,
  live: KubeObject,
  path: string[],
): boolean {
  if (entry.manager !== CLIENT_SIDE_APPLY_MANAGER) return false;
  const annotation = live.metadata.annotations?.[LAST_APPLIED];
  if (!annotation) return false;
  try {
    return jsonEqual(
      valueAt(JSON.parse(annotation), path),
      valueAt(live, path),
    );
  } catch {
    return false;
  }
}

/** The object that results from applying `applied` as `manager`. */
export function serverSideApply(
  input: ApplyInput,
  gr: { group: string; resource: string },
): KubeObject {
  const { live, applied, manager, force, apiVersion } = input;
  const appliedPaths = fieldPaths(applied);
  const appliedIds = new Set(appliedPaths.map(pathId));
  const entries: ManagedFieldsEntry[] = deepClone(
    live?.metadata.managedFields ?? [],
  );
  const isOwn = (e: ManagedFieldsEntry) =>
    e.manager === manager &&
    e.operation === 'Apply' &&
    (e.subresource ?? '') === (input.subresource ?? '');

  let result: KubeObject;
  if (!live) {
    result = deepClone(applied);
  } else {
    const conflicts: { manager: string; apiVersion: string; field: string }[] =
      [];
    for (const entry of entries) {
      if (isOwn(entry) || !entry.fieldsV1) continue;
      const owned = fromFieldsV1(entry.fieldsV1);
      const kept: string[][] = [];
      for (const path of owned) {
        if (!appliedIds.has(pathId(path))) {
          kept.push(path);
          continue;
        }
        const differs =
          path[path.length - 1] !== '.' &&
          !jsonEqual(valueAt(live, path), valueAt(applied, path));
        if (
          differs &&
          !force &&
          !upgradedFromClientSideApply(entry, live, path)
        ) {
          conflicts.push({
            manager: entry.manager ?? '',
            apiVersion: entry.apiVersion ?? apiVersion,
            field: describePath(path),
          });
        }
        // Applying the same value shares ownership; forcing a different one takes it.
        if (!differs) kept.push(path);
      }
      entry.fieldsV1 = toFieldsV1(kept);
    }
    if (conflicts.length)
      throw conflictError(
        gr.resource,
        live.metadata.name ?? '',
        gr.group,
        conflicts,
      );

    result = mergeValues(live, applied) as KubeObject;
    const previous = entries.find(isOwn);
    if (previous?.fieldsV1) {
      const ownedByOthers = new Set(
        entries
          .filter(e => !isOwn(e) && e.fieldsV1)
          .flatMap(e => fromFieldsV1(e.fieldsV1!).map(pathId)),
      );
      for (const path of fromFieldsV1(previous.fieldsV1)) {
        const id = pathId(path);
        if (!appliedIds.has(id) && !ownedByOthers.has(id))
          removeAt(result, path);
      }
    }
  }
  const others = entries.filter(
    e => !isOwn(e) && e.fieldsV1 && Object.keys(e.fieldsV1).length,
  );
  result.metadata = {
    ...result.metadata,
    managedFields: [
      ...others,
      {
        manager,
        operation: 'Apply',
        apiVersion,
        time: timestamp(),
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(appliedPaths),
        ...(input.subresource ? { subresource: input.subresource } : {}),
      },
    ],
  };
  return result;
}

/**
 * The managedFields after a non-apply write (create, update, patch) by
 * `manager`: it owns the fields it set or changed, other managers lose
 * those, and nobody owns fields that are gone.
 */
export function recordUpdate(
  previous: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  apiVersion: string,
): ManagedFieldsEntry[] {
  // Managed fields the request itself changes (e.g. kubectl's upgrade from
  // client-side to server-side apply) are taken as they are sent.
  // Their times are metav1.Time, which is whole seconds whatever a client
  // sends (client-node sends milliseconds).
  const supplied = next.metadata.managedFields?.map(entry =>
    entry.time ? { ...entry, time: timestamp(new Date(entry.time)) } : entry,
  );
  const entries =
    supplied && !jsonEqual(supplied, previous?.metadata.managedFields)
      ? supplied
      : previous?.metadata.managedFields ?? [];
  const present = fieldPaths(next);
  const presentIds = new Set(present.map(pathId));
  const changed = previous
    ? present.filter(
        p =>
          p[p.length - 1] !== '.' &&
          !jsonEqual(valueAt(previous, p), valueAt(next, p)),
      )
    : present;
  const changedIds = new Set(changed.map(pathId));
  const isOwn = (e: ManagedFieldsEntry) =>
    e.manager === manager && e.operation === 'Update' && !e.subresource;
  // As kube-apiserver's managedFieldsUpdater: the writer's entry is
  // re-stamped (and moved last) only when the write took some field; a
  // write that changes nothing leaves managedFields, and so the object,
  // as they were.
  if (previous && !changed.length) {
    return entries.flatMap(entry => {
      const kept = fromFieldsV1(entry.fieldsV1 ?? {}).filter(p =>
        presentIds.has(pathId(p)),
      );
      if (!kept.length) return [];
      return jsonEqual(toFieldsV1(kept), entry.fieldsV1 ?? {})
        ? [entry]
        : [{ ...entry, fieldsV1: toFieldsV1(kept) }];
    });
  }
  const result: ManagedFieldsEntry[] = [];
  let own: string[][] = changed;
  for (const entry of entries) {
    const kept = fromFieldsV1(entry.fieldsV1 ?? {}).filter(p =>
      presentIds.has(pathId(p)),
    );
    if (isOwn(entry)) {
      own = [...kept.filter(p => !changedIds.has(pathId(p))), ...changed];
      continue;
    }
    const remaining = entry.subresource
      ? kept
      : kept.filter(p => !changedIds.has(pathId(p)));
    if (remaining.length)
      result.push({ ...entry, fieldsV1: toFieldsV1(remaining) });
  }
  if (own.length) {
    result.push({
      manager,
      operation: 'Update',
      apiVersion,
      time: timestamp(),
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(own),
    });
  }
  return result;
}
