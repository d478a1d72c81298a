import type { V1StorageClass } from '@kubernetes/client-node';
import {
  CachedNode,
  CachedObject,
  CachedPod,
  ClusterWatches,
  NODES,
  PODS,
  ResourceCache,
  WatchedResource,
} from '@cairn/plugin-kubernetes-node';
import {
  Environment,
  ENVIRONMENT_KIND,
  ENVIRONMENT_PLURAL,
  TENANCY_GROUP,
  TENANCY_VERSION,
} from '@cairn/operators-api';

/*
 * The kinds the Environments backend reads, each from THE shared watch of
 * its kind on a cluster (ClusterWatches, the same definitions the other
 * plugins pass): Environments, nodes (their topology labels), pods (how
 * many run on a node, so ops see what a relabel would move) and
 * StorageClasses.
 */

export type CachedEnvironment = Environment & CachedObject;
export type CachedStorageClass = V1StorageClass & CachedObject;

export const ENVIRONMENTS: WatchedResource<CachedEnvironment> = {
  group: TENANCY_GROUP,
  version: TENANCY_VERSION,
  plural: ENVIRONMENT_PLURAL,
  kind: ENVIRONMENT_KIND,
  namespaced: false,
  notServedHint: 'is the Environment CRD installed (operators/deploy)?',
};
export { NODES, PODS };
export type { CachedNode, CachedPod };
export const STORAGE_CLASSES: WatchedResource<CachedStorageClass> = {
  group: 'storage.k8s.io',
  version: 'v1',
  plural: 'storageclasses',
  kind: 'StorageClass',
  namespaced: false,
};

/** What the lists wait for. */
export const LIST_RESOURCES = [ENVIRONMENTS];
/** What the topology drawing waits for. */
export const TOPOLOGY_RESOURCES = [ENVIRONMENTS, NODES, PODS, STORAGE_CLASSES];

/** The index of pods by the node they run on. */
export const PODS_BY_NODE_INDEX = 'environments-node';

/** The caches of one cluster. */
export interface EnvironmentCaches {
  environments: ResourceCache<CachedEnvironment>;
  nodes: ResourceCache<CachedNode>;
  pods: ResourceCache<CachedPod>;
  storageClasses: ResourceCache<CachedStorageClass>;
}

/** The shared caches of a cluster, pods indexed by their node. */
export function environmentCaches(
  watches: ClusterWatches,
  cluster: string,
): EnvironmentCaches {
  const pods = watches.cache(cluster, PODS);
  pods.addIndex(PODS_BY_NODE_INDEX, pod => pod.spec?.nodeName);
  return {
    environments: watches.cache(cluster, ENVIRONMENTS),
    nodes: watches.cache(cluster, NODES),
    pods,
    storageClasses: watches.cache(cluster, STORAGE_CLASSES),
  };
}
