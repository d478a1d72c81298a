export interface Config {
  /**
   * Cairn Pipelines backend. Clusters come from the standard
   * `kubernetes.clusterLocatorMethods` block (type `config`), declared by the
   * Backstage Kubernetes backend.
   */
  pipelines?: {
    logs?: {
      /**
       * Days the step logs of finished runs are kept in the portal database
       * after they were archived. Default 30.
       */
      retentionDays?: number;
    };
  };
}
