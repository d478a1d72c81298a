import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  KUBERNETES_ID_ANNOTATION,
  Pipeline,
  PipelineRun,
  Task,
  TaskRun,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';
import { ClusterAccess, mapKubernetesError } from '../clusters';
import {
  CachedObject,
  ResourceCache,
  ResourceCacheOptions,
} from './ResourceCache';

/** The Tekton objects of one cluster, kept in memory. @public */
export interface TektonClusterCaches {
  cluster: string;
  pipelineRuns: ResourceCache<PipelineRun & CachedObject>;
  taskRuns: ResourceCache<TaskRun & CachedObject>;
  pipelines: ResourceCache<Pipeline & CachedObject>;
  /** Namespaced Tasks, for the pipeline builder. */
  tasks: ResourceCache<Task & CachedObject>;
}

/** The caches a request can wait for. @public */
export type TektonCacheName = Exclude<keyof TektonClusterCaches, 'cluster'>;

const RUN_CACHES: TektonCacheName[] = ['pipelineRuns', 'taskRuns', 'pipelines'];

/** Options of {@link TektonWatches}. @public */
export interface TektonWatchesOptions {
  clusters: ClusterAccess;
  logger: LoggerService;
  /** Passed to every cache (tests shorten back-off and watch renewals). */
  cacheOptions?: Pick<
    ResourceCacheOptions,
    'backoffMs' | 'watchTimeoutSeconds' | 'pageSize'
  >;
}

const TEKTON = { group: 'tekton.dev', version: 'v1' };

/**
 * One watch per Tekton kind per cluster, shared by every user of the portal:
 * PipelineRuns (indexed by `backstage.io/kubernetes-id` and pipeline),
 * TaskRuns (indexed by PipelineRun), Pipelines and Tasks. Started with the plugin
 * and stopped on shutdown.
 * @public
 */
export class TektonWatches {
  private readonly caches = new Map<string, TektonClusterCaches>();

  constructor(options: TektonWatchesOptions) {
    for (const cluster of options.clusters.list()) {
      const common = (plural: string) => ({
        ...options.cacheOptions,
        cluster: cluster.name,
        kubeConfig: cluster.kubeConfig,
        kind: { ...TEKTON, plural },
        onError: (error: unknown) =>
          options.logger.warn(
            mapKubernetesError(error, {
              cluster: cluster.name,
              verb: 'watch',
              resource: plural,
              group: TEKTON.group,
            }).message,
          ),
      });
      this.caches.set(cluster.name, {
        cluster: cluster.name,
        pipelineRuns: new ResourceCache({
          ...common('pipelineruns'),
          indexedLabels: [KUBERNETES_ID_ANNOTATION, TEKTON_LABELS.pipeline],
        }),
        taskRuns: new ResourceCache({
          ...common('taskruns'),
          indexedLabels: [TEKTON_LABELS.pipelineRun],
        }),
        pipelines: new ResourceCache({
          ...common('pipelines'),
          indexedLabels: [KUBERNETES_ID_ANNOTATION],
        }),
        tasks: new ResourceCache(common('tasks')),
      });
    }
  }

  private all(): ResourceCache<any>[] {
    return [...this.caches.values()].flatMap(c => [
      c.pipelineRuns,
      c.taskRuns,
      c.pipelines,
      c.tasks,
    ]);
  }

  start(): void {
    for (const cache of this.all()) cache.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map(cache => cache.stop()));
  }

  /** The caches of a cluster, synced or not. */
  get(cluster: string): TektonClusterCaches {
    const caches = this.caches.get(cluster);
    if (!caches) {
      throw new ServiceUnavailableError(`cluster "${cluster}" is not watched`);
    }
    return caches;
  }

  clusterNames(): string[] {
    return [...this.caches.keys()];
  }

  /**
   * The caches of a cluster, once they hold its objects: waits up to
   * `timeoutMs` for the first list of each cache named in `which` (those of
   * runs and Pipelines by default), then fails with the reason (unreachable
   * cluster, missing RBAC, Tekton not installed).
   */
  async synced(
    cluster: string,
    timeoutMs: number,
    which: TektonCacheName[] = RUN_CACHES,
  ): Promise<TektonClusterCaches> {
    const caches = this.caches.get(cluster);
    if (!caches) {
      throw new ServiceUnavailableError(`cluster "${cluster}" is not watched`);
    }
    for (const cache of which.map(name => caches[name])) {
      // A cluster whose first list already failed answers at once rather
      // than holding every page view for the whole timeout.
      const failedBefore = !cache.hasSynced && cache.lastError !== undefined;
      if (failedBefore || !(await cache.waitForSync(timeoutMs))) {
        const error = cache.lastError;
        throw error
          ? mapKubernetesError(error, {
              cluster,
              verb: 'list',
              resource: cache.kind.plural,
              group: cache.kind.group,
            })
          : new ServiceUnavailableError(
              `still loading ${cache.kind.plural} from cluster "${cluster}"; try again shortly`,
            );
      }
    }
    return caches;
  }
}
