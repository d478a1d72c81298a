/**
 * A cluster that could not be read: its objects are missing from a response,
 * or, with `unreachableSince`, are there as they were last known.
 * @public
 */
export interface ClusterError {
  cluster: string;
  /** Why, in Kubernetes' words (the last error when the cluster stopped answering). */
  message: string;
  /**
   * When the portal lost the cluster (ISO 8601) after having read it: its
   * objects in the response are its last known state from then, not live.
   */
  unreachableSince?: string;
}
