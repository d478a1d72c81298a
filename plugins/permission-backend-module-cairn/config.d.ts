export interface Config {
  cairn?: {
    permission?: {
      /**
       * Entity refs of the groups whose members may do every Cairn action
       * (approve releases, manage environments, change any entity's
       * pipelines). Defaults to `group:default/ops`.
       */
      opsGroups?: string[];
    };
  };
}
