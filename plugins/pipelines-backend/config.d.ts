export interface Config {
  /**
   * Cairn Pipelines backend. Clusters come from the standard
   * `kubernetes.clusterLocatorMethods` block (type `config`), declared by the
   * Backstage Kubernetes backend.
   */
  pipelines?: {
    /**
     * Service accounts a user may name (`serviceAccountName`) when starting a
     * run; a rerun keeps the original run's account only while it is listed.
     * The run's pods act as that account in the cluster, so list only
     * accounts every user allowed to start runs may use. A plain name is
     * allowed in every namespace; `{ name, namespace }` only in that
     * namespace. Default: none, so `serviceAccountName` may not be set and
     * Tekton uses the Pipeline's taskRunTemplate or the namespace's
     * `default` account.
     */
    serviceAccounts?: Array<
      | string
      | {
          /** The ServiceAccount's name. */
          name: string;
          /** Allow it only in this namespace. */
          namespace?: string;
        }
    >;
    logs?: {
      /**
       * Days the step logs of finished runs are kept in the portal database
       * after they were archived. Default 30.
       */
      retentionDays?: number;
    };
  };
}
