/**
 * React pieces Cairn's frontend plugins share about Kubernetes: how a view
 * says which clusters it could not read, and the refresh that turns it live
 * again once a lost cluster is back; and the async load whose retries (a
 * signalled change) are never lost.
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
