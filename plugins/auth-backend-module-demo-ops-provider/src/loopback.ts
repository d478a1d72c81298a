import { isIP } from 'node:net';

/**
 * Whether the address is on the loopback interface (IPv4, IPv6 or mapped),
 * i.e. the peer is this machine. Callers pass the socket's peer, never
 * X-Forwarded-For: a header anyone can write.
 */
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
