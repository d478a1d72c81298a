/*
 * Sign-in without credentials is for one person on their own machine: guest
 * (the developer `guest`) and "Ops (demo)" (the demo ops user, see
 * @cairn/plugin-auth-backend-module-demo-ops-provider). Whoever can reach such
 * a backend signs in as those users, who own demo services or approve
 * releases, and so may start pipelines whose inline scripts the dev cluster
 * runs as local processes. These checks keep that sign-in on the loopback
 * interface.
 */
import { Config } from '@backstage/config';
import {
  DEMO_OPS_PROVIDER_ID,
  isLoopbackAddress,
} from '@cairn/plugin-auth-backend-module-demo-ops-provider';

/** The setting that lets a backend with credential-free sign-in listen beyond loopback. */
export const ALLOW_NETWORK_LISTEN_KEY =
  'cairn.security.dangerouslyListenOnNetworkWithGuestSignIn';

/** Auth providers that sign anyone who calls them in as their configured user. */
const CREDENTIAL_FREE_PROVIDERS = ['guest', DEMO_OPS_PROVIDER_ID];

/** The host `backend.listen` names ('' means every interface, Backstage's default). */
export function listenHost(config: Config): string {
  const listen = config.getOptional('backend.listen');
  if (typeof listen === 'string') {
    const parts = listen.split(':');
    return parts.length === 2 ? parts[0] : '';
  }
  return config.getOptionalString('backend.listen.host') ?? '';
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

/** The configured credential-free sign-in providers (`auth.providers.<id>`). */
export function credentialFreeSignInProviders(config: Config): string[] {
  return CREDENTIAL_FREE_PROVIDERS.filter(id =>
    config.has(`auth.providers.${id}`),
  );
}

/**
 * Throws when credential-free sign-in is on and the backend would listen
 * beyond loopback, unless the named setting accepts the risk.
 */
export function assertCredentialFreeSignInStaysLocal(config: Config): void {
  const providers = credentialFreeSignInProviders(config);
  if (providers.length === 0) return;
  if (config.getOptionalBoolean(ALLOW_NETWORK_LISTEN_KEY) === true) return;
  const host = listenHost(config);
  if (isLoopbackHost(host)) return;
  const settings = providers.map(id => `auth.providers.${id}`).join(', ');
  throw new Error(
    `Refusing to start: sign-in without credentials (${settings}) is on and backend.listen ` +
      `would accept connections on ${
        ['', '0.0.0.0', '::'].includes(host)
          ? `every network interface (${host || 'no host set'})`
          : host
      }. Anyone who reaches this port could act as the users they sign in. ` +
      `Listen on loopback (backend.listen.host: 127.0.0.1), remove ${settings}, ` +
      `or set ${ALLOW_NETWORK_LISTEN_KEY}: true to accept the risk (these sign-ins are then ` +
      `still refused to peers that are not on this machine).`,
  );
}

/** The message a guest sign-in from another machine gets with its 403. */
export function guestSignInRefusal(peer: string | undefined): string {
  return (
    `Guest sign-in is only possible from this machine (loopback); this request came ` +
    `from ${
      peer ?? 'an unknown address'
    }. Sign in with a real provider (see the ` +
    `README, "Signing in").`
  );
}
