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
