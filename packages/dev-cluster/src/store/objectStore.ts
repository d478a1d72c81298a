import { StoreError } from './errors';
import { KubeObject, StoreEvent, StoreEventType } from './types';

/*
 * An in-memory, versioned object store in the manner of etcd behind
 * kube-apiserver's watch cache: one global resourceVersion counter, objects
 * kept per resource and indexed by namespace, a bounded per-resource event
 * history to serve watches and consistent paged lists from past versions.
 *
 * Stored objects are shared, never copied on read: callers must treat what
 * they get as immutable and pass in fresh objects to write.
 */

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export interface ListOptions {
  /** Only objects of this namespace. */
  namespace?: string;
  /** Continue after this key (exclusive). */
  startAfter?: string;
  /** At most this many items (0 or undefined: all). */
  limit?: number;
  /** Serve the list as it was at this resourceVersion (consistent paging). */
  atResourceVersion?: number;
  /** Only objects this predicate accepts. */
  filter?: (object: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The resourceVersion the list reflects. */
  resourceVersion: number;
  /** Set when more objects follow; continue from this key. */
  lastKey?: string;
  /** How many objects follow, when known (no filter). */
  remaining?: number;
}

export interface WatchOptions {
  namespace?: string;
  /**
   * Replay the changes after this resourceVersion. Undefined: start with a
   * synthetic ADDED event for every current object.
   */
  sinceResourceVersion?: number;
}

export type WatchListener = (event: StoreEvent) => void;

export interface WatchHandle {
  /** The events that precede live ones: replayed history or the initial state. */
  initial: StoreEvent[];
  stop(): void;
}

interface Watcher {
  namespace?: string;
  listener: WatchListener;
}

/** The index of the first element of the sorted array greater than or equal to `key`. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: string[], key: string): void {
  const index = lowerBound(sorted, key);
  if (sorted[index] !== key) sorted.splice(index, 0, key);
}

function removeSorted(sorted: string[], key: string): void {
  const index = lowerBound(sorted, key);
  if (sorted[index] === key) sorted.splice(index, 1);
}

/** The uid of an object's controller (its ownerReference with `controller: true`). */
function controllerUid(object: KubeObject | undefined): string | undefined {
  return object?.metadata.ownerReferences?.find(r => r.controller)?.uid;
}

class ResourceBucket {
  readonly objects = new Map<string, KubeObject>();
  readonly namespaceKeys = new Map<string, Set<string>>();
  /**
   * Keys by their controller's uid, as the informers of
   * kube-controller-manager index pods: a Job or ReplicaSet finds its pods
   * without a scan of its namespace (quadratic with many owners in one).
   */
  readonly controlled = new Map<string, Set<string>>();
  private sortedAll: string[] | undefined;
  private readonly sortedByNamespace = new Map<string, string[]>();
  history: StoreEvent[] = [];
  private historyStart = 0;
  readonly watchers = new Set<Watcher>();

  constructor(
    /** History before (and at) this version is no longer available. */
    public compactedResourceVersion: number,
    private readonly historyLimit: number,
  ) {}

  put(key: string, namespace: string, object: KubeObject): void {
    if (!this.objects.has(key)) {
      let keys = this.namespaceKeys.get(namespace);
      if (!keys) {
        keys = new Set();
        this.namespaceKeys.set(namespace, keys);
      }
      keys.add(key);
      // Keep the sorted key arrays that exist sorted (binary insertion)
      // rather than sorting all keys again on the next list.
      if (this.sortedAll) insertSorted(this.sortedAll, key);
      const inNamespace = this.sortedByNamespace.get(namespace);
      if (inNamespace) insertSorted(inNamespace, key);
    }
    const before = controllerUid(this.objects.get(key));
    const after = controllerUid(object);
    if (before !== after) {
      if (before) this.uncontrol(before, key);
      if (after) {
        let keys = this.controlled.get(after);
        if (!keys) {
          keys = new Set();
          this.controlled.set(after, keys);
        }
        keys.add(key);
      }
    }
    this.objects.set(key, object);
  }

  private uncontrol(uid: string, key: string): void {
    const keys = this.controlled.get(uid);
    keys?.delete(key);
    if (keys?.size === 0) this.controlled.delete(uid);
  }

  remove(key: string, namespace: string): void {
    const uid = controllerUid(this.objects.get(key));
    if (!this.objects.delete(key)) return;
    if (uid) this.uncontrol(uid, key);
    const keys = this.namespaceKeys.get(namespace);
    keys?.delete(key);
    if (keys && keys.size === 0) this.namespaceKeys.delete(namespace);
    if (this.sortedAll) removeSorted(this.sortedAll, key);
    const inNamespace = this.sortedByNamespace.get(namespace);
    if (inNamespace) {
      if (keys && keys.size > 0) removeSorted(inNamespace, key);
      else this.sortedByNamespace.delete(namespace);
    }
  }

  /** Every key (of one namespace), sorted; callers must not modify the array. */
  sortedKeys(namespace?: string): string[] {
    if (namespace === undefined) {
      this.sortedAll ??= [...this.objects.keys()].sort();
      return this.sortedAll;
    }
    let keys = this.sortedByNamespace.get(namespace);
    if (!keys) {
      const inNamespace = this.namespaceKeys.get(namespace);
      if (!inNamespace) return [];
      keys = [...inNamespace].sort();
      this.sortedByNamespace.set(namespace, keys);
    }
    return keys;
  }

  record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length - this.historyStart > this.historyLimit) {
      this.compactedResourceVersion =
        this.history[this.historyStart].resourceVersion;
      this.historyStart++;
      if (this.historyStart >= this.historyLimit) {
        this.history = this.history.slice(this.historyStart);
        this.historyStart = 0;
      }
    }
  }

  /** Events with resourceVersion > since, oldest first. */
  eventsSince(since: number): StoreEvent[] {
    if (since < this.compactedResourceVersion) {
      throw new StoreError(
        'TooOld',
        `too old resource version: ${since} (${this.compactedResourceVersion})`,
        this.compactedResourceVersion,
      );
    }
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid].resourceVersion <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }
}

export interface ObjectStoreOptions {
  /** Events kept per resource for watches and paging (default 10,000). */
  historyLimit?: number;
  /** The resourceVersion to continue from (after a restore). */
  initialResourceVersion?: number;
}

export class ObjectStore {
  private readonly buckets = new Map<string, ResourceBucket>();
  private revision: number;
  /** No history exists from before this version (start or restore). */
  private historyFloor: number;
  private readonly historyLimit: number;
  private readonly changeListeners: Array<
    (resource: string, event: StoreEvent) => void
  > = [];
  /**
   * Events written by listeners while another event is being delivered wait
   * here, so every watcher sees events in resourceVersion order.
   */
  private readonly pending: Array<() => void> = [];
  private delivering = false;

  constructor(options: ObjectStoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? 10_000;
    this.revision = options.initialResourceVersion ?? 0;
    this.historyFloor = this.revision;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  /**
   * Called after every write with its resource and event (persistence and
   * controllers that follow every resource hook in here). Like watchers,
   * listeners must not write synchronously.
   */
  onChange(listener: (resource: string, event: StoreEvent) => void): void {
    this.changeListeners.push(listener);
  }

  private bucket(resource: string): ResourceBucket {
    let bucket = this.buckets.get(resource);
    if (!bucket) {
      bucket = new ResourceBucket(this.historyFloor, this.historyLimit);
      this.buckets.set(resource, bucket);
    }
    return bucket;
  }

  resources(): string[] {
    return [...this.buckets.keys()];
  }

  get(resource: string, key: string): KubeObject | undefined {
    return this.buckets.get(resource)?.objects.get(key);
  }

  count(resource: string, namespace?: string): number {
    const bucket = this.buckets.get(resource);
    if (!bucket) return 0;
    if (namespace === undefined) return bucket.objects.size;
    return bucket.namespaceKeys.get(namespace)?.size ?? 0;
  }

  /** The current objects whose controller has `uid`, in key order (as a list has them). */
  controlledBy(resource: string, uid: string): KubeObject[] {
    const bucket = this.buckets.get(resource);
    const keys = bucket?.controlled.get(uid);
    if (!keys) return [];
    return [...keys].sort().map(key => bucket!.objects.get(key)!);
  }

  list(resource: string, options: ListOptions = {}): ListResult {
    const bucket = this.bucket(resource);
    const { namespace, startAfter, limit, filter } = options;
    const at = options.atResourceVersion;
    let keys = bucket.sortedKeys(namespace);
    let lookup = (key: string) => bucket.objects.get(key);
    // Every key of the current sorted array names a stored object; merged
    // with a past state, some name objects absent then.
    let everyKeyPresent = true;
    if (at !== undefined && at < this.revision) {
      const past = this.pastState(bucket, at, namespace);
      if (past.size > 0) {
        const merged = new Set(keys);
        for (const key of past.keys()) merged.add(key);
        keys = [...merged].sort();
        everyKeyPresent = false;
        lookup = key =>
          past.has(key) ? past.get(key) ?? undefined : bucket.objects.get(key);
      }
    }
    let index = 0;
    if (startAfter !== undefined) {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid] <= startAfter) lo = mid + 1;
        else hi = mid;
      }
      index = lo;
    }
    const items: KubeObject[] = [];
    const max = limit && limit > 0 ? limit : Infinity;
    let lastKey: string | undefined;
    for (; index < keys.length && items.length < max; index++) {
      const object = lookup(keys[index]);
      if (!object || (filter && !filter(object))) continue;
      items.push(object);
      lastKey = keys[index];
    }
    const more = index < keys.length;
    return {
      items,
      resourceVersion:
        at !== undefined && at < this.revision ? at : this.revision,
      lastKey: more ? lastKey ?? keys[index - 1] : undefined,
      remaining:
        more && !filter
          ? this.countRemaining(keys, index, lookup, everyKeyPresent)
          : undefined,
    };
  }

  private countRemaining(
    keys: string[],
    from: number,
    lookup: (key: string) => KubeObject | undefined,
    everyKeyPresent: boolean,
  ): number {
    if (everyKeyPresent) return keys.length - from;
    let n = 0;
    for (let i = from; i < keys.length; i++) if (lookup(keys[i])) n++;
    return n;
  }

  /** The objects that differ at `at` from now: key → object then (null: absent then). */
  private pastState(
    bucket: ResourceBucket,
    at: number,
    namespace?: string,
  ): Map<string, KubeObject | null> {
    const events = bucket.eventsSince(at);
    const past = new Map<string, KubeObject | null>();
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i];
      if (namespace !== undefined && event.namespace !== namespace) continue;
      past.set(event.key, event.previous ?? null);
    }
    return past;
  }

  create(
    resource: string,
    key: string,
    namespace: string,
    object: KubeObject,
  ): KubeObject {
    const bucket = this.bucket(resource);
    if (bucket.objects.has(key))
      throw new StoreError('Exists', `${key} exists`);
    object.metadata.resourceVersion = String(++this.revision);
    bucket.put(key, namespace, object);
    this.emit(resource, bucket, 'ADDED', key, namespace, object, undefined);
    return object;
  }

  /**
   * Replaces an object. With `expectedResourceVersion`, fails with Conflict
   * when the stored object has another one (optimistic concurrency).
   */
  update(
    resource: string,
    key: string,
    namespace: string,
    object: KubeObject,
    expectedResourceVersion?: string,
  ): KubeObject {
    const bucket = this.bucket(resource);
    const previous = bucket.objects.get(key);
    if (!previous) throw new StoreError('NotFound', `${key} not found`);
    if (
      expectedResourceVersion !== undefined &&
      previous.metadata.resourceVersion !== expectedResourceVersion
    ) {
      throw new StoreError('Conflict', `${key} was modified`);
    }
    object.metadata.resourceVersion = String(++this.revision);
    bucket.put(key, namespace, object);
    this.emit(resource, bucket, 'MODIFIED', key, namespace, object, previous);
    return object;
  }

  delete(
    resource: string,
    key: string,
    namespace: string,
    expectedResourceVersion?: string,
  ): KubeObject {
    const bucket = this.bucket(resource);
    const previous = bucket.objects.get(key);
    if (!previous) throw new StoreError('NotFound', `${key} not found`);
    if (
      expectedResourceVersion !== undefined &&
      previous.metadata.resourceVersion !== expectedResourceVersion
    ) {
      throw new StoreError('Conflict', `${key} was modified`);
    }
    bucket.remove(key, namespace);
    // The DELETED event carries the object at the revision of its deletion.
    const deleted = {
      ...previous,
      metadata: {
        ...previous.metadata,
        resourceVersion: String(++this.revision),
      },
    };
    this.emit(resource, bucket, 'DELETED', key, namespace, deleted, previous);
    return deleted;
  }

  private emit(
    resource: string,
    bucket: ResourceBucket,
    type: StoreEventType,
    key: string,
    namespace: string,
    object: KubeObject,
    previous: KubeObject | undefined,
  ) {
    const event: StoreEvent = {
      type,
      resourceVersion: this.revision,
      key,
      namespace,
      object,
      previous,
    };
    bucket.record(event);
    this.pending.push(() => {
      for (const watcher of bucket.watchers) {
        if (
          watcher.namespace === undefined ||
          watcher.namespace === namespace
        ) {
          watcher.listener(event);
        }
      }
      for (const listener of this.changeListeners) listener(resource, event);
    });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift())
        next();
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Starts a watch. The initial events and the registration happen in one
   * synchronous step, so no change falls between them.
   */
  watch(
    resource: string,
    options: WatchOptions,
    listener: WatchListener,
  ): WatchHandle {
    const bucket = this.bucket(resource);
    const { namespace, sinceResourceVersion } = options;
    let initial: StoreEvent[];
    if (sinceResourceVersion === undefined) {
      initial = bucket.sortedKeys(namespace).map(key => {
        const object = bucket.objects.get(key)!;
        return {
          type: 'ADDED',
          resourceVersion: Number(object.metadata.resourceVersion),
          key,
          namespace: object.metadata.namespace ?? '',
          object,
        };
      });
    } else {
      initial = bucket
        .eventsSince(sinceResourceVersion)
        .filter(e => namespace === undefined || e.namespace === namespace);
    }
    const watcher: Watcher = { namespace, listener };
    bucket.watchers.add(watcher);
    return { initial, stop: () => bucket.watchers.delete(watcher) };
  }

  /** Every object of every resource, for persistence. */
  snapshot(): {
    resourceVersion: number;
    resources: Record<string, KubeObject[]>;
  } {
    const resources: Record<string, KubeObject[]> = {};
    for (const [resource, bucket] of this.buckets) {
      if (bucket.objects.size > 0)
        resources[resource] = [...bucket.objects.values()];
    }
    return { resourceVersion: this.revision, resources };
  }

  /** Loads a snapshot into an empty store without emitting events. */
  restore(snapshot: {
    resourceVersion: number;
    resources: Record<string, KubeObject[]>;
  }): void {
    this.revision = Math.max(this.revision, snapshot.resourceVersion);
    this.historyFloor = this.revision;
    for (const [resource, objects] of Object.entries(snapshot.resources)) {
      const bucket = this.bucket(resource);
      bucket.compactedResourceVersion = this.revision;
      for (const object of objects) {
        const ns = object.metadata.namespace ?? '';
        bucket.put(objectKey(ns, object.metadata.name!), ns, object);
      }
    }
  }
}
