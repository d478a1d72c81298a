export interface Config {
  /** Cairn Environments. Clusters come from the standard `kubernetes:` block. */
  environments?: {
    /**
     * The node labels the topology is read from and node labelling writes:
     * set them as the Environment operator's CAIRN_TOPOLOGY_*_LABEL are
     * set, so the portal previews the placement the operator resolves.
     * Defaults `topology.kubernetes.io/zone`, `topology.cairn.dev/rack`,
     * `kubernetes.io/hostname`. Clusters labelled by the original system
     * (`nuwa.kubernetes.io/zone`, `…/rack`, `…/host`) may set those, or
     * keep these and import the nuwa labels into them on the Nodes page.
     */
    topologyLabels?: {
      zone?: string;
      rack?: string;
      host?: string;
    };
  };
}
