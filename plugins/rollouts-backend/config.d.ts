export interface Config {
  /** Cairn Rollouts. Clusters come from the standard `kubernetes:` block. */
  rollouts?: {
    /**
     * The node label naming a node's rack, for the topology view (Kubernetes
     * has no standard one). Default `topology.cairn.dev/rack`; the original
     * system used `nuwa.kubernetes.io/rack`.
     */
    rackLabel?: string;
  };
}
