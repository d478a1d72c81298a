import type { V1ControllerRevision } from '@kubernetes/client-node';
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
  LABEL_STONE,
  Stone,
  STONE_GROUP,
  STONE_KIND,
  STONE_PLURAL,
  STONE_VERSION,
} from '@cairn/operators-api';

/*
 * The kinds the Rollouts backend reads, each from THE shared watch of its
 * kind on a cluster (ClusterWatches): Stones, their pods and their
 * ControllerRevisions (both found by the Stone's label), and nodes, whose
 * labels place a pod in its zone and rack.
 */

export type CachedStone = Stone & CachedObject;
export type CachedRevision = V1ControllerRevision & CachedObject;
export type { CachedNode, CachedPod };

export const STONES: WatchedResource<CachedStone> = {
  group: STONE_GROUP,
  version: STONE_VERSION,
  plural: STONE_PLURAL,
  kind: STONE_KIND,
  notServedHint: 'is the Stone CRD installed (operators/deploy)?',
};
export { NODES, PODS };
export const CONTROLLER_REVISIONS: WatchedResource<CachedRevision> = {
  group: 'apps',
  version: 'v1',
  plural: 'controllerrevisions',
  kind: 'ControllerRevision',
};

/** What the lists wait for; nodes only place pods, so a page does not wait for them. */
export const LIST_RESOURCES = [STONES];
export const DETAIL_RESOURCES = [STONES, PODS, CONTROLLER_REVISIONS];

/** The caches of one cluster. */
export interface StoneCaches {
  stones: ResourceCache<CachedStone>;
  pods: ResourceCache<CachedPod>;
  revisions: ResourceCache<CachedRevision>;
  nodes: ResourceCache<CachedNode>;
}

/**
 * The shared caches of a cluster, with the Stone label indexed on pods and
 * revisions so a Stone's are found without a scan.
 */
export function stoneCaches(
  watches: ClusterWatches,
  cluster: string,
): StoneCaches {
  const pods = watches.cache(cluster, PODS);
  const revisions = watches.cache(cluster, CONTROLLER_REVISIONS);
  pods.indexLabel(LABEL_STONE);
  revisions.indexLabel(LABEL_STONE);
  return {
    stones: watches.cache(cluster, STONES),
    pods,
    revisions,
    nodes: watches.cache(cluster, NODES),
  };
}

/** A Stone's own objects of a kind: in its namespace, with its label. */
export function ownedBy<T extends CachedObject>(
  cache: ResourceCache<T>,
  stone: Stone,
): T[] {
  return cache.list({
    namespace: stone.metadata.namespace,
    selector: [
      { key: LABEL_STONE, operator: 'in', values: [stone.metadata.name!] },
    ],
  });
}
