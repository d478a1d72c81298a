/**
 * React pieces Cairn's frontend plugins share about Kubernetes: how a view
 * says which clusters it could not read, and the refresh that turns it live
 * again once a lost cluster is back; and how a view loads again on every
 * change signalled or asked for, none lost while a load is under way.
 *
 * @packageDocumentation
 */
export {
  ClusterErrors,
  isStale,
  STALE_REFRESH_MS,
  useRefreshWhileStale,
} from './ClusterErrors';
export { useAsyncLatest } from './useAsyncLatest';
export { useSignalVersion } from './useSignalVersion';
