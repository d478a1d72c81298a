import { ClusterAccess } from '@cairn/plugin-kubernetes-node';
import { mapTektonError } from '../clusters/tektonErrors';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  ClusterError,
  KUBERNETES_ID_ANNOTATION,
  Pipeline,
  PipelineRun,
  Task,
  TaskRun,
  TEKTON_API,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';
import {
  CachedObject,
  ResourceCache,
  ResourceCacheOptions,
  stripServerBookkeeping,
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

/** Index of PipelineRuns by `metadata.uid`. */
const BY_UID = 'uid';
/** Index of TaskRuns by their PipelineRun, as `<namespace>/<name>`. */
const BY_PIPELINE_RUN = 'pipelineRun';

/**
 * What a Tekton run keeps in the cache: everything but the server's
 * bookkeeping and the status fields nothing in the portal reads (neither
 * the backend nor the UI, which gets runs and TaskRuns whole): `provenance`
 * and `spanContext`, and a TaskRun's `status.taskSpec`, the resolved copy
 * of its Task repeated in every TaskRun. A PipelineRun's
 * `status.pipelineSpec` stays: the run's graph is drawn from it.
 * @public
 */
export function stripUnreadRunFields<
  T extends (PipelineRun | TaskRun) & CachedObject,
>(object: T): T {
  const slim = stripServerBookkeeping(object);
  if (!slim.status) return slim;
  // A PipelineRun's status has no taskSpec; a TaskRun's has no pipelineSpec.
  const {
    provenance: _provenance,
    spanContext: _spanContext,
    taskSpec: _taskSpec,
    ...status
  } = slim.status as Record<string, unknown>;
  return { ...slim, status } as T;
}

/** A PipelineRun of the cluster by its uid. @public */
export function pipelineRunByUid(
  caches: TektonClusterCaches,
  uid: string,
): (PipelineRun & CachedObject) | undefined {
  return caches.pipelineRuns.byIndex(BY_UID, uid)[0];
}

/** The TaskRuns of a PipelineRun (by Tekton's `tekton.dev/pipelineRun` label). @public */
export function taskRunsOf(
  caches: TektonClusterCaches,
  run: PipelineRun,
): Array<TaskRun & CachedObject> {
  return caches.taskRuns.byIndex(
    BY_PIPELINE_RUN,
    `${run.metadata.namespace ?? ''}/${run.metadata.name ?? ''}`,
  );
}

/**
 * One watch per Tekton kind per cluster, shared by every user of the portal:
 * PipelineRuns (indexed by `backstage.io/kubernetes-id`, pipeline and uid),
 * TaskRuns (indexed by PipelineRun), Pipelines and Tasks; runs are kept
 * without the fields nothing reads ({@link stripUnreadRunFields}). Started with the plugin
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
        kind: { ...TEKTON_API, plural },
        onError: (error: unknown) =>
          options.logger.warn(
            mapTektonError(error, {
              cluster: cluster.name,
              verb: 'watch',
              resource: plural,
              group: TEKTON_API.group,
            }).message,
          ),
      });
      this.caches.set(cluster.name, {
        cluster: cluster.name,
        pipelineRuns: new ResourceCache<PipelineRun & CachedObject>({
          ...common('pipelineruns'),
          indexedLabels: [KUBERNETES_ID_ANNOTATION, TEKTON_LABELS.pipeline],
          indexers: { [BY_UID]: run => run.metadata.uid },
          transform: stripUnreadRunFields,
        }),
        taskRuns: new ResourceCache<TaskRun & CachedObject>({
          ...common('taskruns'),
          indexers: {
            [BY_PIPELINE_RUN]: taskRun => {
              const run = taskRun.metadata.labels?.[TEKTON_LABELS.pipelineRun];
              return run === undefined
                ? undefined
                : `${taskRun.metadata.namespace ?? ''}/${run}`;
            },
          },
          transform: stripUnreadRunFields,
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
   * Whether the caches named in `which` (those of runs and Pipelines by
   * default) have stopped following a cluster they had listed: since when
   * (the earliest of them), and the last failure in Kubernetes' words.
   * Undefined while they follow it. Their objects are the last known state.
   */
  staleness(
    cluster: string,
    which: TektonCacheName[] = RUN_CACHES,
  ): ClusterError | undefined {
    const caches = this.get(cluster);
    let stalest: ResourceCache<any> | undefined;
    for (const cache of which.map(name => caches[name])) {
      const since = cache.staleSince;
      if (since && (!stalest || since < stalest.staleSince!)) stalest = cache;
    }
    if (!stalest) return undefined;
    return {
      cluster,
      message: mapTektonError(stalest.lastError, {
        cluster,
        verb: 'watch',
        resource: stalest.kind.plural,
        group: stalest.kind.group,
      }).message,
      unreachableSince: stalest.staleSince!.toISOString(),
    };
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
          ? mapTektonError(error, {
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
