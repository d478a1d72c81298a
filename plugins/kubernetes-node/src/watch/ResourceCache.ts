import http from 'node:http';
import https from 'node:https';
import { ApiException, KubeConfig, Watch } from '@kubernetes/client-node';
import { keepAliveAgent } from '../clusters/keepAliveApiClient';
import { LabelSelector, matchesLabelSelector } from './labelSelector';

/** What the cache keeps of any object. @public */
export interface CachedObject {
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A change seen by the watch. @public */
export interface CacheEvent<T> {
  type: 'added' | 'modified' | 'deleted';
  object: T;
}

/**
 * The kind a cache holds, as the API names it: a custom resource
 * (`tekton.dev`, `v1`, `pipelineruns`), a built-in kind of a named group
 * (`apps`, `v1`, `controllerrevisions`) or of the core group (`''`, `v1`,
 * `pods`, with its `kind`, `Pod`).
 * @public
 */
export interface ResourceKind {
  /** API group; `''` for the core group. */
  group: string;
  version: string;
  plural: string;
  /** `Pod`, `PipelineRun`, …, for messages. */
  kind?: string;
}

/** The API path of a kind's collection across all namespaces. */
function collectionPath({ group, version, plural }: ResourceKind): string {
  return group
    ? `/apis/${group}/${version}/${plural}`
    : `/api/${version}/${plural}`;
}

/** One page of a list, as the API answers it. */
interface ListPage<T> {
  items: T[];
  metadata?: {
    resourceVersion?: string;
    _continue?: string;
    continue?: string;
  };
}

/** Options of a {@link ResourceCache}. @public */
export interface ResourceCacheOptions<T extends CachedObject = CachedObject> {
  cluster: string;
  kubeConfig: KubeConfig;
  kind: ResourceKind;
  /** Label keys with an index, for selectors like `key=value`. */
  indexedLabels?: string[];
  /**
   * Named indexes, read with {@link ResourceCache.byIndex}: each maps an
   * object to the value it is found under (undefined: not indexed).
   */
  indexers?: Record<string, (object: T) => string | undefined>;
  /**
   * Applied to each object as it enters the cache, to drop what nothing
   * reads (as client-go's `SetTransform`); must not modify its argument.
   * Default {@link stripServerBookkeeping}.
   */
  transform?: (object: T) => T;
  /** Objects per list page (default 500). */
  pageSize?: number;
  /** Reports list/watch failures; they are retried with back-off. */
  onError?: (error: unknown) => void;
  /** First and longest retry delay (default 1 s, 30 s). */
  backoffMs?: { initial: number; max: number };
  /** How long one watch request lasts before it is renewed (default 5–10 min). */
  watchTimeoutSeconds?: number;
}

class GoneError extends Error {}

function addTo<T>(index: Index<T>, key: string, object: T): void {
  const value = index.valueOf(object);
  if (value === undefined) return;
  let keys = index.keys.get(value);
  if (!keys) index.keys.set(value, (keys = new Set()));
  keys.add(key);
}

function keyOf(object: CachedObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops the API server's and kubectl's bookkeeping (`metadata.managedFields`,
 * the last-applied-configuration annotation): often the largest part of an
 * object, and never read by the portal. Returns a copy; the argument is left
 * as it is.
 * @public
 */
export function stripServerBookkeeping<T extends CachedObject>(object: T): T {
  const { managedFields: _, ...metadata } = object.metadata as Record<
    string,
    unknown
  >;
  const annotations = metadata.annotations as
    | Record<string, string>
    | undefined;
  if (annotations && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...rest } = annotations;
    metadata.annotations = rest;
  }
  return { ...object, metadata } as T;
}

/** A named index: the value each object is found under, and the keys per value. */
interface Index<T> {
  valueOf: (object: T) => string | undefined;
  keys: Map<string, Set<string>>;
}

const labelIndex = (key: string) => `label:${key}`;

/**
 * A reflector: lists one kind of object across all namespaces of a cluster,
 * then watches it from the list's resourceVersion, keeping an in-memory copy
 * (each object through the `transform`) indexed by namespace and name, by
 * chosen labels and by named `indexers`. A `410 Gone` (the watch fell
 * behind the server's history) relists; other failures retry the watch with
 * back-off. Objects handed out are the cache's own: do not modify them.
 * @public
 */
export class ResourceCache<T extends CachedObject = CachedObject> {
  private readonly objects = new Map<string, T>();
  private readonly byNamespace = new Map<string, Set<string>>();
  /** Label indexes (named `label:<key>`) and the named `indexers`. */
  private readonly indexes = new Map<string, Index<T>>();
  private readonly transform: (object: T) => T;
  private readonly listeners = new Set<(event: CacheEvent<T>) => void>();
  private readonly syncWaiters = new Set<() => void>();
  private resourceVersion = '';
  private running = false;
  private loop?: Promise<void>;
  private abort?: AbortController;
  private wake?: () => void;
  private synced = false;
  private lastErrorValue?: unknown;
  private staleSinceValue?: Date;
  /** How many times the cache listed from scratch (first list included). */
  relists = 0;

  constructor(private readonly options: ResourceCacheOptions<T>) {
    this.transform = options.transform ?? stripServerBookkeeping;
    for (const label of options.indexedLabels ?? []) this.indexLabel(label);
    for (const [name, valueOf] of Object.entries(options.indexers ?? {})) {
      this.addIndex(name, valueOf);
    }
  }

  get cluster(): string {
    return this.options.cluster;
  }

  get kind(): ResourceKind {
    return this.options.kind;
  }

  /** True once the first list completed. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** The last list or watch failure, cleared by the next list or watch the server answers. */
  get lastError(): unknown {
    return this.lastErrorValue;
  }

  /**
   * Since when lists and watches have failed (unreachable cluster, lost
   * permission) without one answered in between: the cache holds the
   * objects as they were then. Undefined while the cache follows the cluster.
   */
  get staleSince(): Date | undefined {
    return this.staleSinceValue;
  }

  private failed(error: unknown): void {
    this.lastErrorValue = error;
    this.staleSinceValue ??= new Date();
  }

  private answered(): void {
    this.lastErrorValue = undefined;
    this.staleSinceValue = undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    for (const resolve of this.syncWaiters) resolve();
    this.syncWaiters.clear();
  }

  /** Resolves true once synced, false when `timeoutMs` passes first. */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return true;
    let timer: NodeJS.Timeout | undefined;
    let waiter: (() => void) | undefined;
    await Promise.race([
      new Promise<void>(resolve => {
        waiter = resolve;
        this.syncWaiters.add(resolve);
      }),
      new Promise<void>(resolve => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (waiter) this.syncWaiters.delete(waiter);
    return this.synced;
  }

  /** Called for every change after the first list (relists included). */
  subscribe(listener: (event: CacheEvent<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  get size(): number {
    return this.objects.size;
  }

  /**
   * Indexes objects by a label key from now on, besides `indexedLabels`
   * (e.g. the key of an entity's `backstage.io/kubernetes-label-selector`),
   * so selectors requiring a value of it are answered without a scan.
   */
  indexLabel(key: string): void {
    this.addIndex(labelIndex(key), object => object.metadata.labels?.[key]);
  }

  /**
   * Adds a named index from now on, besides `indexers`, read with
   * {@link ResourceCache.byIndex}. A shared cache keeps the first index of a
   * name: prefix names with what they are for.
   */
  addIndex(name: string, valueOf: (object: T) => string | undefined): void {
    if (this.indexes.has(name)) return;
    const index: Index<T> = { valueOf, keys: new Map() };
    for (const [key, object] of this.objects) addTo(index, key, object);
    this.indexes.set(name, index);
  }

  /** The objects a named index (of `indexers`) finds under a value. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) {
      throw new Error(
        `${this.options.kind.plural} have no index "${name}"; name it in the cache's indexers`,
      );
    }
    return [...(index.keys.get(value) ?? [])].map(
      key => this.objects.get(key)!,
    );
  }

  /**
   * Objects in a namespace (or all), matching a selector. Uses a label index
   * when the selector has an equality requirement on an indexed key.
   */
  list(query: { namespace?: string; selector?: LabelSelector } = {}): T[] {
    const { namespace, selector = [] } = query;
    let keys: Iterable<string> | undefined;
    for (const r of selector) {
      const index = this.indexes.get(labelIndex(r.key));
      if (index && r.operator === 'in' && r.values.length === 1) {
        keys = index.keys.get(r.values[0]) ?? [];
        break;
      }
    }
    if (!keys && namespace !== undefined) {
      keys = this.byNamespace.get(namespace) ?? [];
    }
    const result: T[] = [];
    if (keys) {
      for (const key of keys) {
        const object = this.objects.get(key)!;
        if (
          (namespace === undefined ||
            object.metadata.namespace === namespace) &&
          matchesLabelSelector(selector, object.metadata.labels)
        ) {
          result.push(object);
        }
      }
      return result;
    }
    for (const object of this.objects.values()) {
      if (matchesLabelSelector(selector, object.metadata.labels)) {
        result.push(object);
      }
    }
    return result;
  }

  private async run(): Promise<void> {
    const backoff = this.options.backoffMs ?? { initial: 1000, max: 30_000 };
    let delay = backoff.initial;
    while (this.running) {
      try {
        if (!this.resourceVersion) {
          await this.relist();
        }
        await this.watchOnce();
        delay = backoff.initial;
      } catch (error) {
        if (!this.running) break;
        if (error instanceof GoneError) {
          this.resourceVersion = '';
          continue;
        }
        this.failed(error);
        this.options.onError?.(error);
        await this.sleep(delay);
        delay = Math.min(delay * 2, backoff.max);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.listPage(continueToken);
      for (const item of page.items) items.push(this.transform(item));
      resourceVersion = page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?.continue ?? page.metadata?._continue;
    } while (continueToken && this.running);
    if (!this.running) return;
    this.replace(items);
    this.resourceVersion = resourceVersion;
    this.relists += 1;
    this.answered();
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters) resolve();
      this.syncWaiters.clear();
    }
  }

  /**
   * One page of the kind across all namespaces, as the server sent it: a
   * plain GET over the cluster's keep-alive connections, the body decoded
   * as it arrives. (The client's API classes open a TLS connection per
   * request and, through node-fetch, hold every chunk of a page as a Buffer
   * until the whole page is in: with pages of 500 runs that left about
   * 75 MiB of the process's native heap fragmented after a start. The typed
   * core clients would also turn the objects into classes, unlike the watch.)
   */
  private async listPage(continueToken?: string): Promise<ListPage<T>> {
    const { plural } = this.options.kind;
    const limit = this.options.pageSize ?? 500;
    const server = this.options.kubeConfig.getCurrentCluster()?.server ?? '';
    const url = new URL(
      `${server.replace(/\/$/, '')}${collectionPath(this.options.kind)}`,
    );
    url.searchParams.set('limit', String(limit));
    if (continueToken) url.searchParams.set('continue', continueToken);
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json' },
    };
    await this.options.kubeConfig.applyToHTTPSOptions(options);
    const shared = keepAliveAgent(this.options.kubeConfig);
    if (shared) options.agent = await shared;
    const request = (url.protocol === 'https:' ? https : http).request;
    const { status, body } = await new Promise<{
      status: number;
      body: string;
    }>((resolve, reject) => {
      const req = request(url, options, response => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 500, body: text }),
        );
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    if (status !== 200) {
      throw new ApiException(status, `list of ${plural} failed`, body, {});
    }
    return JSON.parse(body) as ListPage<T>;
  }

  private watchOnce(): Promise<void> {
    const { plural } = this.options.kind;
    const path = collectionPath(this.options.kind);
    return new Promise<void>((resolve, reject) => {
      let gone = false;
      let watchError: Error | undefined;
      let abortRequested = false;
      let ended = false;
      const abortWatch = () => {
        abortRequested = true;
        this.abort?.abort();
      };
      const watch = new Watch(this.options.kubeConfig);
      watch
        .watch(
          path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            // The server ends the watch after this; we then resume from the
            // last resourceVersion, as client-go does.
            timeoutSeconds:
              this.options.watchTimeoutSeconds ??
              300 + Math.floor(Math.random() * 300),
          },
          (type: string, object: any) => {
            if (type === 'ERROR') {
              if (object?.code === 410) {
                gone = true;
              } else {
                watchError = new Error(
                  `watch of ${plural} on cluster "${this.options.cluster}" failed: ${object?.message}`,
                );
              }
              abortWatch();
              return;
            }
            const rv = object?.metadata?.resourceVersion;
            if (type === 'BOOKMARK') {
              if (rv) this.resourceVersion = rv;
              return;
            }
            if (!object?.metadata?.name) return;
            if (type === 'ADDED' || type === 'MODIFIED') {
              this.put(this.transform(object as T));
            } else if (type === 'DELETED') {
              this.remove(object as T);
            }
            if (rv) this.resourceVersion = rv;
          },
          (error: any) => {
            ended = true;
            if (gone || error?.statusCode === 410) {
              reject(new GoneError());
            } else if (error && this.running && error.name !== 'AbortError') {
              reject(error);
            } else if (watchError && this.running) {
              reject(watchError);
            } else {
              resolve();
            }
          },
        )
        .then(controller => {
          // The watch's promise resolves once the server answered 200, or
          // after `done` was called with why it did not.
          if (!ended) this.answered();
          this.abort = controller;
          if (!this.running || abortRequested) controller.abort();
        })
        .catch(reject);
    });
  }

  private replace(items: T[]): void {
    const incoming = new Map(items.map(o => [keyOf(o), o]));
    for (const [key, object] of [...this.objects]) {
      if (!incoming.has(key)) this.remove(object);
    }
    for (const object of incoming.values()) {
      const existing = this.objects.get(keyOf(object));
      if (
        !existing ||
        existing.metadata.resourceVersion !== object.metadata.resourceVersion
      ) {
        this.put(object);
      }
    }
  }

  private put(object: T): void {
    const key = keyOf(object);
    const previous = this.objects.get(key);
    if (previous) this.unindex(key, previous);
    this.objects.set(key, object);
    const ns = object.metadata.namespace ?? '';
    if (!this.byNamespace.has(ns)) this.byNamespace.set(ns, new Set());
    this.byNamespace.get(ns)!.add(key);
    for (const index of this.indexes.values()) addTo(index, key, object);
    this.emit({ type: previous ? 'modified' : 'added', object });
  }

  private remove(object: T): void {
    const key = keyOf(object);
    const previous = this.objects.get(key);
    if (!previous) return;
    this.unindex(key, previous);
    this.objects.delete(key);
    this.emit({ type: 'deleted', object: previous });
  }

  private unindex(key: string, object: T): void {
    const ns = object.metadata.namespace ?? '';
    const inNs = this.byNamespace.get(ns);
    inNs?.delete(key);
    if (inNs?.size === 0) this.byNamespace.delete(ns);
    for (const index of this.indexes.values()) {
      const value = index.valueOf(object);
      if (value === undefined) continue;
      const set = index.keys.get(value);
      set?.delete(key);
      if (set?.size === 0) index.keys.delete(value);
    }
  }

  private emit(event: CacheEvent<T>): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
