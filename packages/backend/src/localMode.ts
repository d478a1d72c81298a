/*
 * Guest sign-in is for one person on their own machine. Whoever can reach a
 * guest-enabled backend signs in as the guest user, who owns demo services
 * and so may start pipelines whose inline scripts the dev cluster runs as
 * local processes. These checks keep guest sign-in on the loopback interface.
 */
import { isIP } from 'node:net';
import { Config } from '@backstage/config';

/** The setting that lets a guest-enabled backend listen beyond loopback. */
export const ALLOW_NETWORK_LISTEN_KEY =
  'cairn.security.dangerouslyListenOnNetworkWithGuestSignIn';

/** Whether the address is on the loopback interface (IPv4, IPv6 or mapped). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const unmapped = address.toLowerCase().startsWith('::ffff:')
    ? address.slice('::ffff:'.length)
    : address;
  if (isIP(unmapped) === 4) return unmapped.split('.')[0] === '127';
  if (isIP(unmapped) === 6) {
    // ::1 in any of its spellings (0:0:…:1).
    return /^(0{0,4}:){2,7}0{0,3}1$/.test(unmapped.toLowerCase());
  }
  return false;
}

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

/** Whether guest sign-in is configured. */
export function guestSignInEnabled(config: Config): boolean {
  return config.has('auth.providers.guest');
}

/**
 * Throws when guest sign-in is on and the backend would listen beyond
 * loopback, unless the named setting accepts the risk.
 */
export function assertGuestSignInStaysLocal(config: Config): void {
  if (!guestSignInEnabled(config)) return;
  if (config.getOptionalBoolean(ALLOW_NETWORK_LISTEN_KEY) === true) return;
  const host = listenHost(config);
  if (isLoopbackHost(host)) return;
  throw new Error(
    `Refusing to start: guest sign-in (auth.providers.guest) is on and backend.listen ` +
      `would accept connections on ${
        ['', '0.0.0.0', '::'].includes(host)
          ? `every network interface (${host || 'no host set'})`
          : host
      }. Anyone who reaches this port could act as the guest user. ` +
      `Listen on loopback (backend.listen.host: 127.0.0.1), remove auth.providers.guest, ` +
      `or set ${ALLOW_NETWORK_LISTEN_KEY}: true to accept the risk (guest sign-in is then ` +
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
