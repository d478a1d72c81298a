import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Environment,
  ENVIRONMENT_KIND,
  ENVIRONMENT_PLURAL,
  EnvironmentSpec,
  TENANCY_API_VERSION,
  TENANCY_GROUP,
  TENANCY_VERSION,
  TopologyLabels,
} from '@cairn/operators-api';
import {
  ClusterError,
  ClusterTopology,
  EnvironmentSummary,
  ImportNodeLabelsRequest,
  LabelNodesRequest,
  NodeLabelImport,
  nuwaLabelImport,
  TopologyNode,
} from '@cairn/plugin-environments-common';
import {
  ClusterAccess,
  ClusterWatches,
  mapKubernetesError,
} from '@cairn/plugin-kubernetes-node';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  CachedEnvironment,
  environmentCaches,
  EnvironmentCaches,
  LIST_RESOURCES,
  PODS_BY_NODE_INDEX,
  TOPOLOGY_RESOURCES,
} from './resources';
import {
  namespaceRefusal,
  summarizeEnvironment,
  toTopologyNode,
} from './summaries';

/** Options of {@link EnvironmentsService}. */
export interface EnvironmentsServiceOptions {
  clusters: ClusterAccess;
  watches: ClusterWatches;
  /** The node labels topology is read from and written to. */
  topologyLabels: TopologyLabels;
  /** How long a request waits for a cluster's first lists. */
  syncTimeoutMs?: number;
}

const ENVIRONMENT_API = {
  group: TENANCY_GROUP,
  version: TENANCY_VERSION,
  plural: ENVIRONMENT_PLURAL,
};

const STALE_EDIT =
  'the environment changed since you loaded it (someone else edited it); reload it and edit again';

/**
 * Environments (`tenancy.cairn.dev/v1alpha1`, cluster-scoped) of every
 * configured cluster, read from the shared watches, and the changes ops
 * make to them through the Kubernetes API as the portal's service account:
 * the portal writes only the Environment (and node labels); the operator
 * makes the namespace, quota, LimitRange and RoleBindings. No permission
 * checks here: see {@link AuthorizedEnvironmentsService}.
 */
export class EnvironmentsService {
  private readonly syncTimeoutMs: number;

  constructor(private readonly options: EnvironmentsServiceOptions) {
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
  }

  get topologyLabels(): TopologyLabels {
    return this.options.topologyLabels;
  }

  clusterNames(): string[] {
    return this.options.watches.clusterNames();
  }

  private caches(cluster: string): EnvironmentCaches {
    return environmentCaches(this.options.watches, cluster);
  }

  /** Makes the shared caches of every cluster, so their watches run from the start. */
  watchAll(): void {
    for (const cluster of this.clusterNames()) this.caches(cluster);
  }

  /**
   * The environments `include` keeps, of one cluster or all, sorted by
   * cluster and name; a cluster that cannot be read is in `clusterErrors`
   * (with its last known environments if it had been listed).
   */
  async list(
    include: (environment: Environment) => boolean,
    cluster?: string,
  ): Promise<{ items: EnvironmentSummary[]; clusterErrors: ClusterError[] }> {
    if (cluster) this.options.clusters.get(cluster);
    const items: EnvironmentSummary[] = [];
    const clusterErrors: ClusterError[] = [];
    for (const name of this.clusterNames()) {
      if (cluster && name !== cluster) continue;
      const { environments } = this.caches(name);
      try {
        await this.options.watches.synced(
          name,
          LIST_RESOURCES,
          this.syncTimeoutMs,
        );
      } catch (error) {
        clusterErrors.push({
          cluster: name,
          message: (error as Error).message,
        });
        continue;
      }
      const stale = this.options.watches.staleness(name, LIST_RESOURCES);
      if (stale) clusterErrors.push(stale);
      for (const environment of environments.list()) {
        if (include(environment)) {
          items.push(summarizeEnvironment(environment, name));
        }
      }
    }
    items.sort(
      (a, b) =>
        a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name),
    );
    return { items, clusterErrors };
  }

  /** One environment as the watch has it; 404 naming it when there is none. */
  async get(cluster: string, name: string): Promise<CachedEnvironment> {
    this.options.clusters.get(cluster);
    await this.options.watches.synced(
      cluster,
      LIST_RESOURCES,
      this.syncTimeoutMs,
    );
    const environment = this.caches(cluster).environments.get('', name);
    if (!environment) {
      throw new NotFoundError(
        `there is no environment "${name}" on cluster "${cluster}"`,
      );
    }
    return environment;
  }

  /** Creates an Environment; 409 when the name or the namespace is taken. */
  async create(
    cluster: string,
    name: string,
    spec: EnvironmentSpec,
  ): Promise<EnvironmentSummary> {
    await this.refuseTakenNamespace(cluster, name, spec.namespace);
    const body: Environment = {
      apiVersion: TENANCY_API_VERSION,
      kind: ENVIRONMENT_KIND,
      metadata: { name },
      spec,
    };
    try {
      const created = (await this.api(cluster).createClusterCustomObject({
        ...ENVIRONMENT_API,
        body,
      })) as Environment;
      return summarizeEnvironment(created, cluster);
    } catch (error) {
      throw this.mapError(
        error,
        cluster,
        'create',
        name,
        `environment "${name}" already exists on cluster "${cluster}"; pick another name or edit it`,
      );
    }
  }

  /**
   * Replaces an Environment's spec, if it is still the version the edit was
   * made on (the API server refuses the write otherwise: 409).
   */
  async update(
    cluster: string,
    name: string,
    resourceVersion: string,
    spec: EnvironmentSpec,
  ): Promise<EnvironmentSummary> {
    const current = await this.get(cluster, name);
    if (current.spec.namespace !== spec.namespace) {
      throw new InputError(
        `spec.namespace: an environment keeps its namespace ("${current.spec.namespace}"); create another environment for namespace "${spec.namespace}"`,
      );
    }
    const body: Environment = {
      apiVersion: TENANCY_API_VERSION,
      kind: ENVIRONMENT_KIND,
      metadata: { ...current.metadata, resourceVersion },
      spec,
    };
    try {
      const replaced = (await this.api(cluster).replaceClusterCustomObject({
        ...ENVIRONMENT_API,
        name,
        body,
      })) as Environment;
      return summarizeEnvironment(replaced, cluster);
    } catch (error) {
      throw this.mapError(error, cluster, 'update', name, STALE_EDIT);
    }
  }

  /** Deletes an Environment; the operator keeps or deletes its namespace as its deletionPolicy says. */
  async delete(cluster: string, name: string): Promise<void> {
    await this.get(cluster, name);
    try {
      await this.api(cluster).deleteClusterCustomObject({
        ...ENVIRONMENT_API,
        name,
      });
    } catch (error) {
      throw this.mapError(error, cluster, 'delete', name);
    }
  }

  /** A cluster's nodes with their topology, pods and environments, and its StorageClasses. */
  async topology(cluster: string): Promise<Omit<ClusterTopology, 'canLabel'>> {
    this.options.clusters.get(cluster);
    await this.options.watches.synced(
      cluster,
      TOPOLOGY_RESOURCES,
      this.syncTimeoutMs,
    );
    const { environments, nodes, pods, storageClasses } = this.caches(cluster);
    const environmentsOf = new Map<string, string[]>();
    for (const environment of environments.list()) {
      for (const node of environment.status?.nodes ?? []) {
        const names = environmentsOf.get(node);
        if (names) names.push(environment.metadata.name!);
        else environmentsOf.set(node, [environment.metadata.name!]);
      }
    }
    const running = (name: string) =>
      pods
        .byIndex(PODS_BY_NODE_INDEX, name)
        .filter(
          pod =>
            pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed',
        ).length;
    return {
      cluster,
      labels: this.options.topologyLabels,
      nodes: nodes
        .list()
        .map(node =>
          toTopologyNode(
            node,
            this.options.topologyLabels,
            running(node.metadata.name!),
            (environmentsOf.get(node.metadata.name!) ?? []).sort(),
          ),
        )
        .sort((a, b) => a.name.localeCompare(b.name)),
      storageClasses: storageClasses
        .list()
        .map(c => c.metadata.name!)
        .sort(),
    };
  }

  /**
   * Writes the zone, rack or host label of each node (null removes it):
   * one merge patch per node. Every node must exist before any is patched.
   */
  async labelNodes(
    cluster: string,
    request: LabelNodesRequest,
  ): Promise<TopologyNode[]> {
    this.options.clusters.get(cluster);
    await this.options.watches.synced(
      cluster,
      TOPOLOGY_RESOURCES,
      this.syncTimeoutMs,
    );
    const { nodes } = this.caches(cluster);
    const missing = request.nodes.filter(name => !nodes.get('', name));
    if (missing.length) {
      throw new NotFoundError(
        `cluster "${cluster}" has no node ${missing
          .map(n => `"${n}"`)
          .join(', ')}`,
      );
    }
    const keys = this.options.topologyLabels;
    const labels: Record<string, string | null> = {};
    if (request.zone !== undefined) labels[keys.zone] = request.zone;
    if (request.rack !== undefined) labels[keys.rack] = request.rack;
    if (request.host !== undefined) labels[keys.host] = request.host;
    const core = this.options.clusters.client(cluster, CoreV1Api);
    const labelled: TopologyNode[] = [];
    for (const name of request.nodes) {
      try {
        const node = await core.patchNode(
          { name, body: { metadata: { labels } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        labelled.push(toTopologyNode(node, keys, 0, []));
      } catch (error) {
        throw mapKubernetesError(error, {
          cluster,
          verb: 'patch',
          resource: 'nodes',
          name,
        });
      }
    }
    return labelled;
  }

  /**
   * Writes Cairn's topology labels from the nodes' `nuwa.kubernetes.io/*`
   * labels where they lack them (`nuwaLabelImport`, on the labels as the
   * watch has them now): the named nodes (each must exist) or every node
   * with anything to import. One merge patch per node, of the missing
   * labels only (no `resourceVersion`: the kubelet's status updates would
   * make it stale at any moment).
   */
  async importNodeLabels(
    cluster: string,
    request: ImportNodeLabelsRequest,
  ): Promise<NodeLabelImport[]> {
    this.options.clusters.get(cluster);
    await this.options.watches.synced(
      cluster,
      TOPOLOGY_RESOURCES,
      this.syncTimeoutMs,
    );
    const { nodes } = this.caches(cluster);
    const chosen = request.nodes
      ? request.nodes.map(name => ({ name, node: nodes.get('', name) }))
      : nodes.list().map(node => ({ name: node.metadata.name!, node }));
    const missing = chosen.filter(c => !c.node).map(c => `"${c.name}"`);
    if (missing.length) {
      throw new NotFoundError(
        `cluster "${cluster}" has no node ${missing.join(', ')}`,
      );
    }
    const core = this.options.clusters.client(cluster, CoreV1Api);
    const imported: NodeLabelImport[] = [];
    for (const { name, node } of chosen) {
      const labels = nuwaLabelImport(
        node!.metadata.labels,
        this.options.topologyLabels,
      );
      if (!labels) continue;
      try {
        await core.patchNode(
          {
            name,
            body: { metadata: { labels } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      } catch (error) {
        throw mapKubernetesError(error, {
          cluster,
          verb: 'patch',
          resource: 'nodes',
          name,
        });
      }
      imported.push({ node: name, labels });
    }
    return imported.sort((a, b) => a.node.localeCompare(b.node));
  }

  private async refuseTakenNamespace(
    cluster: string,
    name: string,
    namespace: string,
  ) {
    this.options.clusters.get(cluster);
    await this.options.watches.synced(
      cluster,
      LIST_RESOURCES,
      this.syncTimeoutMs,
    );
    const refusal = namespaceRefusal(
      namespace,
      name,
      this.caches(cluster).environments.list(),
    );
    if (refusal) throw new ConflictError(refusal);
  }

  /** Kubernetes' error in the portal's words; a conflict (409) as `conflict` says, if given. */
  private mapError(
    error: unknown,
    cluster: string,
    verb: 'create' | 'update' | 'delete',
    name: string,
    conflict?: string,
  ): Error {
    const mapped = mapKubernetesError(error, {
      cluster,
      verb,
      resource: ENVIRONMENT_PLURAL,
      group: TENANCY_GROUP,
      name,
      notServedHint: 'is the Environment CRD installed (operators/deploy)?',
    });
    return mapped instanceof ConflictError && conflict
      ? new ConflictError(conflict)
      : mapped;
  }

  private api(cluster: string): CustomObjectsApi {
    return this.options.clusters.client(cluster, CustomObjectsApi);
  }
}
