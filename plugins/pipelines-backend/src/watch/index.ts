export { ResourceCache, stripServerBookkeeping } from './ResourceCache';
export type {
  CachedObject,
  CacheEvent,
  ResourceCacheOptions,
  ResourceKind,
} from './ResourceCache';
export {
  pipelineRunByUid,
  stripUnreadRunFields,
  taskRunsOf,
  TektonWatches,
} from './TektonWatches';
export type {
  TektonCacheName,
  TektonClusterCaches,
  TektonWatchesOptions,
} from './TektonWatches';
export { parseLabelSelector, matchesLabelSelector } from './labelSelector';
export type { LabelRequirement, LabelSelector } from './labelSelector';
