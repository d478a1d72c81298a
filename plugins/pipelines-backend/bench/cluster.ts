/*
 * The dev cluster as the runs benchmark's child process, so that the
 * backend's memory and CPU are measured apart from the cluster's.
 *
 *   node --require <nodeTransform.cjs> bench/cluster.ts --state-dir DIR
 *
 * It starts the dev cluster with Tekton's CRDs but without Tekton's
 * controller (the benchmark writes run status itself), and a counting
 * TLS-terminating proxy in front of it: the backends under test talk to the
 * proxy, which forwards every request to the cluster and counts requests and
 * response bytes by verb and resource. Prints one JSON line
 * `{"ready":true,...}` on stdout once both serve; answers `{"type":"counts"}`
 * and `{"type":"memory"}` messages on the IPC channel; stops on SIGTERM or
 * when the IPC channel closes.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  announceReady,
  replyWithMemory,
  runChildMain,
  stopWithParent,
} from '@cairn/bench-support';
import { installTektonCrds, startDevCluster } from '@cairn/dev-cluster';

/** Requests and response bytes per `<verb> <resource>`, e.g. `list pipelineruns.tekton.dev`. */
export type RequestCounts = Record<string, { requests: number; bytes: number }>;

export type ClusterMessage =
  | { type: 'counts'; id: number }
  | { type: 'memory'; id: number };

export interface ClusterReady {
  ready: true;
  pid: number;
  /** The cluster itself, for the benchmark's own (uncounted) requests. */
  url: string;
  /** The counting proxy, for the backends under test. */
  proxyUrl: string;
  kubeconfig: string;
}

/** `get|list|watch|create|… <resource>[/<subresource>]` of an API path. */
export function describeRequest(method: string, url: string): string {
  const verb = method.toLowerCase();
  const { pathname, searchParams } = new URL(url, 'https://cluster');
  const parts = pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...; anything else (discovery,
  // /version, /openapi) by its path.
  const core = parts[0] === 'api';
  const rest = core ? parts.slice(2) : parts.slice(3);
  if ((!core && parts[0] !== 'apis') || rest.length === 0)
    return `${verb} ${pathname}`;
  if (rest[0] === 'namespaces' && rest.length > 2) rest.splice(0, 2);
  const [resource, name, subresource] = rest;
  // Resources of API groups as kubectl names them: pipelineruns.tekton.dev
  const qualified = core ? resource : `${resource}.${parts[1]}`;
  const kind = subresource ? `${qualified}/${subresource}` : qualified;
  if (method === 'GET') {
    const watch = searchParams.get('watch');
    if (watch === 'true' || watch === '1') return `watch ${kind}`;
    return `${name ? 'get' : 'list'} ${kind}`;
  }
  return `${verb} ${kind}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' } },
  });
  const stateDir = values['state-dir'];
  if (!stateDir) throw new Error('--state-dir is required');
  const cluster = await startDevCluster({ stateDir, port: 0, tekton: false });
  await installTektonCrds(cluster);

  // The proxy serves the cluster's own certificate (issued for 127.0.0.1),
  // so clients configured with the cluster's CA trust it unchanged.
  const upstream = new URL(cluster.url);
  const agent = new https.Agent({
    keepAlive: true,
    ca: readFileSync(path.join(stateDir, 'pki', 'ca.crt')),
  });
  const counts: RequestCounts = {};
  const proxy = https.createServer(
    {
      cert: readFileSync(path.join(stateDir, 'pki', 'apiserver.crt')),
      key: readFileSync(path.join(stateDir, 'pki', 'apiserver.key')),
    },
    (req, res) => {
      const key = describeRequest(req.method ?? 'GET', req.url ?? '/');
      const count = (counts[key] ??= { requests: 0, bytes: 0 });
      count.requests += 1;
      const forwarded = https.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          agent,
        },
        answer => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.on('data', (chunk: Buffer) => {
            count.bytes += chunk.length;
          });
          answer.pipe(res);
        },
      );
      forwarded.on('error', error => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      res.on('close', () => forwarded.destroy());
      req.pipe(forwarded);
    },
  );
  // Longer than any client's idle keep-alive, so the proxy never closes a
  // connection a client is about to reuse (a "socket hang up" of its own).
  proxy.keepAliveTimeout = 120_000;
  await new Promise<void>(resolve =>
    proxy.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = proxy.address() as { port: number };

  stopWithParent(async () => {
    proxy.closeAllConnections();
    proxy.close();
    agent.destroy();
    await cluster.stop();
  });
  process.on('message', (message: ClusterMessage) => {
    if (message?.type === 'counts') {
      process.send?.({ type: 'counts', id: message.id, counts });
    } else if (message?.type === 'memory') {
      replyWithMemory(message.id);
    }
  });

  const ready: ClusterReady = {
    ready: true,
    pid: process.pid,
    url: cluster.url,
    proxyUrl: `https://127.0.0.1:${port}`,
    kubeconfig: cluster.kubeconfig,
  };
  announceReady(ready);
}

// Only when run as the child process, not when the benchmark imports its types.
if (require.main === module) runChildMain('bench cluster', main);
