/**
 * Cairn Pipelines backend plugin.
 *
 * @packageDocumentation
 */
export { pipelinesPlugin as default } from './plugin';
export { TektonWatches } from './watch';
export type {
  TektonCacheName,
  TektonClusterCaches,
  TektonWatchesOptions,
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
