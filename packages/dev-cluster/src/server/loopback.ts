import { isIP } from 'node:net';

/**
 * The listen address for `host`, which must be a loopback one: the cluster
 * runs workloads as local processes and must never be reachable from others.
 */
export function loopbackAddress(host: string): string {
  if (host === 'localhost') return '127.0.0.1';
  const version = isIP(host);
  if (version === 4 && host.split('.')[0] === '127') return host;
  if (version === 6 && (host === '::1' || host === '0:0:0:0:0:0:0:1'))
    return '::1';
  throw new Error(
    `dev-cluster serves on loopback only (127.0.0.0/8, ::1 or localhost); refusing to listen on "${host}"`,
  );
}

export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
