export { ResourceCache, stripServerBookkeeping } from './ResourceCache';
export type {
  CachedObject,
  CacheEvent,
  ResourceCacheOptions,
  ResourceKind,
} from './ResourceCache';
export { ClusterWatches } from './ClusterWatches';
export { SharedValues } from './SharedValues';
export { NODES, PODS } from './coreResources';
export type { CachedNode, CachedPod } from './coreResources';
export type {
  ClusterUnreachable,
  ClusterWatchesOptions,
  WatchedResource,
} from './ClusterWatches';
export {
  parseLabelSelector,
  matchesLabelSelector,
  selectorLabels,
} from './labelSelector';
export type { LabelRequirement, LabelSelector } from './labelSelector';
