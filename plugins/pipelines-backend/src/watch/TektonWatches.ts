import { ServiceUnavailableError } from '@backstage/errors';
import {
  CachedObject,
  ClusterWatches,
  ResourceCache,
  SharedValues,
  stripServerBookkeeping,
  WatchedResource,
} from '@cairn/plugin-kubernetes-node';
import {
  ClusterError,
  Pipeline,
  PipelineRun,
  Task,
  TaskRun,
  TEKTON_API,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';
import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import { TEKTON_NOT_SERVED_HINT } from '../clusters/tektonErrors';

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
  /** The backend's shared watches, where the Tekton kinds are watched. */
  watches: ClusterWatches;
}

/** Index of PipelineRuns by `metadata.uid`. */
const BY_UID = 'uid';
/** Index of TaskRuns by their PipelineRun, as `<namespace>/<name>`. */
const BY_PIPELINE_RUN = 'pipelineRun';

/**
 * The specs runs repeat: every run of a Pipeline carries the same resolved
 * `pipelineSpec`, every TaskRun of an inline Task the same `taskSpec`. The
 * caches keep one copy of each (about a third of the cached bytes with
 * 11,000 runs of five pipelines; more with real scripts).
 */
const runSpecs = new SharedValues();

/**
 * What a Tekton run keeps in the cache: everything but the server's
 * bookkeeping and the status fields nothing in the portal reads (neither
 * the backend nor the UI, which gets runs and TaskRuns whole): `provenance`
 * and `spanContext`, and a TaskRun's `status.taskSpec`, the resolved copy
 * of its Task repeated in every TaskRun. A PipelineRun's
 * `status.pipelineSpec` stays: the run's graph is drawn from it. The specs
 * that runs repeat are shared between them, frozen ({@link SharedValues}).
 * @public
 */
export function stripUnreadRunFields<
  T extends (PipelineRun | TaskRun) & CachedObject,
>(object: T): T {
  const slim: Record<string, unknown> = { ...stripServerBookkeeping(object) };
  if (slim.spec) slim.spec = shareSpecs(slim.spec as Record<string, unknown>);
  if (slim.status) {
    // A PipelineRun's status has no taskSpec; a TaskRun's has no pipelineSpec.
    const {
      provenance: _provenance,
      spanContext: _spanContext,
      taskSpec: _taskSpec,
      ...status
    } = slim.status as Record<string, unknown>;
    slim.status = shareSpecs(status);
  }
  return slim as T;
}

/** `fields` with its `pipelineSpec` and `taskSpec` shared. */
function shareSpecs(fields: Record<string, unknown>): Record<string, unknown> {
  const shared = { ...fields };
  for (const key of ['pipelineSpec', 'taskSpec']) {
    if (key in shared) shared[key] = runSpecs.share(shared[key]);
  }
  return shared;
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

/** A Tekton kind as the shared watches take it. */
function tektonKind<T extends CachedObject>(
  plural: string,
  kind: string,
  transform?: (object: T) => T,
): WatchedResource<T> {
  return {
    ...TEKTON_API,
    plural,
    kind,
    transform,
    notServedHint: TEKTON_NOT_SERVED_HINT,
  };
}

/** The Tekton kinds the Pipelines backend watches, by cache name. */
const TEKTON_KINDS = {
  pipelineRuns: tektonKind<PipelineRun & CachedObject>(
    'pipelineruns',
    'PipelineRun',
    stripUnreadRunFields,
  ),
  taskRuns: tektonKind<TaskRun & CachedObject>(
    'taskruns',
    'TaskRun',
    stripUnreadRunFields,
  ),
  pipelines: tektonKind<Pipeline & CachedObject>('pipelines', 'Pipeline'),
  tasks: tektonKind<Task & CachedObject>('tasks', 'Task'),
} satisfies Record<TektonCacheName, WatchedResource<any>>;

/**
 * One watch per Tekton kind per cluster, shared by every user of the portal
 * (the backend's shared {@link ClusterWatches}):
 * PipelineRuns (indexed by `backstage.io/kubernetes-id`, pipeline and uid),
 * TaskRuns (indexed by PipelineRun), Pipelines and Tasks; runs are kept
 * without the fields nothing reads ({@link stripUnreadRunFields}). Started with the plugin
 * and stopped on shutdown.
 * @public
 */
export class TektonWatches {
  private readonly caches = new Map<string, TektonClusterCaches>();
  private readonly watches: ClusterWatches;

  constructor(options: TektonWatchesOptions) {
    this.watches = options.watches;
    for (const cluster of this.watches.clusterNames()) {
      const caches: TektonClusterCaches = {
        cluster,
        pipelineRuns: this.watches.cache(cluster, TEKTON_KINDS.pipelineRuns),
        taskRuns: this.watches.cache(cluster, TEKTON_KINDS.taskRuns),
        pipelines: this.watches.cache(cluster, TEKTON_KINDS.pipelines),
        tasks: this.watches.cache(cluster, TEKTON_KINDS.tasks),
      };
      caches.pipelineRuns.indexLabel(KUBERNETES_ID_ANNOTATION);
      caches.pipelineRuns.indexLabel(TEKTON_LABELS.pipeline);
      caches.pipelineRuns.addIndex(BY_UID, run => run.metadata.uid);
      caches.taskRuns.addIndex(BY_PIPELINE_RUN, taskRun => {
        const run = taskRun.metadata.labels?.[TEKTON_LABELS.pipelineRun];
        return run === undefined
          ? undefined
          : `${taskRun.metadata.namespace ?? ''}/${run}`;
      });
      caches.pipelines.indexLabel(KUBERNETES_ID_ANNOTATION);
      this.caches.set(cluster, caches);
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

  /**
   * Starts the Tekton caches (those already running go on): call once
   * their users have subscribed. They stop with the shared watches.
   */
  start(): void {
    for (const cache of this.all()) cache.start();
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
    this.get(cluster);
    return this.watches.staleness(
      cluster,
      which.map(name => TEKTON_KINDS[name]),
    );
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
    const caches = this.get(cluster);
    await this.watches.synced(
      cluster,
      which.map(name => TEKTON_KINDS[name]),
      timeoutMs,
    );
    return caches;
  }
}
