export interface Config {
  cairn?: {
    security?: {
      /**
       * Lets a backend with sign-in without credentials (guest,
       * `auth.providers.guest`, or the demo ops user, `auth.providers.demoOps`)
       * listen on a non-loopback address (`backend.listen`). Without it such
       * a backend refuses to start.
       *
       * RISK: everything the backend serves is then reachable from the
       * network. These sign-ins are still refused to peers that are not on
       * this machine, but a reverse proxy or tunnel running on this machine
       * makes every one of its clients a loopback peer, and so a guest or an
       * ops user: anyone who reaches it may act as the guest user, who owns
       * the demo services and may start pipelines that run code on this host,
       * or as the demo ops user, who approves releases. Never set this on a
       * shared machine; use a real sign-in provider.
       */
      dangerouslyListenOnNetworkWithGuestSignIn?: boolean;
    };
  };
}
