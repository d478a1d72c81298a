import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { CachedObject } from './ResourceCache';
import type { WatchedResource } from './ClusterWatches';

/*
 * Built-in kinds several plugins read, defined once: a kind's watch and
 * cache are shared by every plugin in the process, so its definition (and
 * its transform) must be the same wherever it is used.
 */

/** A pod as the shared cache keeps it. @public */
export type CachedPod = V1Pod & CachedObject;
/** A node as the shared cache keeps it. @public */
export type CachedNode = V1Node & CachedObject;

/** Pods of every namespace. @public */
export const PODS: WatchedResource<CachedPod> = {
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
};

/** Nodes (cluster-scoped): their labels place pods in zones and racks. @public */
export const NODES: WatchedResource<CachedNode> = {
  group: '',
  version: 'v1',
  plural: 'nodes',
  kind: 'Node',
  namespaced: false,
};
