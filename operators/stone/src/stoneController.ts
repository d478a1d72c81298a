import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  V1ControllerRevision,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import {
  awaitWrite,
  byLabel,
  ControllerFactory,
  EventRecorder,
  ignoreNotFound,
  Informer,
  KindSelector,
  Logger,
  Manager,
  reconcileFailure,
} from '@cairn/controller-runtime';
import { inParallel, POD_WRITE_CONCURRENCY, writeBatches } from './writes';
import {
  DEFAULT_RACK_LABEL,
  LABEL_PRE_PULL_FOR,
  LABEL_STONE,
  planStone,
  Stone,
  STONE_API_VERSION,
  STONE_GROUP,
  STONE_KIND,
  STONE_PLURAL,
  STONE_VERSION,
  StoneAction,
} from '@cairn/operators-api';

/*
 * The Stone controller: reads a Stone and what it controls from the
 * manager's informer caches, asks planStone what to write, and writes it.
 * Every decision is in planStone; a write that races a stale cache fails on
 * its precondition (resourceVersion, UID, AlreadyExists) and the Stone is
 * looked at again once the cache has caught up.
 */

export interface StoneControllerOptions {
  /** The node label of racks; `topology.cairn.dev/rack` by default. */
  rackLabel?: string;
}

const STONE_KIND_SELECTOR: KindSelector = {
  apiVersion: STONE_API_VERSION,
  kind: STONE_KIND,
};
/** Only objects labelled as a Stone's are cached. */
const owned = (apiVersion: string, kind: string): KindSelector => ({
  apiVersion,
  kind,
  labelSelector: LABEL_STONE,
});
const PODS = owned('v1', 'Pod');
const CLAIMS = owned('v1', 'PersistentVolumeClaim');
const SERVICES = owned('v1', 'Service');
const REVISIONS = owned('apps/v1', 'ControllerRevision');
const PRE_PULL_PODS: KindSelector = {
  apiVersion: 'v1',
  kind: 'Pod',
  labelSelector: LABEL_PRE_PULL_FOR,
};
const BY_STONE = 'stone';

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

interface ReconcilerOptions {
  manager: Manager;
  stones: Informer<Stone & KubernetesObject>;
  pods: Informer<V1Pod>;
  claims: Informer<V1PersistentVolumeClaim>;
  services: Informer<V1Service>;
  revisions: Informer<V1ControllerRevision>;
  prePullPods: Informer<V1Pod>;
  rackLabel: string;
}

class StoneReconciler {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly logger: Logger;
  private readonly events: EventRecorder;

  constructor(private readonly options: ReconcilerOptions) {
    const kubeConfig = options.manager.kubeConfig;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.events = new EventRecorder({
      core: this.core,
      apiVersion: STONE_API_VERSION,
      kind: STONE_KIND,
      component: 'stone-controller',
      instance: () => this.options.manager.identity ?? 'cairn-operators',
    });
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.logger = options.manager.logger.child({ controller: 'stone' });
  }

  async reconcile(key: string) {
    const stone = this.options.stones.get(key);
    // A deleted Stone's pods, Services and revisions go with it (owner
    // references); its claims stay, as a StatefulSet's.
    if (!stone || stone.metadata.deletionTimestamp) return undefined;
    const uid = stone.metadata.uid;
    const ownedByStone = (o: KubernetesObject) =>
      o.metadata?.ownerReferences?.some(r => r.controller && r.uid === uid) ??
      false;
    const plan = planStone({
      stone,
      pods: this.options.pods.byIndex(BY_STONE, key).filter(ownedByStone),
      claims: this.options.claims.byIndex(BY_STONE, key),
      services: this.options.services
        .byIndex(BY_STONE, key)
        .filter(ownedByStone),
      revisions: this.options.revisions
        .byIndex(BY_STONE, key)
        .filter(ownedByStone),
      prePullPods: this.options.prePullPods
        .byIndex(BY_STONE, key)
        .filter(ownedByStone),
      now: new Date(),
      rackLabel: this.options.rackLabel,
    });
    // Events describe the status they go with: they follow its write.
    const writes = plan.actions.filter(a => a.type !== 'event');
    const events = plan.actions.filter(a => a.type === 'event');
    try {
      for (const batch of writeBatches(writes))
        await inParallel(batch, POD_WRITE_CONCURRENCY, action =>
          this.perform(stone, action),
        );
      for (const action of events) await this.perform(stone, action);
    } catch (error) {
      return reconcileFailure(error, {
        key,
        logger: this.logger,
        warn: message =>
          this.emit(stone, {
            type: 'event',
            eventType: 'Warning',
            reason: 'ReconcileError',
            message,
          }),
      });
    }
    return plan.requeueAfterSeconds
      ? { requeueAfterMs: plan.requeueAfterSeconds * 1000 }
      : undefined;
  }

  private async perform(stone: Stone, action: StoneAction): Promise<void> {
    const namespace = stone.metadata.namespace!;
    const tolerate = (call: Promise<unknown>, stale: number[]) =>
      awaitWrite(call, {
        what: `${action.type} ${(action as { name?: string }).name ?? ''}`,
        stale,
      });
    switch (action.type) {
      case 'createRevision':
        return tolerate(
          this.apps.createNamespacedControllerRevision({
            namespace,
            body: action.revision,
          }),
          [409],
        );
      case 'renumberRevision':
        return tolerate(
          this.apps.patchNamespacedControllerRevision(
            {
              namespace,
              name: action.name,
              body: { revision: action.revision },
            },
            MERGE,
          ),
          [404],
        );
      case 'deleteRevision':
        return ignoreNotFound(
          this.apps.deleteNamespacedControllerRevision({
            namespace,
            name: action.name,
          }),
        );
      case 'createClaim':
        return tolerate(
          this.core.createNamespacedPersistentVolumeClaim({
            namespace,
            body: action.claim,
          }),
          [409],
        );
      case 'createPod':
        this.logger.info('creating pod', {
          stone: stone.metadata.name,
          pod: action.pod.metadata!.name,
        });
        return tolerate(
          this.core.createNamespacedPod({ namespace, body: action.pod }),
          [409],
        );
      case 'deletePod':
        this.logger.info('deleting pod', {
          stone: stone.metadata.name,
          pod: action.name,
          reason: action.reason,
        });
        return ignoreNotFound(
          tolerate(
            this.core.deleteNamespacedPod({
              namespace,
              name: action.name,
              body: { preconditions: { uid: action.uid } },
            }),
            [409],
          ),
        );
      case 'patchPod':
        this.logger.info('updating pod in place', {
          stone: stone.metadata.name,
          pod: action.name,
        });
        // 422: a test operation failed, the pod is not as the cache has it.
        return tolerate(
          this.core.patchNamespacedPod(
            { namespace, name: action.name, body: action.patch },
            JSON_PATCH,
          ),
          [404, 409, 422],
        );
      case 'patchPodStatus':
        return tolerate(
          this.core.patchNamespacedPodStatus(
            { namespace, name: action.name, body: action.patch },
            SMP,
          ),
          [404],
        );
      case 'createService':
        return tolerate(
          this.core.createNamespacedService({
            namespace,
            body: action.service,
          }),
          [409],
        );
      case 'updateService':
        return tolerate(
          this.core.replaceNamespacedService({
            namespace,
            name: action.service.metadata!.name!,
            body: action.service,
          }),
          [404, 409],
        );
      case 'deleteService':
        return ignoreNotFound(
          this.core.deleteNamespacedService({ namespace, name: action.name }),
        );
      case 'updateStatus':
        return tolerate(
          this.custom.patchNamespacedCustomObjectStatus(
            {
              group: STONE_GROUP,
              version: STONE_VERSION,
              plural: STONE_PLURAL,
              namespace,
              name: stone.metadata.name!,
              body: {
                metadata: { resourceVersion: stone.metadata.resourceVersion },
                status: action.status,
              },
            },
            MERGE,
          ),
          [404, 409],
        );
      case 'event':
        return this.emit(stone, action);
      default:
        throw new Error(`unknown action ${(action as StoneAction).type}`);
    }
  }

  /** An Event on the Stone, as client-go's recorder writes one. */
  private async emit(
    stone: Stone,
    event: Extract<StoneAction, { type: 'event' }>,
  ): Promise<void> {
    const { name, namespace } = stone.metadata;
    this.logger.info(event.message, {
      stone: `${namespace}/${name}`,
      reason: event.reason,
    });
    await this.events.record(stone, event);
  }
}

/** The Stone controller, for the operators' manager. */
export function stoneController(
  options: StoneControllerOptions = {},
): ControllerFactory {
  return async (manager: Manager) => {
    const stones = await manager.informer<Stone & KubernetesObject>(
      STONE_KIND_SELECTOR,
    );
    const pods = await manager.informer<V1Pod>(PODS);
    const claims = await manager.informer<V1PersistentVolumeClaim>(CLAIMS);
    const services = await manager.informer<V1Service>(SERVICES);
    const revisions = await manager.informer<V1ControllerRevision>(REVISIONS);
    for (const informer of [
      pods,
      claims,
      services,
      revisions,
    ] as Informer<any>[]) {
      informer.addIndexer(BY_STONE, byLabel(LABEL_STONE));
    }
    const prePullPods = await manager.informer<V1Pod>(PRE_PULL_PODS);
    prePullPods.addIndexer(BY_STONE, byLabel(LABEL_PRE_PULL_FOR));
    const reconciler = new StoneReconciler({
      manager,
      stones,
      pods,
      claims,
      services,
      revisions,
      prePullPods,
      rackLabel: options.rackLabel ?? DEFAULT_RACK_LABEL,
    });
    return {
      name: 'stone',
      for: STONE_KIND_SELECTOR,
      owns: [PODS, SERVICES, REVISIONS, PRE_PULL_PODS],
      // Claims are not owned (they outlive their pods, as a StatefulSet's).
      watches: [
        {
          kind: CLAIMS,
          map: object => {
            const stone = object.metadata?.labels?.[LABEL_STONE];
            return stone ? [`${object.metadata!.namespace}/${stone}`] : [];
          },
        },
      ],
      reconcile: key => reconciler.reconcile(key),
    };
  };
}
