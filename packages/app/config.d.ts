export interface Config {
  cairn?: {
    signIn?: {
      /**
       * The sign-in providers offered on the sign-in page, in order.
       * `guest` and `demoOps` ("Ops (demo)", the demo ops user) are for local
       * use and need `auth.providers.guest` / `auth.providers.demoOps`;
       * `github` needs `auth.providers.github`.
       * @visibility frontend
       */
      providers?: Array<'guest' | 'demoOps' | 'github'>;
    };
  };
}
