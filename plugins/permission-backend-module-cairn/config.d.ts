export interface Config {
  cairn?: {
    permission?: {
      /**
       * Entity refs of the groups whose members may do every Cairn action
       * (approve releases, manage environments, change any entity's
       * pipelines). Defaults to `group:default/ops`.
       *
       * Visible to the frontend so a disabled action can name who may take
       * it (group refs are not secret); the decision stays on the server.
       * @visibility frontend
       */
      opsGroups?: string[];
      /** Cairn Rollouts. */
      rollouts?: {
        /**
         * The release stages of a Stone (Alpha, Beta, Omega, Release) that the
         * owners of its catalog entity may approve themselves; every other
         * stage is approved by the ops groups only. Defaults to `[]`: only ops
         * approve. For example `[Alpha, Beta]` lets a team take its own
         * canaries through, and leaves Omega and Release to ops.
         * @visibility frontend
         */
        ownerApprovableStages?: Array<'Alpha' | 'Beta' | 'Omega' | 'Release'>;
      };
    };
  };
}
