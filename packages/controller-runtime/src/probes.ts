import http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The manager's HTTP endpoints, as controller-runtime serves them: metrics
 * on one address (`--metrics-bind-address`, default :8080) and the health
 * probes on another (`--health-probe-bind-address`, default :8081), so the
 * kubelet's probes and Prometheus' scrapes can be exposed differently.
 */

/** A check's verdict: undefined when healthy, else why not. */
export type Check = () => string | undefined;

export type Routes = Record<
  string,
  () => Promise<{ status: number; contentType: string; body: string }>
>;

/** `host:port`, `:port` (every interface) or `0` (not served), as controller-runtime takes them. */
export function parseBindAddress(
  address: string,
): { host?: string; port: number } | undefined {
  if (address === '0') return undefined;
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(
      `bind address ${JSON.stringify(address)} is not host:port, :port or 0`,
    );
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host: host || undefined, port };
}

export interface HttpEndpoint {
  /** `http://host:port` as bound (port 0 resolved). */
  url: string;
  close(): Promise<void>;
}

export async function serveRoutes(
  address: { host?: string; port: number },
  routes: Routes,
): Promise<HttpEndpoint> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    route().then(
      ({ status, contentType, body }) =>
        res.writeHead(status, { 'Content-Type': contentType }).end(body),
      error =>
        res
          .writeHead(500, { 'Content-Type': 'text/plain' })
          .end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A probe endpoint as controller-runtime's healthz handler: 200 "ok" when
 * every check passes, else 500 listing each check as [+] or [-].
 */
export function probe(checks: Record<string, Check>): Routes[string] {
  return async () => {
    const results = Object.entries(checks).map(([name, check]) => ({
      name,
      failure: check(),
    }));
    const failed = results.filter(r => r.failure !== undefined);
    if (!failed.length)
      return { status: 200, contentType: 'text/plain', body: 'ok' };
    return {
      status: 500,
      contentType: 'text/plain',
      body: `${results
        .map(r =>
          r.failure === undefined
            ? `[+]${r.name} ok`
            : `[-]${r.name} failed: ${r.failure}`,
        )
        .join('\n')}\nhealthz check failed\n`,
    };
  };
}
