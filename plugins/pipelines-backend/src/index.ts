/**
 * Cairn Pipelines backend plugin.
 *
 * @packageDocumentation
 */
export { pipelinesPlugin as default } from './plugin';
export {
  ResourceCache,
  TektonWatches,
  parseLabelSelector,
  matchesLabelSelector,
} from './watch';
export type {
  CachedObject,
  CacheEvent,
  ResourceCacheOptions,
  ResourceKind,
  TektonCacheName,
  TektonClusterCaches,
  TektonWatchesOptions,
  LabelRequirement,
  LabelSelector,
} from './watch';
export { PipelineRunsService } from './service/PipelineRunsService';
export type {
  ListRunsRequest,
  PipelineRunsServiceOptions,
} from './service/PipelineRunsService';
export { PipelineDefinitionsService } from './service/PipelineDefinitionsService';
export type { PipelineDefinitionsServiceOptions } from './service/PipelineDefinitionsService';
export type { RunQuery } from './service/runQuery';
export { RunEvents } from './service/RunEvents';
export { ServiceAccountAllowList } from './service/serviceAccounts';
export type { AllowedServiceAccount } from './service/serviceAccounts';
export type { RunEventsOptions, RunSubscription } from './service/RunEvents';
export * from './logs';
