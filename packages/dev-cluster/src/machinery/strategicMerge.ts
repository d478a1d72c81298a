/**
 * Server-side patch application: strategic merge patch as
 * k8s.io/apimachinery/pkg/util/strategicpatch applies it (with the patch
 * strategies and merge keys of the built-in types' Go struct tags), and JSON
 * merge patch (RFC 7386) as evanphx/json-patch v4 applies it.
 */

import { Status, statusErrors } from './errors';

/** A JSON value as decoded from a request body. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** Patch metadata of one struct field, from its `patchStrategy`/`patchMergeKey` tags. */
interface FieldMeta {
  /** The struct type of the field (of its elements, for a list). */
  type?: string;
  /** `merge` on a list merges it by `mergeKey` (or as a set of primitives). */
  strategy?: 'merge' | 'replace';
  mergeKey?: string;
}

const merge = (mergeKey?: string, type?: string): FieldMeta => ({
  strategy: 'merge',
  mergeKey,
  type,
});
const struct = (type: string): FieldMeta => ({ type });

const CONDITIONS = merge('type');

/**
 * The struct tags that matter to strategic merge patch, for the built-in
 * types the dev cluster serves. Fields not listed have no strategy: maps
 * merge, lists are replaced.
 */
const PATCH_META: Record<string, Record<string, FieldMeta>> = {
  ObjectMeta: { finalizers: merge(), ownerReferences: merge('uid') },
  PodTemplateSpec: { metadata: struct('ObjectMeta'), spec: struct('PodSpec') },
  PodSpec: {
    volumes: merge('name'),
    initContainers: merge('name', 'Container'),
    containers: merge('name', 'Container'),
    ephemeralContainers: merge('name', 'Container'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    topologySpreadConstraints: merge('topologyKey'),
    resourceClaims: merge('name'),
    schedulingGates: merge('name'),
  },
  Container: {
    ports: merge('containerPort'),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  PodStatus: {
    conditions: CONDITIONS,
    podIPs: merge('ip'),
    hostIPs: merge('ip'),
    resourceClaimStatuses: merge('name'),
  },
  ServiceSpec: { ports: merge('port') },
  ServiceStatus: { conditions: CONDITIONS },
  NodeSpec: { podCIDRs: merge() },
  NodeStatus: { conditions: CONDITIONS, addresses: merge('type') },
  NamespaceStatus: { conditions: CONDITIONS },
  PersistentVolumeClaimStatus: { conditions: CONDITIONS },
  DeploymentSpec: { template: struct('PodTemplateSpec') },
  ConditionsStatus: { conditions: CONDITIONS },
  JobSpec: { template: struct('PodTemplateSpec') },
  JobTemplateSpec: { metadata: struct('ObjectMeta'), spec: struct('JobSpec') },
  CronJobSpec: { jobTemplate: struct('JobTemplateSpec') },
};

/** Root types of kinds with spec/status types in the table. */
function kindRoot(spec?: string, status?: string): Record<string, FieldMeta> {
  const root: Record<string, FieldMeta> = { metadata: struct('ObjectMeta') };
  if (spec) root.spec = struct(spec);
  if (status) root.status = struct(status);
  return root;
}

const NO_SPEC = kindRoot();

/** Every compiled-in kind the dev cluster serves, keyed `<group>/<Kind>`. */
const BUILT_IN_KINDS: Record<string, Record<string, FieldMeta>> = {
  '/Pod': kindRoot('PodSpec', 'PodStatus'),
  '/PodTemplate': {
    metadata: struct('ObjectMeta'),
    template: struct('PodTemplateSpec'),
  },
  '/ReplicationController': kindRoot('DeploymentSpec', 'ConditionsStatus'),
  '/Service': kindRoot('ServiceSpec', 'ServiceStatus'),
  '/Node': kindRoot('NodeSpec', 'NodeStatus'),
  '/Namespace': kindRoot(undefined, 'NamespaceStatus'),
  '/PersistentVolumeClaim': kindRoot(undefined, 'PersistentVolumeClaimStatus'),
  '/PersistentVolume': NO_SPEC,
  '/ServiceAccount': { metadata: struct('ObjectMeta'), secrets: merge('name') },
  '/ConfigMap': NO_SPEC,
  '/Secret': NO_SPEC,
  '/Endpoints': NO_SPEC,
  '/Event': NO_SPEC,
  '/ResourceQuota': NO_SPEC,
  '/LimitRange': NO_SPEC,
  '/Binding': NO_SPEC,
  'apps/Deployment': kindRoot('DeploymentSpec', 'ConditionsStatus'),
  'apps/ReplicaSet': kindRoot('DeploymentSpec', 'ConditionsStatus'),
  'apps/StatefulSet': kindRoot('DeploymentSpec', 'ConditionsStatus'),
  'apps/DaemonSet': kindRoot('DeploymentSpec', 'ConditionsStatus'),
  'apps/ControllerRevision': NO_SPEC,
  'batch/Job': kindRoot('JobSpec', 'ConditionsStatus'),
  'batch/CronJob': kindRoot('CronJobSpec'),
  'storage.k8s.io/StorageClass': NO_SPEC,
  'coordination.k8s.io/Lease': NO_SPEC,
  'rbac.authorization.k8s.io/Role': NO_SPEC,
  'rbac.authorization.k8s.io/ClusterRole': NO_SPEC,
  'rbac.authorization.k8s.io/RoleBinding': NO_SPEC,
  'rbac.authorization.k8s.io/ClusterRoleBinding': NO_SPEC,
  'apiextensions.k8s.io/CustomResourceDefinition': NO_SPEC,
  'authorization.k8s.io/SelfSubjectAccessReview': NO_SPEC,
  'authorization.k8s.io/SubjectAccessReview': NO_SPEC,
  'authentication.k8s.io/TokenReview': NO_SPEC,
  'autoscaling/Scale': NO_SPEC,
  'events.k8s.io/Event': NO_SPEC,
};

/**
 * True for compiled-in kinds, which accept strategic merge patch; custom
 * resources do not (the server answers 415 with {@link acceptedPatchTypes}).
 */
export function supportsStrategicMergePatch(
  group: string,
  kind: string,
): boolean {
  return `${group}/${kind}` in BUILT_IN_KINDS;
}

/** The patch content types a resource accepts, in the order Kubernetes lists them. */
export function acceptedPatchTypes(strategicMerge: boolean): string[] {
  return strategicMerge
    ? [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ]
    : [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ];
}

/** A patch that cannot be applied; `status` is what kube-apiserver answers. */
export class PatchError extends Error {
  constructor(message: string, readonly status: Status) {
    super(message);
    this.name = 'PatchError';
  }
}

/** Malformed directives are 400 BadRequest. */
const badRequest = (message: string) =>
  new PatchError(message, statusErrors.badRequest(message));
/** Errors the apiserver does not map are 500 with an empty reason. */
function unmapped(message: string): PatchError {
  return new PatchError(message, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    code: 500,
  });
}
const unprocessable = (message: string) =>
  new PatchError(message, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    code: 422,
  });

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Go's %v for decoded JSON (maps print as `map[k:v]` with sorted keys). */
function goFormat(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map(key => `${key}:${goFormat(value[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

const noMergeKey = (item: JsonObject, key: string) =>
  unmapped(
    `map: ${goFormat(item)} does not contain declared merge key: ${key}`,
  );
const badPatchType = (type: JsonValue, item: JsonObject) =>
  unmapped(`unknown patch type: ${goFormat(type)} in map: ${goFormat(item)}`);

/** Go compares decoded scalars with ==; maps and slices never compare equal. */
const scalarEquals = (a: JsonValue | undefined, b: JsonValue | undefined) =>
  a === b && (a === null || typeof a !== 'object');

function kindOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Removes nulls (and stray directives) from a value the patch adds wholesale. */
function discardNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(discardNulls);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null && !key.startsWith('$')) out[key] = discardNulls(child);
  }
  return out;
}

/** Types are struct names, or `<group>/<Kind>` for the root of an object. */
function fieldMeta(type: string | undefined, key: string): FieldMeta {
  if (!type) return {};
  return (PATCH_META[type] ?? BUILT_IN_KINDS[type])?.[key] ?? {};
}

function mergeKeyValue(
  item: JsonValue,
  mergeKey: string | undefined,
): JsonValue | undefined {
  return mergeKey ? (item as JsonObject)[mergeKey] : item;
}

function indexIn(
  list: JsonValue[],
  item: JsonValue,
  mergeKey: string | undefined,
): number {
  const wanted = mergeKeyValue(item, mergeKey);
  return list.findIndex(candidate =>
    scalarEquals(mergeKeyValue(candidate, mergeKey), wanted),
  );
}

/** Go's in-place dedupe: a duplicate's slot is filled by the last element. */
function deduplicateScalars(values: JsonValue[]): JsonValue[] {
  const s = [...values];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (scalarEquals(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function partitionByPresence(
  merged: JsonValue[],
  partitionBy: JsonValue[],
  mergeKey: string | undefined,
): [JsonValue[], JsonValue[]] {
  const present: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of merged) {
    if (mergeKey) {
      if (!isObject(item)) {
        throw unmapped(
          `expected a map[string]interface {}, but received a ${kindOf(item)}`,
        );
      }
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    }
    (indexIn(partitionBy, item, mergeKey) >= 0 ? present : serverOnly).push(
      item,
    );
  }
  return [present, serverOnly];
}

/** Stable sort by position in `order`; `$patch: delete` items go last. */
function normalizeSliceOrder(
  toSort: JsonValue[],
  order: JsonValue[],
  mergeKey: string | undefined,
): JsonValue[] {
  let items = toSort;
  let toDelete: JsonValue[] = [];
  if (mergeKey) {
    for (const item of [...toSort, ...order]) {
      if (!isObject(item) || !(mergeKey in item)) {
        throw noMergeKey(item as JsonObject, mergeKey);
      }
    }
    items = toSort.filter(item => (item as JsonObject)[DIRECTIVE] !== 'delete');
    toDelete = toSort.filter(
      item => (item as JsonObject)[DIRECTIVE] === 'delete',
    );
  }
  const position = (item: JsonValue) => {
    const i = indexIn(order, item, mergeKey);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [
    ...items
      .map((item, i) => ({ item, i, at: position(item) }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map(({ item }) => item),
    ...toDelete,
  ];
}

/**
 * Interleaves server-only items into the patch items, keeping each list's
 * order and the live order where both items are live (mergeSortedSlice).
 */
function normalizeElementOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string | undefined,
): JsonValue[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) {
      out.push(right[j++]);
    } else if (j >= right.length) {
      out.push(left[i++]);
    } else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function elementsAreMaps(...lists: JsonValue[][]): boolean {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const itemKind = kindOf(item);
      if (kind === undefined) {
        if (itemKind === 'array')
          throw unprocessable('lists of lists are not supported');
        kind = itemKind;
      } else if (kind !== itemKind) {
        throw unmapped(
          `list element types are not identical: ${goFormat(
            lists as unknown as JsonValue,
          )}`,
        );
      }
    }
  }
  return kind === 'object';
}

function mergeList(
  original: JsonValue[],
  patch: JsonValue[],
  meta: FieldMeta,
  isDeleteList: boolean,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const { mergeKey } = meta;
  if (!elementsAreMaps(original, patch)) {
    if (isDeleteList) {
      return original.filter(v => !patch.some(d => scalarEquals(d, v)));
    }
    const merged = deduplicateScalars([...original, ...patch]);
    return normalizeElementOrder(
      ...partitionByPresence(merged, patch, undefined),
      patch,
      original,
      undefined,
    );
  }
  if (!mergeKey) {
    throw unmapped('cannot merge lists without merge key for type struct');
  }
  let base = [...original];
  const plainItems: JsonValue[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!(DIRECTIVE in item)) {
      plainItems.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      base = base.filter(
        entry => !scalarEquals((entry as JsonObject)[mergeKey], item[mergeKey]),
      );
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw unmapped('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  if (replace) return plainItems.map(discardNulls);
  const merged = [...base];
  for (const item of plainItems as JsonObject[]) {
    if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex(
      entry => isObject(entry) && scalarEquals(entry[mergeKey], item[mergeKey]),
    );
    if (at >= 0) {
      merged[at] = mergeObject(merged[at] as JsonObject, item, meta.type);
    } else {
      merged.push(discardNulls(item));
    }
  }
  return normalizeElementOrder(
    ...partitionByPresence(merged, plainItems, mergeKey),
    plainItems,
    base,
    mergeKey,
  );
}

function suffixAfter(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(
      prefix === SET_ELEMENT_ORDER
        ? 'invalid patch format of setElementOrder list'
        : 'invalid patch format of primitive list',
    );
  }
  return key.slice(slash + 1);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain))
    throw badRequest('invalid patch format of retainKeys');
  for (const [key, value] of Object.entries(patch)) {
    if (
      value === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST) ||
      key.startsWith(SET_ELEMENT_ORDER)
    ) {
      continue;
    }
    if (!retain.includes(key))
      throw badRequest('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(original)) {
    if (!retain.includes(key)) delete original[key];
  }
}

/** Checks the patch list follows the `$setElementOrder` order (deletions ignored). */
function validateSetOrder(
  patchList: JsonValue[],
  order: JsonValue[],
  mergeKey: string | undefined,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey
    ? patchList.filter(item => (item as JsonObject)[DIRECTIVE] !== 'delete')
    : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isObject(items[p]) && DIRECTIVE in (items[p] as JsonObject)) {
      p++;
      continue;
    }
    if (mergeKey) {
      for (const item of [items[p], order[o]]) {
        if (!isObject(item) || !(mergeKey in item)) {
          throw noMergeKey(item as JsonObject, mergeKey);
        }
      }
    }
    if (
      scalarEquals(
        mergeKeyValue(items[p], mergeKey),
        mergeKeyValue(order[o], mergeKey),
      )
    ) {
      p++;
    }
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw unmapped(
      `The order in patch list:\n${goFormat(
        patchList,
      )}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
    );
  }
}

/** Applies `$setElementOrder/<field>` together with the field's patch list. */
function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  type: string | undefined,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) {
      throw unmapped(
        `expected a []interface {}, but received a ${kindOf(order)}`,
      );
    }
    const field = suffixAfter(key, SET_ELEMENT_ORDER);
    const meta = fieldMeta(type, field);
    const originalList = original[field];
    const patchList = patch[field];
    const foundOriginal = field in original;
    const foundPatch = field in patch;
    if (foundOriginal && !Array.isArray(originalList)) {
      throw unmapped(
        `expected a []interface {}, but received a ${kindOf(originalList)}`,
      );
    }
    if (foundPatch && !Array.isArray(patchList)) {
      throw unmapped(
        `expected a []interface {}, but received a ${kindOf(patchList)}`,
      );
    }
    const originalItems = (originalList as JsonValue[] | undefined) ?? [];
    const patchItems = (patchList as JsonValue[] | undefined) ?? [];
    validateSetOrder(patchItems, order, meta.mergeKey);
    let merged: JsonValue[];
    if (foundOriginal && foundPatch) {
      merged =
        meta.strategy === 'merge'
          ? mergeList(originalItems, patchItems, meta, false)
          : patchItems.map(discardNulls);
    } else if (foundPatch) {
      merged = patchItems.map(discardNulls);
    } else if (foundOriginal) {
      merged = originalItems;
    } else {
      continue;
    }
    // Rejects lists of lists and mixed element types, as Go does here.
    elementsAreMaps(originalItems, patchItems);
    original[field] = normalizeElementOrder(
      ...partitionByPresence(merged, order, meta.mergeKey),
      order,
      originalItems,
      meta.mergeKey,
    );
    delete patch[field];
  }
}

function mergeObject(
  originalIn: JsonObject | undefined,
  patchIn: JsonObject,
  type: string | undefined,
): JsonObject {
  // Work on copies: callers keep their documents.
  const patch: JsonObject = { ...patchIn };
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return discardNulls(patch) as JsonObject;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  const original: JsonObject = { ...(originalIn ?? {}) };
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, type);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = suffixAfter(patchKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    if (!(key in original)) {
      // A deletion list for an absent list has nothing to delete.
      if (!isDeleteList) original[key] = discardNulls(patchValue);
      continue;
    }
    const current = original[key];
    if (kindOf(current) !== kindOf(patchValue)) {
      if (!isDeleteList) original[key] = discardNulls(patchValue);
      continue;
    }
    const meta = fieldMeta(type, key);
    if (isObject(current)) {
      original[key] =
        meta.strategy === 'replace'
          ? discardNulls(patchValue)
          : mergeObject(current, patchValue as JsonObject, meta.type);
    } else if (Array.isArray(current)) {
      original[key] =
        meta.strategy === 'merge'
          ? mergeList(current, patchValue as JsonValue[], meta, isDeleteList)
          : (patchValue as JsonValue[]).map(discardNulls);
    } else {
      original[key] = patchValue;
    }
  }
  return original;
}

/**
 * Applies a strategic merge patch to an object of a built-in kind, without
 * mutating either argument. Maps merge recursively and `null` deletes; lists
 * with a merge strategy merge by their merge key (or as sets of primitives),
 * other lists are replaced. Supports `$patch: replace|delete`, `$retainKeys`,
 * `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>`. For a
 * kind without patch metadata every list is replaced. Throws
 * {@link PatchError} carrying the Status kube-apiserver returns.
 */
export function strategicMergePatch<T extends object>(
  original: T,
  patch: unknown,
  group: string,
  kind: string,
): T {
  if (!isObject(patch as JsonValue)) {
    throw badRequest('invalid JSON document');
  }
  return mergeObject(
    structuredClone(original) as unknown as JsonObject,
    structuredClone(patch) as JsonObject,
    `${group}/${kind}`,
  ) as unknown as T;
}

/** Removes nulls from objects nested in a value being added, as evanphx/json-patch does. */
function pruneNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null) out[key] = pruneNulls(child);
  }
  return out;
}

/**
 * Applies a JSON merge patch (RFC 7386): objects merge recursively, `null`
 * removes a member, anything else (arrays included) replaces. Does not
 * mutate its arguments.
 */
export function jsonMergePatch(target: unknown, patch: unknown): JsonValue {
  const patchValue = patch as JsonValue;
  if (!isObject(patchValue)) return structuredClone(patchValue);
  const result: JsonObject = isObject(target as JsonValue)
    ? structuredClone(target as JsonObject)
    : {};
  for (const [key, value] of Object.entries(patchValue)) {
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      result[key] = jsonMergePatch(result[key], value);
    } else {
      result[key] = pruneNulls(structuredClone(value));
    }
  }
  return result;
}
