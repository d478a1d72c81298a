import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObject,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  V1LimitRange,
  V1Namespace,
  V1Node,
  V1ResourceQuota,
  V1RoleBinding,
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
  Refused,
  statusOf,
} from '@cairn/controller-runtime';
import {
  Environment,
  EnvironmentAction,
  EnvironmentConfig,
  environmentConfigFromEnv,
  EnvironmentObject,
  ENVIRONMENT_FINALIZER,
  ENVIRONMENT_KIND,
  ENVIRONMENT_OBJECT_NAME,
  ENVIRONMENT_PLURAL,
  LABEL_ENVIRONMENT,
  LimitRangeObject,
  NODE_LABEL_PREFIX,
  PlacementAdmission,
  planEnvironment,
  TENANCY_API_VERSION,
  TENANCY_GROUP,
  TENANCY_VERSION,
} from '@cairn/operators-api';

/*
 * The Environment controller: reads an Environment, its namespace, the
 * objects labelled as its own, the nodes and the StorageClasses from the
 * manager's informer caches, asks planEnvironment what to write, and writes
 * it. Any change to those objects (a RoleBinding deleted, a quota edited, a
 * node relabelled) queues the Environments it concerns, and the next plan
 * puts the cluster back. A write that races a stale cache fails on its
 * precondition and the Environment is looked at again.
 */

export interface EnvironmentControllerOptions {
  /**
   * Topology label keys and the catalog-group → RBAC-group rule; otherwise
   * read from the environment when the manager starts (see
   * environmentConfigFromEnv).
   */
  config?: EnvironmentConfig;
  /** Overrides the config's: who keeps pods on the placement's nodes (the manager's flag). */
  placementAdmission?: PlacementAdmission;
}

type EnvironmentResource = Environment & KubernetesObject;

const ENVIRONMENTS: KindSelector = {
  apiVersion: TENANCY_API_VERSION,
  kind: ENVIRONMENT_KIND,
};
const NAMESPACES: KindSelector = { apiVersion: 'v1', kind: 'Namespace' };
const NODES: KindSelector = { apiVersion: 'v1', kind: 'Node' };
const STORAGE_CLASSES: KindSelector = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
};
/** Only objects labelled as an Environment's are cached. */
const labelled = (apiVersion: string, kind: string): KindSelector => ({
  apiVersion,
  kind,
  labelSelector: LABEL_ENVIRONMENT,
});
const QUOTAS = labelled('v1', 'ResourceQuota');
const LIMIT_RANGES = labelled('v1', 'LimitRange');
const ROLE_BINDINGS = labelled('rbac.authorization.k8s.io/v1', 'RoleBinding');

const BY_ENVIRONMENT = 'environment';
const BY_NAMESPACE = 'environment-namespace';
const BY_PLACEMENT = 'environment-placement';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** client-node's typed LimitRange names the item's `default` `_default`. */
function typedLimitRange(object: LimitRangeObject): V1LimitRange {
  return {
    ...object,
    spec: {
      limits: (object.spec?.limits ?? []).map(({ default: d, ...item }) => ({
        ...item,
        ...(d ? { _default: d } : {}),
      })),
    },
  };
}

class EnvironmentReconciler {
  private readonly core: CoreV1Api;
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly logger: Logger;
  private readonly events: EventRecorder;

  constructor(
    private readonly manager: Manager,
    private readonly informers: {
      environments: Informer<EnvironmentResource>;
      namespaces: Informer<V1Namespace>;
      nodes: Informer<V1Node>;
      storageClasses: Informer<KubernetesObject>;
      quotas: Informer<V1ResourceQuota>;
      limitRanges: Informer<LimitRangeObject & KubernetesObject>;
      roleBindings: Informer<V1RoleBinding>;
    },
    private readonly config: EnvironmentConfig,
  ) {
    this.core = manager.kubeConfig.makeApiClient(CoreV1Api);
    this.events = new EventRecorder({
      core: this.core,
      apiVersion: TENANCY_API_VERSION,
      kind: ENVIRONMENT_KIND,
      component: 'environment-controller',
      instance: () => this.manager.identity ?? 'cairn-operators',
    });
    this.rbac = manager.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    this.custom = manager.kubeConfig.makeApiClient(CustomObjectsApi);
    this.logger = manager.logger.child({ controller: 'environment' });
  }

  async reconcile(key: string) {
    const { informers } = this;
    const environment = informers.environments.get(key);
    if (!environment) return undefined;
    const namespace = environment.spec.namespace;
    const objectKey = `${namespace}/${ENVIRONMENT_OBJECT_NAME}`;
    const plan = planEnvironment({
      environment,
      namespace: informers.namespaces.get(namespace),
      quota: informers.quotas.get(objectKey),
      limitRange: informers.limitRanges.get(objectKey),
      roleBindings: informers.roleBindings.byIndex(
        BY_ENVIRONMENT,
        `${namespace}/${environment.metadata.name}`,
      ),
      nodes: informers.nodes.list(),
      storageClasses: informers.storageClasses
        .list()
        .map(c => c.metadata!.name!),
      config: this.config,
      now: new Date(),
    });
    // Events describe the status they go with: they follow its write.
    const writes = plan.actions.filter(a => a.type !== 'event');
    const events = plan.actions.filter(a => a.type === 'event');
    try {
      for (const action of writes) await this.perform(environment, action);
      for (const action of events) await this.perform(environment, action);
    } catch (error) {
      if (error instanceof Refused) {
        await this.refused(environment, error.message);
        return undefined;
      }
      return reconcileFailure(error, {
        key,
        logger: this.logger,
        warn: message =>
          this.emit(environment, {
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

  /** Ready=False with the API server's message, and a Warning event saying the same. */
  private async refused(environment: EnvironmentResource, message: string) {
    const now = new Date().toISOString();
    const conditions = (environment.status?.conditions ?? []).filter(
      c => c.type !== 'Ready',
    );
    await this.perform(environment, {
      type: 'updateStatus',
      status: {
        ...environment.status,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            observedGeneration: environment.metadata.generation,
            lastTransitionTime: now,
            reason: 'Refused',
            message,
          },
          ...conditions,
        ],
      },
    }).catch(() => {});
    await this.emit(environment, {
      type: 'event',
      eventType: 'Warning',
      reason: 'Refused',
      message: message.slice(0, 1024),
    }).catch(() => {});
  }

  private async perform(
    environment: EnvironmentResource,
    action: EnvironmentAction,
  ): Promise<void> {
    const name = environment.metadata.name!;
    const tolerate = (
      call: Promise<unknown>,
      stale: number[],
      refused: number[] = [],
    ) => awaitWrite(call, { what: action.type, stale, refused });
    // Invalid, BadRequest and admission's Forbidden do not pass on a retry.
    const REFUSED = [400, 403, 422];
    const request = {
      group: TENANCY_GROUP,
      version: TENANCY_VERSION,
      plural: ENVIRONMENT_PLURAL,
      name,
    };
    const finalizers = environment.metadata.finalizers ?? [];
    switch (action.type) {
      case 'addFinalizer':
      case 'removeFinalizer':
        return tolerate(
          this.custom.patchClusterCustomObject(
            {
              ...request,
              body: {
                metadata: {
                  resourceVersion: environment.metadata.resourceVersion,
                  finalizers:
                    action.type === 'addFinalizer'
                      ? [...finalizers, ENVIRONMENT_FINALIZER]
                      : finalizers.filter(f => f !== ENVIRONMENT_FINALIZER),
                },
              },
            },
            MERGE,
          ),
          [404, 409],
        );
      case 'updateStatus':
        // A replace, so resources that left the quota leave the status too.
        return tolerate(
          this.custom.replaceClusterCustomObjectStatus({
            ...request,
            body: { ...environment, status: action.status },
          }),
          [404, 409],
        );
      case 'createNamespace':
        this.logger.info('creating namespace', {
          environment: name,
          namespace: action.namespace.metadata!.name,
        });
        return tolerate(
          this.core.createNamespace({ body: action.namespace }),
          [409],
          REFUSED,
        );
      case 'patchNamespace':
        return tolerate(
          this.core.patchNamespace(
            {
              name: action.name,
              body: {
                metadata: {
                  labels: action.labels,
                  annotations: action.annotations,
                },
              },
            },
            MERGE,
          ),
          [404],
        );
      case 'deleteNamespace':
        this.logger.info('deleting namespace', {
          environment: name,
          namespace: action.name,
        });
        try {
          await this.core.deleteNamespace({
            name: action.name,
            body: { preconditions: { uid: action.uid } },
          });
        } catch (error) {
          // Gone already, or another namespace of that name: not ours.
          if (![404, 409].includes(statusOf(error) ?? 0)) throw error;
        }
        return undefined;
      case 'labelNode':
        return tolerate(
          this.core.patchNode(
            {
              name: action.node,
              body: {
                metadata: {
                  labels: { [action.label]: action.bind ? 'true' : null },
                },
              },
            },
            MERGE,
          ),
          [404],
        );
      case 'create':
        return this.create(action.object, tolerate, REFUSED);
      case 'update':
        return tolerate(this.replace(action.object), [404, 409], REFUSED);
      case 'delete':
        try {
          await this.remove(action);
        } catch (error) {
          if (![404, 409].includes(statusOf(error) ?? 0)) throw error;
        }
        return undefined;
      case 'unlabel':
        return ignoreNotFound(this.unlabel(action));
      case 'event':
        return this.emit(environment, action);
      default:
        throw new Error(`unknown action ${(action as EnvironmentAction).type}`);
    }
  }

  /** Creates an object; one of that name already there (not labelled ours, so not cached) is taken over. */
  private async create(
    object: EnvironmentObject,
    tolerate: (
      call: Promise<unknown>,
      stale: number[],
      refused?: number[],
    ) => Promise<void>,
    refused: number[],
  ): Promise<void> {
    try {
      await this.createObject(object);
      return;
    } catch (error) {
      if (statusOf(error) !== 409) {
        await tolerate(Promise.reject(error), [404], refused);
        return;
      }
    }
    const existing = await this.read(object);
    await tolerate(
      this.replace({
        ...object,
        metadata: {
          ...object.metadata,
          resourceVersion: existing.metadata!.resourceVersion,
        },
      }),
      [404, 409],
      refused,
    );
  }

  private createObject(object: EnvironmentObject): Promise<unknown> {
    const { namespace } = object.metadata as { namespace: string };
    switch (object.kind) {
      case 'ResourceQuota':
        return this.core.createNamespacedResourceQuota({
          namespace,
          body: object as V1ResourceQuota,
        });
      case 'LimitRange':
        return this.core.createNamespacedLimitRange({
          namespace,
          body: typedLimitRange(object as LimitRangeObject),
        });
      default:
        return this.rbac.createNamespacedRoleBinding({
          namespace,
          body: object as V1RoleBinding,
        });
    }
  }

  private read(object: EnvironmentObject): Promise<KubernetesObject> {
    const { namespace, name } = object.metadata as {
      namespace: string;
      name: string;
    };
    switch (object.kind) {
      case 'ResourceQuota':
        return this.core.readNamespacedResourceQuota({ namespace, name });
      case 'LimitRange':
        return this.core.readNamespacedLimitRange({ namespace, name });
      default:
        return this.rbac.readNamespacedRoleBinding({ namespace, name });
    }
  }

  private replace(object: EnvironmentObject): Promise<unknown> {
    const { namespace, name } = object.metadata as {
      namespace: string;
      name: string;
    };
    switch (object.kind) {
      case 'ResourceQuota':
        return this.core.replaceNamespacedResourceQuota({
          namespace,
          name,
          body: object as V1ResourceQuota,
        });
      case 'LimitRange':
        return this.core.replaceNamespacedLimitRange({
          namespace,
          name,
          body: typedLimitRange(object as LimitRangeObject),
        });
      default:
        return this.rbac.replaceNamespacedRoleBinding({
          namespace,
          name,
          body: object as V1RoleBinding,
        });
    }
  }

  private remove(
    action: Extract<EnvironmentAction, { type: 'delete' }>,
  ): Promise<unknown> {
    const request = {
      namespace: action.namespace,
      name: action.name,
      body: { preconditions: { uid: action.uid } },
    };
    switch (action.kind) {
      case 'ResourceQuota':
        return this.core.deleteNamespacedResourceQuota(request);
      case 'LimitRange':
        return this.core.deleteNamespacedLimitRange(request);
      default:
        return this.rbac.deleteNamespacedRoleBinding(request);
    }
  }

  private unlabel(
    action: Extract<EnvironmentAction, { type: 'unlabel' }>,
  ): Promise<unknown> {
    const request = {
      namespace: action.namespace,
      name: action.name,
      body: { metadata: { labels: { [LABEL_ENVIRONMENT]: null } } },
    };
    switch (action.kind) {
      case 'ResourceQuota':
        return this.core.patchNamespacedResourceQuota(request, MERGE);
      case 'LimitRange':
        return this.core.patchNamespacedLimitRange(request, MERGE);
      default:
        return this.rbac.patchNamespacedRoleBinding(request, MERGE);
    }
  }

  /**
   * An Event on the Environment, as client-go's recorder writes one for a
   * cluster-scoped object: in the `default` namespace.
   */
  private async emit(
    environment: EnvironmentResource,
    event: Extract<EnvironmentAction, { type: 'event' }>,
  ): Promise<void> {
    const { name } = environment.metadata;
    this.logger.info(event.message, {
      environment: name,
      reason: event.reason,
    });
    await this.events.record(environment, event);
  }
}

/** The values an Environment's placement is indexed under, and a node looked up by. */
const placementValues = (
  kind: 'zone' | 'rack' | 'host',
  values: Array<string | undefined> = [],
) => values.filter(v => v !== undefined).map(v => `${kind}=${v}`);

/** The Environment controller, for the operators' manager. */
export function environmentController(
  options: EnvironmentControllerOptions = {},
): ControllerFactory {
  return async (manager: Manager) => {
    const config: EnvironmentConfig = {
      ...(options.config ?? environmentConfigFromEnv(process.env)),
      ...(options.placementAdmission
        ? { placementAdmission: options.placementAdmission }
        : {}),
    };
    const keys = config.topologyLabels;
    const environments = await manager.informer<EnvironmentResource>(
      ENVIRONMENTS,
    );
    const informers = {
      environments,
      namespaces: await manager.informer<V1Namespace>(NAMESPACES),
      nodes: await manager.informer<V1Node>(NODES),
      storageClasses: await manager.informer(STORAGE_CLASSES),
      quotas: await manager.informer<V1ResourceQuota>(QUOTAS),
      limitRanges: await manager.informer<LimitRangeObject & KubernetesObject>(
        LIMIT_RANGES,
      ),
      roleBindings: await manager.informer<V1RoleBinding>(ROLE_BINDINGS),
    };
    informers.roleBindings.addIndexer(
      BY_ENVIRONMENT,
      byLabel(LABEL_ENVIRONMENT),
    );
    environments.addIndexer(BY_NAMESPACE, e => [e.spec.namespace]);
    environments.addIndexer(BY_PLACEMENT, e => [
      ...placementValues('zone', e.spec.placement?.zones),
      ...placementValues('rack', e.spec.placement?.racks),
      ...placementValues('host', e.spec.placement?.hosts),
    ]);
    const reconciler = new EnvironmentReconciler(manager, informers, config);
    const names = (list: EnvironmentResource[]) =>
      list.map(e => e.metadata.name!);
    const byLabelValue = (object: KubernetesObject) => {
      const environment = object.metadata?.labels?.[LABEL_ENVIRONMENT];
      return environment ? [environment] : [];
    };
    // An object whose label was removed leaves the labelled watch without
    // it: the Environment of its namespace takes it back.
    const byLabelOrNamespace = (object: KubernetesObject) => {
      const owners = byLabelValue(object);
      if (owners.length || !object.metadata?.namespace) return owners;
      return names(
        environments.byIndex(BY_NAMESPACE, object.metadata.namespace),
      );
    };
    return {
      name: 'environment',
      for: ENVIRONMENTS,
      watches: [
        // The namespace: created, relabelled, deleted.
        {
          kind: NAMESPACES,
          map: ns => [
            ...new Set([
              ...names(environments.byIndex(BY_NAMESPACE, ns.metadata!.name!)),
              ...byLabelValue(ns),
            ]),
          ],
        },
        // A node queues the Environments its topology labels match and
        // those whose binding label it carries (its previous version too,
        // so a relabelled node leaves the Environments it left).
        {
          kind: NODES,
          map: node => {
            const labels = node.metadata?.labels ?? {};
            const matching = [
              ...placementValues('zone', [labels[keys.zone]]),
              ...placementValues('rack', [labels[keys.rack]]),
              ...placementValues('host', [labels[keys.host]]),
            ].flatMap(value =>
              names(environments.byIndex(BY_PLACEMENT, value)),
            );
            const bound = Object.keys(labels)
              .filter(label => label.startsWith(NODE_LABEL_PREFIX))
              .map(label => label.slice(NODE_LABEL_PREFIX.length));
            return [...new Set([...matching, ...bound])];
          },
        },
        // A StorageClass changes the quota of those limiting classes.
        {
          kind: STORAGE_CLASSES,
          map: () =>
            names(environments.list().filter(e => e.spec.storageClasses)),
        },
        // Their objects: drift, and the quota's usage for the status.
        { kind: QUOTAS, map: byLabelOrNamespace },
        { kind: LIMIT_RANGES, map: byLabelOrNamespace },
        { kind: ROLE_BINDINGS, map: byLabelOrNamespace },
      ],
      concurrency: 16,
      reconcile: key => reconciler.reconcile(key),
    };
  };
}
