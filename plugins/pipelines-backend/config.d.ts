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
    /**
     * Objects any run may bind as a workspace besides its entity's own.
     * A run may mount a Secret, ConfigMap or PersistentVolumeClaim only if
     * it belongs to the run's entity (its labels match the entity's
     * `backstage.io/kubernetes-id` or `backstage.io/kubernetes-label-selector`,
     * as its runs do) or is listed here; any other is refused with 403, on
     * start and on rerun, so a team cannot mount another team's Secret in a
     * namespace they share. List only objects every user allowed to start
     * runs may read. Entries as in `serviceAccounts`: a plain name is allowed
     * in every namespace, `{ name, namespace }` only in that namespace.
     * Default: none.
     */
    workspaces?: {
      secrets?: Array<
        | string
        | {
            /** The Secret's name. */
            name: string;
            /** Allow it only in this namespace. */
            namespace?: string;
          }
      >;
      configMaps?: Array<
        | string
        | {
            /** The ConfigMap's name. */
            name: string;
            /** Allow it only in this namespace. */
            namespace?: string;
          }
      >;
      persistentVolumeClaims?: Array<
        | string
        | {
            /** The PersistentVolumeClaim's name. */
            name: string;
            /** Allow it only in this namespace. */
            namespace?: string;
          }
      >;
    };
    logs?: {
      /**
       * Days the step logs of finished runs are kept in the portal database
       * after they were archived. Default 30.
       */
      retentionDays?: number;
      /**
       * Bytes of one step's log the archive keeps: the first and the last
       * half of it, with a line saying what was cut in between. Default
       * 20971520 (20 MiB).
       */
      maxStepBytes?: number;
    };
    webhooks?: {
      /**
       * Days Git webhook deliveries (with their payloads) stay in the
       * delivery log. Default 14.
       */
      retentionDays?: number;
    };
  };
}
