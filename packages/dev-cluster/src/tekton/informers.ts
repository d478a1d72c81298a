import { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { byLabel, Informer } from '@cairn/controller-runtime';
import {
  LABELS,
  MANAGED_BY_TEKTON,
  TEKTON_GROUP,
  TEKTON_VERSION,
} from './labels';
import type { Pipeline, PipelineRun, Task, TaskRun } from './types';

/*
 * The controller's shared informers, as Tekton's listers: one list and watch
 * per resource keeps a cache that reconciles read, so a reconcile costs API
 * calls only for what it writes, however many runs the cluster holds.
 */

export interface InformerHandlers {
  /** Called on every add, update and delete; the caches are current by then. */
  pipelineRun(run: PipelineRun): void;
  taskRun(taskRun: TaskRun): void;
  pod(pod: V1Pod): void;
}

/** Knative's default resync period, which Tekton's controllers keep. */
const RESYNC_MS = 10 * 60 * 60 * 1000;
const BY_PIPELINE_RUN = 'pipelineRun';

export class TektonInformers {
  readonly pipelineRuns: Informer<PipelineRun>;
  readonly taskRuns: Informer<TaskRun>;
  /** Tekton's pods only (labelled app.kubernetes.io/managed-by=tekton-pipelines). */
  readonly pods: Informer<V1Pod>;
  readonly pipelines: Informer<Pipeline>;
  readonly tasks: Informer<Task>;
  /** In the order they start: each before the informers whose reconciles read it. */
  private readonly informers: Informer<any>[];

  constructor(
    kubeConfig: KubeConfig,
    handlers: InformerHandlers,
    onError: (error: unknown) => void,
  ) {
    const informer = <
      T extends PipelineRun | TaskRun | Pipeline | Task | V1Pod,
    >(
      path: string,
      options: { labelSelector?: string; handler?: (object: T) => void } = {},
    ) => {
      const created = new Informer<T>({
        kubeConfig,
        path,
        labelSelector: options.labelSelector,
        resyncPeriodMs: RESYNC_MS,
        onError,
      });
      const { handler } = options;
      if (handler)
        created.addEventHandler({
          add: handler,
          update: (_, object) => handler(object),
          delete: handler,
        });
      return created;
    };
    const tekton = `/apis/${TEKTON_GROUP}/${TEKTON_VERSION}`;
    this.pipelines = informer(`${tekton}/pipelines`);
    this.tasks = informer(`${tekton}/tasks`);
    this.pods = informer('/api/v1/pods', {
      labelSelector: `${LABELS.managedBy}=${MANAGED_BY_TEKTON}`,
      handler: handlers.pod,
    });
    this.taskRuns = informer(`${tekton}/taskruns`, {
      handler: handlers.taskRun,
    });
    this.taskRuns.addIndexer(BY_PIPELINE_RUN, byLabel(LABELS.pipelineRun));
    this.pipelineRuns = informer(`${tekton}/pipelineruns`, {
      handler: handlers.pipelineRun,
    });
    // Events of an informer queue reconciles that read the ones before it,
    // so starting them in this order waits for the caches those read.
    this.informers = [
      this.pipelines,
      this.tasks,
      this.pods,
      this.taskRuns,
      this.pipelineRuns,
    ];
  }

  /** The TaskRuns labelled as belonging to a PipelineRun of this name. */
  taskRunsOf(namespace: string, pipelineRun: string): TaskRun[] {
    return this.taskRuns.byIndex(
      BY_PIPELINE_RUN,
      `${namespace}/${pipelineRun}`,
    );
  }

  async start(): Promise<void> {
    for (const informer of this.informers) await informer.start();
  }

  stop(): void {
    for (const informer of this.informers) informer.stop();
  }
}
