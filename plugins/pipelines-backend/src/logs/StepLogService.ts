import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { PassThrough, Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CoreV1Api, Log } from '@kubernetes/client-node';
import {
  isFinished,
  PipelineRun,
  TaskRun,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';
import { ClusterAccess, mapKubernetesError } from '../clusters';
import { EntityScope, isInScope } from '../service/entityScope';
import {
  pipelineRunByUid,
  taskRunsOf,
  TektonClusterCaches,
  TektonWatches,
} from '../watch';
import { ArchivedStepLog, LogStore } from './LogStore';

/** A step's log and where it came from. @public */
export interface StepLog {
  source: 'pod' | 'archive';
  content: string;
}

/** A step's log streamed from its running container. @public */
export interface FollowedStepLog {
  source: 'pod';
  stream: Readable;
  /** Ends the request to the cluster (the client went away). */
  abort(): void;
}

/** Options of {@link StepLogService}. @public */
export interface StepLogServiceOptions {
  clusters: ClusterAccess;
  watches: TektonWatches;
  store: LogStore;
  logger: LoggerService;
  syncTimeoutMs?: number;
  /** Delay before archiving again a run whose TaskRuns lag behind (default 1 s). */
  retryDelayMs?: number;
  /** Archive attempts per run (default 10). */
  maxAttempts?: number;
}

function stepContainer(taskRun: TaskRun, step: string): string | undefined {
  const state = taskRun.status?.steps?.find(s => s.name === step);
  if (!state) return undefined;
  return state.container ?? `step-${step}`;
}

/** Finished runs checked against the archive per step of the start-up pass. */
const STARTUP_BATCH = 200;

function isNotFound(error: unknown): boolean {
  return (error as { code?: number })?.code === 404;
}

/** A failed pod-log read as the API error it is, unless the pod is gone. */
function rethrowUnlessPodGone(
  error: unknown,
  cluster: string,
  namespace: string,
  podName: string | undefined,
): void {
  if (isNotFound(error)) return;
  throw mapKubernetesError(error, {
    cluster,
    verb: 'get',
    resource: 'pods/log',
    namespace,
    name: podName,
  });
}

/**
 * Step logs: read live from the TaskRun's pod while it exists, and archived
 * to the portal database when a PipelineRun finishes, so they outlive the
 * pods. Archiving follows the shared PipelineRun watch; runs finished before
 * the portal started are archived by a start-up pass once the first lists
 * are in.
 * @public
 */
export class StepLogService {
  private readonly queue: Array<{
    cluster: string;
    uid: string;
    attempt: number;
  }> = [];
  private readonly queued = new Set<string>();
  private readonly unsubscribes: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private active = 0;
  /** Start-up passes not finished yet. */
  private passes = 0;
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: StepLogServiceOptions) {}

  private core(cluster: string): CoreV1Api {
    return this.options.clusters.client(cluster, CoreV1Api);
  }

  private synced(cluster: string): Promise<TektonClusterCaches> {
    this.options.clusters.get(cluster);
    return this.options.watches.synced(
      cluster,
      this.options.syncTimeoutMs ?? 10_000,
    );
  }

  /** The log of one step of one of a run's TaskRuns. */
  async read(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    taskRunName: string,
    step: string,
  ): Promise<StepLog> {
    return (await this.open(
      scope,
      cluster,
      namespace,
      name,
      taskRunName,
      step,
      false,
    )) as StepLog;
  }

  /**
   * The log of a step, followed while its container runs: `stream` ends when
   * the container does. A finished step (or one only archived) comes whole,
   * as from {@link StepLogService.read}.
   */
  async follow(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    taskRunName: string,
    step: string,
  ): Promise<StepLog | FollowedStepLog> {
    return this.open(scope, cluster, namespace, name, taskRunName, step, true);
  }

  private async open(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    taskRunName: string,
    step: string,
    follow: boolean,
  ): Promise<StepLog | FollowedStepLog> {
    const caches = await this.synced(cluster);
    const run = caches.pipelineRuns.get(namespace, name);
    if (run && isInScope(scope, cluster, run)) {
      const taskRun = caches.taskRuns.get(namespace, taskRunName);
      if (
        !taskRun ||
        taskRun.metadata.labels?.[TEKTON_LABELS.pipelineRun] !== name
      ) {
        throw new NotFoundError(
          `task run "${taskRunName}" is not part of pipeline run "${name}"`,
        );
      }
      const container = stepContainer(taskRun, step);
      if (!container) {
        const steps = (taskRun.status?.steps ?? []).map(s => s.name);
        throw new InputError(
          `task run "${taskRunName}" has no step "${step}"${
            steps.length ? `; its steps are ${steps.join(', ')}` : ' yet'
          }`,
        );
      }
      const podName = taskRun.status?.podName;
      const state = taskRun.status?.steps?.find(s => s.name === step);
      if (podName && follow && !state?.terminated) {
        try {
          const stream = new PassThrough();
          const controller = await new Log(
            this.options.clusters.get(cluster).kubeConfig,
          ).log(namespace, podName, container, stream, { follow: true });
          return {
            source: 'pod',
            stream,
            abort: () => controller.abort(),
          };
        } catch (error) {
          // A pod that is gone falls through to the archive.
          rethrowUnlessPodGone(error, cluster, namespace, podName);
        }
      } else if (podName) {
        try {
          const content = await this.core(cluster).readNamespacedPodLog({
            name: podName,
            namespace,
            container,
          });
          return { source: 'pod', content: String(content ?? '') };
        } catch (error) {
          // A pod that is gone falls through to the archive.
          rethrowUnlessPodGone(error, cluster, namespace, podName);
        }
      }
      const archived = await this.options.store.getStepLog(
        run.metadata.uid ?? '',
        taskRunName,
        step,
      );
      if (archived) return { source: 'archive', content: archived.content };
      throw new NotFoundError(
        podName
          ? `the log of step "${step}" is gone: pod "${podName}" was deleted before the run's logs were archived`
          : `step "${step}" of task run "${taskRunName}" has no pod yet`,
      );
    }
    // The run itself may be gone (pruned): serve what was archived.
    const archivedRun = await this.options.store.findRun(
      cluster,
      namespace,
      name,
    );
    if (
      archivedRun &&
      isInScope(scope, cluster, {
        metadata: { namespace, labels: archivedRun.labels },
      })
    ) {
      const log = await this.options.store.getStepLog(
        archivedRun.runUid,
        taskRunName,
        step,
      );
      if (log) return { source: 'archive', content: log.content };
      throw new NotFoundError(
        `no archived log of step "${step}" of task run "${taskRunName}" in pipeline run "${name}"`,
      );
    }
    throw new NotFoundError(
      `pipeline run "${name}" not found in namespace "${namespace}" on cluster "${cluster}" for ${scope.entityRef}`,
    );
  }

  /**
   * Follows every cluster's PipelineRuns and archives the finished ones.
   * Call before the watches start, so no change after their first list is
   * missed.
   */
  start(): void {
    this.running = true;
    for (const cluster of this.options.watches.clusterNames()) {
      this.passes += 1;
      this.startCluster(cluster)
        .catch(error =>
          this.options.logger.warn(
            `could not look for unarchived pipeline runs on cluster "${cluster}": ${error}`,
          ),
        )
        .finally(() => {
          this.passes -= 1;
          this.checkIdle();
        });
    }
  }

  /**
   * Waits until the cluster's PipelineRuns and TaskRuns are listed (so the
   * TaskRuns of a finished run are there), then queues the finished runs not
   * archived yet: a batch at a time, one database query each, yielding to
   * the event loop between batches. Changes from then on come from the watch.
   */
  private async startCluster(cluster: string): Promise<void> {
    const caches = this.options.watches.get(cluster);
    let following = false;
    this.unsubscribes.push(
      caches.pipelineRuns.subscribe(event => {
        if (following && event.type !== 'deleted' && isFinished(event.object)) {
          this.enqueue(cluster, event.object);
        }
      }),
    );
    for (const cache of [caches.pipelineRuns, caches.taskRuns]) {
      // Short waits, so that stop() is not held up by a cluster not answering.
      while (this.running && !(await cache.waitForSync(1000)));
    }
    if (!this.running) return;
    following = true;
    const finished = caches.pipelineRuns.list().filter(isFinished);
    for (let i = 0; i < finished.length && this.running; i += STARTUP_BATCH) {
      const batch = finished.slice(i, i + STARTUP_BATCH);
      const archived = await this.options.store.archivedAmong(
        batch.map(run => run.metadata.uid ?? ''),
      );
      for (const run of batch) {
        if (!archived.has(run.metadata.uid ?? '')) this.enqueue(cluster, run);
      }
      await nextTurn();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    await this.idle();
  }

  /** Resolves when no archiving is in progress or queued (tests). */
  idle(): Promise<void> {
    if (
      this.active === 0 &&
      this.passes === 0 &&
      this.queue.length === 0 &&
      this.timers.size === 0
    ) {
      return Promise.resolve();
    }
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  private enqueue(cluster: string, run: PipelineRun, attempt = 0): void {
    const uid = run.metadata.uid;
    if (!uid || this.queued.has(uid)) return;
    this.queued.add(uid);
    this.queue.push({ cluster, uid, attempt });
    this.pump();
  }

  private pump(): void {
    while (this.running && this.active < 2 && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.active += 1;
      this.archive(item)
        .then(rescheduled => {
          if (!rescheduled) this.queued.delete(item.uid);
        })
        .catch(error => {
          this.queued.delete(item.uid);
          this.options.logger.warn(
            `could not archive the logs of a pipeline run on cluster "${item.cluster}": ${error}`,
          );
        })
        .finally(() => {
          this.active -= 1;
          this.pump();
          this.checkIdle();
        });
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (
      this.active === 0 &&
      this.passes === 0 &&
      this.queue.length === 0 &&
      this.timers.size === 0
    ) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async archive(item: {
    cluster: string;
    uid: string;
    attempt: number;
  }): Promise<boolean> {
    const { cluster, uid } = item;
    const caches = this.options.watches.get(cluster);
    const run = pipelineRunByUid(caches, uid);
    if (!run || (await this.options.store.isArchived(uid))) {
      return false;
    }
    const namespace = run.metadata.namespace ?? '';
    const taskRuns = taskRunsOf(caches, run);
    const names = new Set(taskRuns.map(t => t.metadata.name));
    const lagging =
      (run.status?.childReferences ?? []).some(
        c => (c.kind ?? 'TaskRun') === 'TaskRun' && !names.has(c.name),
      ) || taskRuns.some(t => !isFinished(t));
    if (lagging && item.attempt + 1 < (this.options.maxAttempts ?? 10)) {
      // The TaskRun watch has not caught up with the PipelineRun's yet.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.queue.push({ ...item, attempt: item.attempt + 1 });
        this.pump();
      }, this.options.retryDelayMs ?? 1000);
      this.timers.add(timer);
      return true;
    }
    const logs: ArchivedStepLog[] = [];
    for (const taskRun of taskRuns) {
      const podName = taskRun.status?.podName;
      if (!podName) continue;
      for (const state of taskRun.status?.steps ?? []) {
        if (!state.name) continue;
        const container = state.container ?? `step-${state.name}`;
        try {
          const content = await this.core(cluster).readNamespacedPodLog({
            name: podName,
            namespace,
            container,
          });
          logs.push({
            taskRun: taskRun.metadata.name ?? '',
            step: state.name,
            container,
            content: String(content ?? ''),
          });
        } catch (error) {
          // A pod that is gone has no log to archive.
          rethrowUnlessPodGone(error, cluster, namespace, podName);
        }
      }
    }
    await this.options.store.archiveRun(
      {
        runUid: uid,
        cluster,
        namespace,
        name: run.metadata.name ?? '',
        labels: run.metadata.labels ?? {},
        archivedAt: new Date(),
      },
      logs,
    );
    return false;
  }
}
