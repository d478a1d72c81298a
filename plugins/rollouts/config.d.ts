export interface Config {
  cairn?: {
    permission?: {
      /**
       * The ops groups (see @cairn/plugin-permission-backend-module-cairn).
       * Read by the Rollouts tab only to name who may approve when Approve
       * is disabled; the permission policy on the server decides.
       * @visibility frontend
       */
      opsGroups?: string[];
      rollouts?: {
        /**
         * The stages owners may approve themselves (see the permission
         * module); read by the Rollouts tab to explain a disabled Approve.
         * @visibility frontend
         */
        ownerApprovableStages?: Array<'Alpha' | 'Beta' | 'Omega' | 'Release'>;
      };
    };
  };
}
