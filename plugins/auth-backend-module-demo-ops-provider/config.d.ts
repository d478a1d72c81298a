export interface Config {
  auth?: {
    providers?: {
      /**
       * Sign-in as a demo user without credentials (the local portal's
       * "Ops (demo)"), for one person on their own machine: answered only to
       * peers on loopback, only when NODE_ENV is development unless
       * `dangerouslyAllowOutsideDevelopment` is set. Never configure it in
       * production (app-config.production.yaml sets it to null).
       */
      demoOps?: {
        /**
         * The catalog User signed in, e.g. user:default/alice. Their groups
         * come from the catalog, so membership of an ops group makes them ops.
         */
        userEntityRef: string;
        /**
         * Serve this provider outside NODE_ENV=development. RISK: anyone who
         * reaches the backend from this machine acts as the user above.
         */
        dangerouslyAllowOutsideDevelopment?: boolean;
      };
    };
  };
}
