import {
  CoreV1Api,
  CustomObjectsApi,
  Informer,
  KubeConfig,
  KubernetesObject,
  makeInformer,
  ObjectCache,
  V1Pod,
} from '@kubernetes/client-node';
import {
  LABELS,
  MANAGED_BY_TEKTON,
  TEKTON_GROUP,
  TEKTON_VERSION,
} from './labels';
import { ObjectIndex } from './objectIndex';
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

const ownerIndexValue = (namespace: string, owner: string) =>
  `${namespace}/${owner}`;

export class TektonInformers {
  readonly pipelineRuns: ObjectCache<PipelineRun>;
  readonly taskRuns: ObjectCache<TaskRun>;
  /** Tekton's pods only (labelled app.kubernetes.io/managed-by=tekton-pipelines). */
  readonly pods: ObjectCache<V1Pod>;
  readonly pipelines: ObjectCache<Pipeline>;
  readonly tasks: ObjectCache<Task>;
  private readonly taskRunsByPipelineRun = new ObjectIndex<TaskRun>(taskRun => {
    const owner = taskRun.metadata.labels?.[LABELS.pipelineRun];
    return owner ? [ownerIndexValue(taskRun.metadata.namespace!, owner)] : [];
  });
  /** In the order they start: each before the informers whose reconciles read it. */
  private readonly informers: Array<Informer<KubernetesObject>>;
  private stopped = false;

  constructor(kubeConfig: KubeConfig, handlers: InformerHandlers) {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const tekton = <T>(plural: string) =>
      makeInformer<KubernetesObject>(
        kubeConfig,
        `/apis/${TEKTON_GROUP}/${TEKTON_VERSION}/${plural}`,
        () =>
          custom.listClusterCustomObject({
            group: TEKTON_GROUP,
            version: TEKTON_VERSION,
            plural,
          }),
      ) as Informer<KubernetesObject> & ObjectCache<T>;
    const selector = `${LABELS.managedBy}=${MANAGED_BY_TEKTON}`;
    const pods = makeInformer<V1Pod>(
      kubeConfig,
      '/api/v1/pods',
      () => core.listPodForAllNamespaces({ labelSelector: selector }),
      selector,
    );
    const pipelines = tekton<Pipeline>('pipelines');
    const tasks = tekton<Task>('tasks');
    const taskRuns = tekton<TaskRun>('taskruns');
    const pipelineRuns = tekton<PipelineRun>('pipelineruns');
    const index = this.taskRunsByPipelineRun;
    taskRuns.on('add', o => index.upsert(o as TaskRun));
    taskRuns.on('update', o => index.upsert(o as TaskRun));
    taskRuns.on('delete', o => index.remove(o as TaskRun));
    for (const [informer, handler] of [
      [pods, handlers.pod],
      [taskRuns, handlers.taskRun],
      [pipelineRuns, handlers.pipelineRun],
    ] as Array<[Informer<KubernetesObject>, (o: any) => void]>) {
      informer.on('change', handler);
    }
    this.pipelineRuns = pipelineRuns;
    this.taskRuns = taskRuns;
    this.pods = pods;
    this.pipelines = pipelines;
    this.tasks = tasks;
    // Events of an informer queue reconciles that read the ones before it,
    // so starting them in this order waits for the caches those read.
    this.informers = [pipelines, tasks, pods, taskRuns, pipelineRuns];
    for (const informer of this.informers) {
      informer.on('error', () => {
        // As client-node advises: start again after a moment (the informer relists).
        setTimeout(() => {
          if (!this.stopped) informer.start().catch(() => {});
        }, 1_000);
      });
    }
  }

  /** The TaskRuns labelled as belonging to a PipelineRun of this name. */
  taskRunsOf(namespace: string, pipelineRun: string): TaskRun[] {
    return this.taskRunsByPipelineRun.get(
      ownerIndexValue(namespace, pipelineRun),
    );
  }

  async start(): Promise<void> {
    for (const informer of this.informers) await informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map(informer => informer.stop()));
  }
}
