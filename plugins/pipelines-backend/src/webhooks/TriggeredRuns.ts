import { ClusterAccess, isNotFound } from '@cairn/plugin-kubernetes-node';
import { mapTektonError } from '../clusters/tektonErrors';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  buildTriggeredPipelineRun,
  GitDelivery,
  isFinished,
  isSameTriggerGroup,
  Pipeline,
  PipelineRun,
  TEKTON_API,
  toLabelValue,
  TRIGGER_LABELS,
  TRIGGER_RUN_ANNOTATIONS,
  TriggerSpec,
  WebhookDeliveryRun,
} from '@cairn/plugin-pipelines-common';
import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';

/**
 * The cluster side of webhooks: creates a delivery's run of a Pipeline once
 * (a run labelled with the delivery's id is looked up first), then applies
 * the Pipeline's cancel-in-progress and max-keep-runs.
 */
export class TriggeredRuns {
  constructor(private readonly options: { clusters: ClusterAccess }) {}

  private api(cluster: string): CustomObjectsApi {
    return this.options.clusters.client(cluster, CustomObjectsApi);
  }

  /** The run this delivery already created for the Pipeline, if any. */
  private async existingRun(
    cluster: string,
    pipeline: Pipeline,
    delivery: GitDelivery,
  ): Promise<PipelineRun | undefined> {
    const namespace = pipeline.metadata.namespace!;
    // Asked of the cluster, not the watch: a run created a moment ago (by a
    // previous attempt of this delivery) may not have reached the cache.
    const list = (await this.api(cluster).listNamespacedCustomObject({
      ...TEKTON_API,
      plural: 'pipelineruns',
      namespace,
      labelSelector: `${TRIGGER_LABELS.deliveryId}=${toLabelValue(
        delivery.deliveryId,
      )}`,
    })) as { items: PipelineRun[] };
    return list.items.find(
      run =>
        run.spec.pipelineRef?.name === pipeline.metadata.name &&
        run.metadata.annotations?.[TRIGGER_RUN_ANNOTATIONS.deliveryId] ===
          delivery.deliveryId,
    );
  }

  /** Creates (or finds) the delivery's run of the Pipeline. */
  async start(
    cluster: string,
    pipeline: Pipeline,
    spec: TriggerSpec,
    delivery: GitDelivery,
  ): Promise<WebhookDeliveryRun> {
    const namespace = pipeline.metadata.namespace!;
    const ref = {
      cluster,
      namespace,
      pipeline: pipeline.metadata.name!,
      kubernetesId: pipeline.metadata.labels?.[KUBERNETES_ID_ANNOTATION],
    };
    const body = buildTriggeredPipelineRun(pipeline, delivery);
    let run = await this.existingRun(cluster, pipeline, delivery);
    if (!run) {
      try {
        run = (await this.api(cluster).createNamespacedCustomObject({
          ...TEKTON_API,
          plural: 'pipelineruns',
          namespace,
          body,
        })) as PipelineRun;
      } catch (error) {
        throw mapTektonError(error, {
          cluster,
          verb: 'create',
          resource: 'pipelineruns',
          group: TEKTON_API.group,
          namespace,
        });
      }
    }
    const name = run.metadata.name!;
    if (spec.cancelInProgress) {
      await this.cancelInProgress(cluster, pipeline, delivery, name);
    }
    if (spec.maxKeepRuns) {
      await this.pruneFinished(cluster, pipeline, spec.maxKeepRuns);
    }
    return { ...ref, name };
  }

  /**
   * The Pipeline's runs that deliveries created, asked of the cluster: the
   * watch may not have seen a run created a moment ago by another delivery.
   */
  private async triggeredRuns(
    cluster: string,
    pipeline: Pipeline,
  ): Promise<PipelineRun[]> {
    const list = (await this.api(cluster).listNamespacedCustomObject({
      ...TEKTON_API,
      plural: 'pipelineruns',
      namespace: pipeline.metadata.namespace!,
      labelSelector: TRIGGER_LABELS.eventType,
    })) as { items: PipelineRun[] };
    return list.items.filter(
      run => run.spec.pipelineRef?.name === pipeline.metadata.name,
    );
  }

  /** Cancels the running runs of the same PR or branch, as Tekton's cancel. */
  private async cancelInProgress(
    cluster: string,
    pipeline: Pipeline,
    delivery: GitDelivery,
    keep: string,
  ): Promise<void> {
    const namespace = pipeline.metadata.namespace!;
    const running = (await this.triggeredRuns(cluster, pipeline)).filter(
      run =>
        run.metadata.name !== keep &&
        !isFinished(run) &&
        run.spec.status === undefined &&
        isSameTriggerGroup(run, delivery),
    );
    for (const run of running) {
      try {
        await this.api(cluster).patchNamespacedCustomObject(
          {
            ...TEKTON_API,
            plural: 'pipelineruns',
            namespace,
            name: run.metadata.name!,
            body: { spec: { status: 'Cancelled' } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      } catch (error) {
        // Gone or finished meanwhile: nothing left to cancel.
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** Deletes the oldest finished triggered runs beyond `keep`. */
  private async pruneFinished(
    cluster: string,
    pipeline: Pipeline,
    keep: number,
  ): Promise<void> {
    const finished = (await this.triggeredRuns(cluster, pipeline))
      .filter(run => isFinished(run))
      .sort((a, b) =>
        (b.metadata.creationTimestamp ?? '').localeCompare(
          a.metadata.creationTimestamp ?? '',
        ),
      );
    for (const run of finished.slice(keep)) {
      try {
        await this.api(cluster).deleteNamespacedCustomObject({
          ...TEKTON_API,
          plural: 'pipelineruns',
          namespace: pipeline.metadata.namespace!,
          name: run.metadata.name!,
          propagationPolicy: 'Background',
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
}
