import { KubeConfig, KubernetesObject, Watch } from '@kubernetes/client-node';
import fetch from 'node-fetch';
import {
  byNamespace,
  IndexFunction,
  Named,
  ObjectIndex,
  objectKey,
} from './objectIndex';

/*
 * A shared informer, as client-go's reflector and indexer: it lists a
 * collection, then watches it from the list's resourceVersion
 * with allowWatchBookmarks, so a quiet collection's watch still advances its
 * resourceVersion and a reconnect resumes where it stopped instead of
 * listing again. Only a 410 Gone (the resourceVersion left the server's
 * window) makes it list again, and then objects that vanished meanwhile are
 * delivered as deletes. Handlers see the cache already updated. Objects
 * are plain JSON as the API serves them, from lists and watches alike.
 */

export interface InformerHandler<T> {
  add?(object: T): void;
  update?(previous: T, object: T): void;
  delete?(object: T): void;
}

export interface InformerOptions<T> {
  kubeConfig: KubeConfig;
  /** The collection's path: `/api/v1/pods`, `/apis/apps/v1/namespaces/x/deployments`, … */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * How often every cached object is delivered again as an update (old and
   * new the same), as client-go's resync, so a missed trigger is made up;
   * 0 (the default) never.
   */
  resyncPeriodMs?: number;
  /** Named indexes over the cache, for byIndex. */
  indexers?: Record<string, IndexFunction<T>>;
  /** Receives list and watch failures; the informer retries with back-off. */
  onError?: (error: unknown) => void;
}

/** client-go's reflector back-off: 800 ms doubling up to 30 s. */
const BACKOFF_MS = 800;
const MAX_BACKOFF_MS = 30_000;
/** A watch that lasted this long was healthy; its end resets the back-off. */
const HEALTHY_WATCH_MS = 1_000;
/** client-go's minWatchTimeout: the server ends each watch after 5–10 min. */
const MIN_WATCH_TIMEOUT_S = 300;

interface ListResponse<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

/** An API error with the HTTP status (`code`) and the Status message. */
export class ApiStatusError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function isGone(error: unknown): boolean {
  const e = error as { code?: number; statusCode?: number } | null;
  return e?.code === 410 || e?.statusCode === 410;
}

export class Informer<T extends Named = KubernetesObject> {
  private objects = new Map<string, T>();
  private readonly indexes = new Map<string, ObjectIndex<T>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private resourceVersion = '';
  private synced = false;
  private stopped = true;
  /** Tells stale watch callbacks (of a watch since replaced) apart. */
  private generation = 0;
  private request?: AbortController;
  private retryTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private failures = 0;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(private readonly options: InformerOptions<T>) {
    this.indexes.set('namespace', new ObjectIndex<T>(byNamespace));
    for (const [name, indexFunction] of Object.entries(options.indexers ?? {}))
      this.addIndexer(name, indexFunction);
  }

  /**
   * Adds a handler. Added after the first sync, it is first given an add
   * for every cached object, as client-go's AddEventHandler does.
   */
  addEventHandler(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
    if (this.synced)
      for (const object of this.objects.values()) handler.add?.(object);
  }

  /**
   * Adds a named index (before or after start; the cached objects are
   * indexed at once). Controllers sharing an informer add their own.
   */
  addIndexer(name: string, indexFunction: IndexFunction<T>): void {
    if (this.indexes.has(name))
      throw new Error(
        `informer for ${
          this.options.path
        } already has an index ${JSON.stringify(name)}`,
      );
    const index = new ObjectIndex(indexFunction);
    for (const object of this.objects.values()) index.upsert(object);
    this.indexes.set(name, index);
  }

  /** The cached object with this key (`namespace/name`, or `name`). */
  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  getByName(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The cached objects, of one namespace if given. */
  list(namespace?: string): T[] {
    return namespace === undefined
      ? [...this.objects.values()]
      : this.byIndex('namespace', namespace);
  }

  /** The cached objects an index holds under `value`. */
  byIndex(index: string, value: string): T[] {
    const objectIndex = this.indexes.get(index);
    if (!objectIndex)
      throw new Error(
        `informer for ${this.options.path} has no index ${JSON.stringify(
          index,
        )}`,
      );
    return objectIndex.get(value);
  }

  /** Whether the first list has been delivered (client-go's HasSynced). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache is current to. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  get path(): string {
    return this.options.path;
  }

  /**
   * Starts listing and watching; resolves once the cache holds the first
   * list and the watch is open (or the informer was stopped meanwhile).
   * Failures are retried with back-off, never thrown.
   */
  start(): Promise<void> {
    if (this.stopped) {
      this.stopped = false;
      void this.run();
      const resync = this.options.resyncPeriodMs ?? 0;
      if (resync > 0)
        this.resyncTimer = setInterval(() => this.resync(), resync);
    }
    return this.synced
      ? Promise.resolve()
      : new Promise(resolve => this.syncWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.retryTimer);
    clearInterval(this.resyncTimer);
    this.request?.abort();
    this.request = undefined;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private async run(): Promise<void> {
    const generation = ++this.generation;
    const started = Date.now();
    try {
      if (!this.resourceVersion) await this.relist(generation);
      if (generation !== this.generation) return;
      const request = await this.watch(generation, started);
      if (generation !== this.generation) {
        request.abort();
        return;
      }
      this.request = request;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    } catch (error) {
      this.watchEnded(generation, started, error);
    }
  }

  private async relist(generation: number): Promise<void> {
    const { kubeConfig, path, labelSelector, fieldSelector } = this.options;
    // One request, unpaged: as client-go's reflector gets it from the API
    // server's watch cache (resourceVersion=0 ignores limit).
    const list: ListResponse<T> = await getJson(kubeConfig, path, {
      labelSelector,
      fieldSelector,
    });
    if (generation !== this.generation) return;
    this.replace(list.items ?? []);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.synced = true;
  }

  private watch(generation: number, started: number): Promise<AbortController> {
    const { kubeConfig, path, labelSelector, fieldSelector } = this.options;
    return new Watch(kubeConfig).watch(
      path,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(MIN_WATCH_TIMEOUT_S * (1 + Math.random())),
        labelSelector,
        fieldSelector,
      },
      (type: string, object: any) => {
        if (generation !== this.generation) return;
        if (type === 'ERROR') {
          // A Status in the stream ends this watch; 410 means list again.
          const request = this.request;
          this.watchEnded(
            generation,
            started,
            new ApiStatusError(
              object?.code ?? 500,
              `watch ${path}: ${object?.message ?? 'error'}`,
            ),
          );
          request?.abort();
          return;
        }
        this.failures = 0;
        this.onEvent(type, object);
      },
      (error: unknown) => this.watchEnded(generation, started, error),
    );
  }

  private onEvent(type: string, object: any): void {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(object as T);
        break;
      case 'DELETED':
        this.delete(object as T);
        break;
      case 'BOOKMARK':
        break;
      default:
        return;
    }
    const version = object?.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
  }

  private watchEnded(generation: number, started: number, error: unknown) {
    if (generation !== this.generation || this.stopped) return;
    this.generation++;
    this.request = undefined;
    if (isGone(error)) {
      this.resourceVersion = '';
      void this.run();
      return;
    }
    if (!error && Date.now() - started >= HEALTHY_WATCH_MS) {
      this.failures = 0;
      void this.run();
      return;
    }
    if (error) this.options.onError?.(error);
    const delay = Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) void this.run();
    }, delay);
  }

  /** Replaces the cache with a list's items: vanished objects are deleted. */
  private replace(items: T[]): void {
    const listed = new Set(items.map(objectKey));
    for (const [key, object] of this.objects)
      if (!listed.has(key)) this.delete(object);
    for (const item of items) this.upsert(item);
  }

  private upsert(object: T): void {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    if (
      previous &&
      previous.metadata?.resourceVersion === object.metadata?.resourceVersion
    )
      return;
    this.objects.set(key, object);
    for (const index of this.indexes.values()) index.upsert(object);
    for (const handler of this.handlers)
      if (previous) handler.update?.(previous, object);
      else handler.add?.(object);
  }

  private delete(object: T): void {
    const key = objectKey(object);
    const cached = this.objects.get(key);
    if (!cached) return;
    this.objects.delete(key);
    for (const index of this.indexes.values()) index.remove(cached);
    for (const handler of this.handlers) handler.delete?.(object);
  }

  private resync(): void {
    if (!this.synced) return;
    for (const object of this.objects.values())
      for (const handler of this.handlers) handler.update?.(object, object);
  }
}

/** What an informer for a kind watches. */
export interface KindSelector {
  apiVersion: string;
  kind: string;
  /** Only this namespace (a namespaced kind); all namespaces if absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** A GET of the API as plain JSON (no client-node model classes, so lists and watches agree). */
async function getJson(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<any> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  const url = new URL(cluster.server + path);
  for (const [name, value] of Object.entries(query))
    if (value) url.searchParams.set(name, value);
  const init = await kubeConfig.applyToFetchOptions({ method: 'GET' });
  const response = await fetch(url.toString(), init as any);
  const body = (await response.json().catch(() => ({}))) as any;
  if (!response.ok)
    throw new ApiStatusError(
      response.status,
      `GET ${path}: ${body?.message ?? response.statusText}`,
    );
  return body;
}

/** The collection path of a kind, found through API discovery. */
export async function collectionPath(
  kubeConfig: KubeConfig,
  kind: KindSelector,
): Promise<string> {
  const base = kind.apiVersion.includes('/')
    ? `/apis/${kind.apiVersion}`
    : `/api/${kind.apiVersion}`;
  const discovery = await getJson(kubeConfig, base);
  const resource = (discovery.resources ?? []).find(
    (r: { kind: string; name: string }) =>
      r.kind === kind.kind && !r.name.includes('/'),
  );
  if (!resource)
    throw new Error(
      `the API serves no kind ${kind.kind} in ${kind.apiVersion}`,
    );
  if (kind.namespace && !resource.namespaced)
    throw new Error(`${kind.kind} is not namespaced`);
  return kind.namespace
    ? `${base}/namespaces/${encodeURIComponent(kind.namespace)}/${
        resource.name
      }`
    : `${base}/${resource.name}`;
}
