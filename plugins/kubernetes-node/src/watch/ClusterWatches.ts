import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { ClusterAccess, mapKubernetesError } from '../clusters';
import {
  CachedObject,
  ResourceCache,
  ResourceCacheOptions,
  ResourceKind,
} from './ResourceCache';

/**
 * A kind to watch, as {@link ClusterWatches.cache} takes it.
 * @public
 */
export interface WatchedResource<T extends CachedObject = CachedObject>
  extends ResourceKind {
  /** `Pod`, `PipelineRun`, … */
  kind: string;
  /** False for a cluster-scoped kind (default true); listed and watched alike. */
  namespaced?: boolean;
  /**
   * What the cache keeps of each object (see {@link ResourceCacheOptions}).
   * The cache is shared: every user of a kind must pass the same function
   * (or none, for {@link stripServerBookkeeping}).
   */
  transform?: (object: T) => T;
  /**
   * What to check when the cluster does not serve the kind, in messages:
   * e.g. "is Tekton Pipelines installed?".
   */
  notServedHint?: string;
}

/**
 * Since when the watches of a cluster have failed, and why in Kubernetes'
 * words: the cluster as the portal last saw it.
 * @public
 */
export interface ClusterUnreachable {
  cluster: string;
  message: string;
  /** ISO 8601. */
  unreachableSince: string;
}

/** Options of {@link ClusterWatches}. @public */
export interface ClusterWatchesOptions {
  clusters: ClusterAccess;
  logger: LoggerService;
  /** Passed to every cache (tests shorten back-off and watch renewals). */
  cacheOptions?: Pick<
    ResourceCacheOptions,
    'backoffMs' | 'watchTimeoutSeconds' | 'pageSize'
  >;
}

interface Watched {
  resource: WatchedResource<any>;
  cache: ResourceCache<any>;
}

const keyOf = (resource: ResourceKind) =>
  `${resource.group}/${resource.version}/${resource.plural}`;

/**
 * One watch per kind per cluster for every plugin of the backend: the first
 * {@link ClusterWatches.cache} call for a kind on a cluster makes its
 * {@link ResourceCache}; later calls, from any plugin, get that same cache.
 *
 * A cache runs once started: by its user ({@link ResourceCache.start}, after
 * subscribing to it, to see its first list as events), or by
 * {@link ClusterWatches.start}, which starts every cache and those made later.
 * @public
 */
export class ClusterWatches {
  private readonly byCluster = new Map<string, Map<string, Watched>>();
  private running = false;

  constructor(private readonly options: ClusterWatchesOptions) {}

  /** The clusters of the config, each of which can be watched. */
  clusterNames(): string[] {
    return this.options.clusters.list().map(c => c.name);
  }

  /**
   * THE cache of a kind on a cluster: made on the first call, the same one
   * on every later call. Throws for a cluster that is not configured, and
   * for a `transform` other than the one the cache was made with.
   */
  cache<T extends CachedObject = CachedObject>(
    cluster: string,
    resource: WatchedResource<T>,
  ): ResourceCache<T> {
    const { kubeConfig } = this.options.clusters.get(cluster);
    let watched = this.byCluster.get(cluster);
    if (!watched) {
      watched = new Map();
      this.byCluster.set(cluster, watched);
    }
    const key = keyOf(resource);
    const existing = watched.get(key);
    if (existing) {
      if (existing.resource.transform !== resource.transform) {
        throw new Error(
          `${
            resource.group
              ? `${resource.plural}.${resource.group}`
              : resource.plural
          } on cluster "${cluster}" are already watched with another transform; the cache is shared, so every user of the kind must pass the same transform`,
        );
      }
      return existing.cache;
    }
    const { group, version, plural, kind } = resource;
    const cache = new ResourceCache<T>({
      ...this.options.cacheOptions,
      cluster,
      kubeConfig,
      kind: { group, version, plural, kind },
      transform: resource.transform,
      onError: error =>
        this.options.logger.warn(
          this.describe(cluster, resource, 'watch', error).message,
        ),
    });
    watched.set(key, { resource, cache });
    if (this.running) cache.start();
    return cache;
  }

  /** Starts every cache, and from now on each cache as it is made. */
  start(): void {
    this.running = true;
    for (const { cache } of this.all()) cache.start();
  }

  /** Stops every cache. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.all().map(({ cache }) => cache.stop()));
  }

  /**
   * Whether the caches of the given kinds (every kind watched on the
   * cluster by default) have stopped following a cluster they had listed:
   * since when (the earliest of them), and the last failure in Kubernetes'
   * words. Undefined while they follow it. Their objects are the last known
   * state.
   */
  staleness(
    cluster: string,
    resources?: ResourceKind[],
  ): ClusterUnreachable | undefined {
    let stalest: Watched | undefined;
    for (const watched of this.watchedOn(cluster, resources)) {
      const since = watched.cache.staleSince;
      if (since && (!stalest || since < stalest.cache.staleSince!)) {
        stalest = watched;
      }
    }
    if (!stalest) return undefined;
    return {
      cluster,
      message: this.describe(
        cluster,
        stalest.resource,
        'watch',
        stalest.cache.lastError,
      ).message,
      unreachableSince: stalest.cache.staleSince!.toISOString(),
    };
  }

  /**
   * Waits up to `timeoutMs` for the first list of each cache of the given
   * kinds on a cluster, then fails with the reason (unreachable cluster,
   * missing RBAC, kind not served). A cache whose first list already failed
   * answers at once rather than holding every request for the whole timeout.
   */
  async synced(
    cluster: string,
    resources: ResourceKind[],
    timeoutMs: number,
  ): Promise<void> {
    for (const { resource, cache } of this.watchedOn(cluster, resources)) {
      const failedBefore = !cache.hasSynced && cache.lastError !== undefined;
      if (failedBefore || !(await cache.waitForSync(timeoutMs))) {
        const error = cache.lastError;
        throw error
          ? this.describe(cluster, resource, 'list', error)
          : new ServiceUnavailableError(
              `still loading ${resource.plural} from cluster "${cluster}"; try again shortly`,
            );
      }
    }
  }

  private watchedOn(cluster: string, resources?: ResourceKind[]): Watched[] {
    const watched = this.byCluster.get(cluster);
    if (!resources) return [...(watched?.values() ?? [])];
    return resources.map(resource => {
      const found = watched?.get(keyOf(resource));
      if (!found) {
        throw new ServiceUnavailableError(
          `${resource.plural} on cluster "${cluster}" are not watched`,
        );
      }
      return found;
    });
  }

  private all(): Watched[] {
    return [...this.byCluster.values()].flatMap(w => [...w.values()]);
  }

  private describe(
    cluster: string,
    resource: WatchedResource<any>,
    verb: 'list' | 'watch',
    error: unknown,
  ): Error {
    return mapKubernetesError(error, {
      cluster,
      verb,
      resource: resource.plural,
      group: resource.group,
      notServedHint: resource.notServedHint,
    });
  }
}
