export interface Config {
  cairn?: {
    signIn?: {
      /**
       * The sign-in providers offered on the sign-in page, in order.
       * `guest` is for local use; `github` also needs `auth.providers.github`.
       * @visibility frontend
       */
      providers?: Array<'guest' | 'github'>;
    };
  };
}
