/*
 * Live updates of the Environments pages: the backend signals what changed
 * in a cluster (from its shared watches), open pages refetch what they show.
 */

/** The Signals channel of Environment and node changes. @public */
export const ENVIRONMENTS_SIGNAL_CHANNEL = 'environments:changes';

/**
 * The message on {@link ENVIRONMENTS_SIGNAL_CHANNEL}: what changed in a
 * cluster since the last message (at most one per cluster per throttle
 * interval, each object named once).
 * @public
 */
export interface EnvironmentsChangedSignal {
  cluster: string;
  /** Environments created, changed (spec or status, usage against quota included) or deleted. */
  environments: string[];
  /** Nodes added, deleted, or whose labels or readiness changed. */
  nodes: string[];
}
