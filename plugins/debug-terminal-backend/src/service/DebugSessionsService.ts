import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  DEBUG_GROUP,
  DEBUG_SESSION_DEFAULTS,
  DEBUG_SESSION_KIND,
  DEBUG_SESSION_PLURAL,
  DEBUG_VERSION,
  DEBUG_API_VERSION,
  DebugSession,
} from '@cairn/operators-api';
import {
  ClusterError,
  CreateSessionBody,
  DebugPodList,
  DebugPodSummary,
  DebugSessionDetail,
  DebugSessionList,
  DebugSessionRef,
  DebugSessionSummary,
  DebugToolkitOption,
  debugEligibility,
} from '@cairn/plugin-debug-terminal-common';
import {
  ClusterAccess,
  ClusterWatches,
  EntityScope,
  isInScope,
  mapKubernetesError,
  PODS,
} from '@cairn/plugin-kubernetes-node';
import { CoreV1Api, CustomObjectsApi, V1Pod } from '@kubernetes/client-node';
import { summarizePod } from './podSummary';
import { DebugTerminalSettings } from './settings';

/**
 * Annotation on a DebugSession: the catalog entity it was opened for. A
 * session is only ever shown, attached to or ended through that entity.
 */
export const ANNOTATION_ENTITY_REF = 'cairn.dev/entity-ref';

const sessionResource = {
  group: DEBUG_GROUP,
  version: DEBUG_VERSION,
  plural: DEBUG_SESSION_PLURAL,
};

// Pods come from THE shared watch of pods of each cluster (kubernetes-node's
// PODS, which the Rollouts backend reads too): a pods list costs no cluster call.

/** How long a pods list waits for a cluster's first list of pods. */
const PODS_SYNC_TIMEOUT_MS = 10_000;

/** A container of one of the entity's pods, checked to exist. */
export interface ScopedContainer {
  cluster: string;
  namespace: string;
  pod: V1Pod;
  container: string;
}

/**
 * DebugSessions of catalog entities, created and read as the portal's
 * service account. Callers pass the entity's scope once they have checked
 * the caller's permission on it (AuthorizedDebugSessionsService): this
 * class checks that every pod and session belongs to that scope.
 */
export class DebugSessionsService {
  constructor(
    private readonly clusters: ClusterAccess,
    private readonly settings: DebugTerminalSettings,
    private readonly watches: ClusterWatches,
  ) {}

  /** Makes the shared pod caches of every cluster, so their watches run from the start. */
  watchPods(): void {
    for (const cluster of this.watches.clusterNames()) {
      this.watches.cache(cluster, PODS);
    }
  }

  /**
   * The entity's pods on its clusters, from the shared watches; a cluster
   * that cannot be read is named in `clusterErrors` (with its last known
   * pods, if it had been listed).
   */
  async pods(scope: EntityScope): Promise<DebugPodList> {
    const watches = this.watches;
    const items: DebugPodSummary[] = [];
    const clusterErrors: ClusterError[] = [];
    for (const cluster of watches.clusterNames()) {
      if (scope.cluster && scope.cluster !== cluster) continue;
      const cache = watches.cache(cluster, PODS);
      try {
        await watches.synced(cluster, [PODS], PODS_SYNC_TIMEOUT_MS);
      } catch (error) {
        clusterErrors.push({ cluster, message: (error as Error).message });
        continue;
      }
      const stale = watches.staleness(cluster, [PODS]);
      if (stale) clusterErrors.push(stale);
      for (const pod of cache.list({
        namespace: scope.namespace,
        selector: scope.selector,
      })) {
        items.push(summarizePod(cluster, pod));
      }
    }
    items.sort(
      (a, b) =>
        a.cluster.localeCompare(b.cluster) ||
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name),
    );
    return { items, clusterErrors };
  }

  toolkits(): DebugToolkitOption[] {
    return this.settings.toolkits.map(
      ({ name, image, profile, description }) => ({
        name,
        image,
        profile,
        description,
      }),
    );
  }

  get maxTtlSeconds(): number {
    return this.settings.maxTtlSeconds;
  }

  /** The pod and container, if the pod is one of the entity's; NotFoundError otherwise (no hint that it exists). */
  async scopedContainer(
    scope: EntityScope,
    where: {
      cluster: string;
      namespace: string;
      pod: string;
      container: string;
    },
  ): Promise<ScopedContainer> {
    const { cluster, namespace, container } = where;
    const notTheEntitys = new NotFoundError(
      `pod ${namespace}/${where.pod} on cluster ${cluster} is not one of ${scope.entityRef}'s pods`,
    );
    if (scope.cluster && scope.cluster !== cluster) throw notTheEntitys;
    const core = this.clusters.client(cluster, CoreV1Api);
    let pod: V1Pod;
    try {
      pod = await core.readNamespacedPod({ name: where.pod, namespace });
    } catch (error) {
      throw mapKubernetesError(error, {
        cluster,
        verb: 'get',
        resource: 'pods',
        namespace,
        name: where.pod,
      });
    }
    if (!isInScope(scope, cluster, pod as any)) throw notTheEntitys;
    const containers = (pod.spec?.containers ?? []).map(c => c.name);
    if (!containers.includes(container)) {
      throw new NotFoundError(
        `pod ${namespace}/${
          where.pod
        } has no container "${container}"; its containers: ${containers.join(
          ', ',
        )}`,
      );
    }
    return { cluster, namespace, pod, container };
  }

  /** Creates a DebugSession on one of the entity's pods, if its rule (debugEligibility) lets one start there: ConflictError otherwise. `toolkit` must be in the catalog; `image` is the caller's to allow. */
  async create(
    scope: EntityScope,
    body: CreateSessionBody,
    requestedBy: string,
  ): Promise<DebugSessionDetail> {
    if (
      body.toolkit &&
      !this.settings.toolkits.some(t => t.name === body.toolkit)
    ) {
      throw new InputError(
        `toolkit: "${
          body.toolkit
        }" is not in the catalog; choose one of ${this.settings.toolkits
          .map(t => t.name)
          .join(', ')}`,
      );
    }
    const target = await this.scopedContainer(scope, body);
    const mode = body.mode ?? DEBUG_SESSION_DEFAULTS.mode;
    // The pods list's rule, on the pod as the cluster holds it now: a
    // session the controller could only fail is not created.
    const eligibility = debugEligibility(
      summarizePod(target.cluster, target.pod),
      target.container,
      mode,
    );
    if (!eligibility.debuggable)
      throw new ConflictError(
        `cannot debug on cluster ${target.cluster}: ${eligibility.reason}`,
      );
    const ttlSeconds = Math.min(
      body.ttlSeconds ?? DEBUG_SESSION_DEFAULTS.ttlSeconds,
      this.settings.maxTtlSeconds,
    );
    const session: DebugSession = {
      apiVersion: DEBUG_API_VERSION,
      kind: DEBUG_SESSION_KIND,
      metadata: {
        generateName: `${`debug-${target.pod.metadata!.name!}`.slice(0, 50)}-`,
        namespace: target.namespace,
        annotations: { [ANNOTATION_ENTITY_REF]: scope.entityRef },
      },
      spec: {
        podName: target.pod.metadata!.name!,
        targetContainer: target.container,
        ...(body.toolkit ? { toolkit: body.toolkit } : { image: body.image }),
        ...(body.profile ? { profile: body.profile } : {}),
        mode,
        ttlSeconds,
        requestedBy,
      },
    };
    try {
      const created = (await this.clusters
        .client(target.cluster, CustomObjectsApi)
        .createNamespacedCustomObject({
          ...sessionResource,
          namespace: target.namespace,
          body: session,
        })) as DebugSession;
      return toDetail(target.cluster, created);
    } catch (error) {
      throw mapKubernetesError(error, {
        cluster: target.cluster,
        verb: 'create',
        resource: DEBUG_SESSION_PLURAL,
        group: DEBUG_GROUP,
        namespace: target.namespace,
      });
    }
  }

  /** The entity's sessions on its clusters (in its namespace, if it names one). */
  async list(scope: EntityScope): Promise<DebugSessionList> {
    const clusters = scope.cluster
      ? [scope.cluster]
      : this.clusters.list().map(c => c.name);
    const items: DebugSessionSummary[] = [];
    for (const cluster of clusters) {
      const api = this.clusters.client(cluster, CustomObjectsApi);
      let list: { items: DebugSession[] };
      try {
        list = (
          scope.namespace
            ? await api.listNamespacedCustomObject({
                ...sessionResource,
                namespace: scope.namespace,
              })
            : await api.listClusterCustomObject(sessionResource)
        ) as {
          items: DebugSession[];
        };
      } catch (error) {
        throw mapKubernetesError(error, {
          cluster,
          verb: 'list',
          resource: DEBUG_SESSION_PLURAL,
          group: DEBUG_GROUP,
          namespace: scope.namespace,
        });
      }
      for (const session of list.items) {
        if (
          session.metadata.annotations?.[ANNOTATION_ENTITY_REF] ===
          scope.entityRef
        )
          items.push(toDetail(cluster, session));
      }
    }
    items.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    return { items };
  }

  /** One of the entity's sessions; NotFoundError for another entity's. */
  async get(
    scope: EntityScope,
    ref: DebugSessionRef,
  ): Promise<DebugSessionDetail> {
    const { cluster, namespace, name } = ref;
    let session: DebugSession;
    try {
      session = (await this.clusters
        .client(cluster, CustomObjectsApi)
        .getNamespacedCustomObject({
          ...sessionResource,
          namespace,
          name,
        })) as DebugSession;
    } catch (error) {
      throw mapKubernetesError(error, {
        cluster,
        verb: 'get',
        resource: DEBUG_SESSION_PLURAL,
        group: DEBUG_GROUP,
        namespace,
        name,
      });
    }
    if (
      session.metadata.annotations?.[ANNOTATION_ENTITY_REF] !== scope.entityRef
    ) {
      throw new NotFoundError(
        `debug session ${namespace}/${name} on cluster ${cluster} is not one of ${scope.entityRef}'s`,
      );
    }
    return toDetail(cluster, session);
  }

  /** Ends one of the entity's sessions: the controller ends its container before the object goes. */
  async end(scope: EntityScope, ref: DebugSessionRef): Promise<void> {
    await this.get(scope, ref);
    const { cluster, namespace, name } = ref;
    try {
      await this.clusters
        .client(cluster, CustomObjectsApi)
        .deleteNamespacedCustomObject({ ...sessionResource, namespace, name });
    } catch (error) {
      throw mapKubernetesError(error, {
        cluster,
        verb: 'delete',
        resource: DEBUG_SESSION_PLURAL,
        group: DEBUG_GROUP,
        namespace,
        name,
      });
    }
  }
}

function toDetail(cluster: string, session: DebugSession): DebugSessionDetail {
  const { metadata, spec, status } = session;
  const ready = status?.conditions?.find(c => c.type === 'Ready');
  return {
    cluster,
    namespace: metadata.namespace!,
    name: metadata.name!,
    entityRef: metadata.annotations?.[ANNOTATION_ENTITY_REF] ?? '',
    podName: spec.podName,
    targetContainer: spec.targetContainer,
    toolkit: spec.toolkit,
    image: status?.image ?? spec.image,
    profile: spec.profile,
    mode: spec.mode ?? DEBUG_SESSION_DEFAULTS.mode,
    phase: status?.phase,
    requestedBy: spec.requestedBy,
    createdAt: metadata.creationTimestamp
      ? new Date(metadata.creationTimestamp).toISOString()
      : undefined,
    startedAt: status?.startedAt,
    expiresAt: status?.expiresAt,
    endedAt: status?.endedAt,
    containerName: status?.containerName,
    copyPodName: status?.copyPodName,
    reason: ready?.reason,
    message: ready?.message,
  };
}
