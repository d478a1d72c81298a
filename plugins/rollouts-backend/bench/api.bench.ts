/*
 * Benchmark of the Rollouts API (issue 14): how fast the backend answers the
 * Rollouts tab's requests for a Stone of 1,000 pods — the entity's Stones
 * (the list), the Stones of every readable entity (the Rollouts page) and
 * the Stone's detail (its pods, revisions, approvals) — aim p95 < 150 ms.
 *
 * Not a test: it measures and reports, and fails only if something breaks.
 * It starts the dev cluster in this process without kubelets, scheduler or
 * Tekton, with the portal's service account and RBAC, and fills it with a
 * Stone mid-way through an update as the operator would have left it
 * (stoneCluster.ts).
 * Then a Backstage backend in this process serves the rollouts plugin from
 * its shared watches, with real sign-in and tokens (auth backend, guest
 * provider), and the permission backend with Cairn's policy deciding every
 * request, as in the portal. Requests go over HTTP on loopback with the
 * user's token, one client at a time and several at once; a request's time
 * is from sending it to its whole body received.
 *
 * Run from the repository root:
 *
 *   yarn workspace @cairn/plugin-rollouts-backend bench [options]
 *
 * It also times the backend's part of a stage change reaching an open page:
 * from a change of the Stone in the cluster to the Stone-changed signal the
 * backend hands to the signals service.
 *
 * The backend's database (the detail reads the approval history) is each of
 * --databases in turn: SQLite in memory and PostgreSQL (--postgres-url, a
 * database of its own dropped afterwards), one backend after the other over
 * the same cluster.
 *
 * Options: --pods N (1000: 8 groups over 3 zones),
 * --requests N (200 per request kind and client setting), --clients N,M
 * (1,8: concurrent clients of each setting), --changes N (20 Stone changes
 * timed to their signal), --databases sqlite,postgres, --postgres-url URL,
 * --no-write (do not refresh docs/benchmarks.md).
 */
import http from 'node:http';
import knexFactory from 'knex';
import { performance } from 'node:perf_hooks';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  codeVersion,
  log,
  machine,
  pool,
  benchOptions,
  describeLoad,
  loadAverage,
  POSTGRES_URL_OPTION,
  positiveInt,
  publishReport,
  runBenchMain,
  summarize,
} from '@cairn/bench-support';
import type { Summary } from '@cairn/bench-support';
import permissionModuleCairnPolicy from '@cairn/plugin-permission-backend-module-cairn';
import {
  component,
  startPortalTestCluster,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { rolloutsPlugin } from '../src/plugin';
import { fillStoneCluster, GROUPS, stoneApi } from './stoneCluster';

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: { pods: 1000, requests: 200, changes: 20 },
  others: {
    clients: { type: 'string', default: '1,8' },
    databases: { type: 'string', default: 'sqlite,postgres' },
    'postgres-url': POSTGRES_URL_OPTION,
  },
});

const REPLICAS = Math.ceil(counts.pods / GROUPS);
const PODS = GROUPS * REPLICAS;
const REQUESTS = counts.requests;
const CLIENTS = args.clients
  .split(',')
  .map(c => positiveInt('clients', c.trim()));
const AIM_P95_MS = 150;
const CHANGES = counts.changes;
const DATABASES = args.databases.split(',').map(d => {
  const name = d.trim();
  if (name !== 'sqlite' && name !== 'postgres') {
    throw new Error(`--databases takes sqlite and postgres, got "${name}"`);
  }
  return name;
});
const POSTGRES_URL = args['postgres-url'].replace(/\/$/, '');
/** The prefix of the PostgreSQL databases of the backend's plugins (`${prefix}rollouts`, …). */
const POSTGRES_PREFIX = `cairn_rollouts_bench_${process.pid}_`;
const DATABASE_NAMES = {
  sqlite: 'SQLite (in memory)',
  postgres: 'PostgreSQL',
} as const;

/** The `backend.database` config of each database the backend is run on. */
function databaseConfig(database: 'sqlite' | 'postgres') {
  return database === 'sqlite'
    ? { client: 'better-sqlite3', connection: ':memory:' }
    : { client: 'pg', connection: POSTGRES_URL, prefix: POSTGRES_PREFIX };
}

const NAMESPACE = 'shop';
const USER = 'user:default/ann';
const ENTITY = 'component:default/web';
const STONE_API = stoneApi(NAMESPACE);

/**
 * GET `path` with the user's token; resolves when the whole body is in. A
 * keep-alive agent per client, as a browser keeps its connection.
 */
function get(
  agent: http.Agent,
  port: number,
  path: string,
  token: string,
): Promise<{ status: number; body: Buffer; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        headers: { Authorization: `Bearer ${token}` },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

async function main() {
  const loadBefore = loadAverage();
  log('starting the dev cluster (no kubelets, no Tekton)');
  const cluster = await startPortalTestCluster({
    namespaces: [NAMESPACE],
    devCluster: { runWorkloads: false, tekton: false },
  });
  const backendStops: Array<() => Promise<void>> = [];
  try {
    const admin = cluster.admin;
    const custom = admin.makeApiClient(CustomObjectsApi);
    const fillSeconds = await fillStoneCluster(admin, {
      namespace: NAMESPACE,
      name: 'web',
      kubernetesId: 'web',
      replicas: REPLICAS,
    });
    log(`filled in ${fillSeconds.toFixed(0)} s; starting the backend`);

    const published: Array<{ at: number; name?: string }> = [];
    const results: Array<{
      database: 'sqlite' | 'postgres';
      name: string;
      clients: number;
      summary: Summary;
      bytes: number;
      /** This process's CPU time per request: the backend's work, whatever else runs on the machine. */
      cpuMs: number;
    }> = [];
    const warmSeconds: Record<string, number> = {};
    let detailBytes = 0;
    for (const database of DATABASES) {
      log(`starting the backend on ${DATABASE_NAMES[database]}`);
      const backend = await startTestBackend({
        features: [
          rolloutsPlugin,
          authPlugin,
          guestProviderModule,
          permissionPlugin,
          permissionModuleCairnPolicy,
          authServiceFactory,
          httpAuthServiceFactory,
          userInfoServiceFactory,
          databaseServiceFactory,
          catalogServiceMock.factory({
            entities: [
              component('web', { 'backstage.io/kubernetes-id': 'web' }),
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'User',
                metadata: { name: 'ann', namespace: 'default' },
                spec: { memberOf: ['team-a'] },
                relations: [
                  { type: 'memberOf', targetRef: 'group:default/team-a' },
                ],
              },
            ],
          }),
          // Not on the request path: notifications are dropped, and signals
          // are timed as the backend hands them over (no signals backend).
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({ send: async () => {} }),
          }),
          createServiceFactory({
            service: signalsServiceRef,
            deps: {},
            factory: () => ({
              publish: async (signal: { message: unknown }) => {
                published.push({
                  at: performance.now(),
                  name: (signal.message as { name?: string }).name,
                });
              },
            }),
          }),
          mockServices.rootLogger.factory({ level: 'warn' }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              backend: {
                baseUrl: 'http://localhost:7007',
                database: databaseConfig(database),
              },
              auth: {
                providers: {
                  guest: {
                    userEntityRef: USER,
                    dangerouslyAllowOutsideDevelopment: true,
                  },
                },
              },
              permission: { enabled: true },
              cairn: { permission: { opsGroups: ['group:default/ops'] } },
              kubernetes: cluster.kubernetesConfig as any,
            },
          }),
        ],
      });
      backendStops.push(() => backend.stop());
      const { port } = backend.server.address() as { port: number };

      const signIn = await new Promise<string>((resolve, reject) => {
        http
          .get(
            {
              host: '127.0.0.1',
              port,
              path: '/api/auth/guest/refresh',
              headers: { 'X-Requested-With': 'XMLHttpRequest' },
            },
            res => {
              let body = '';
              res.on('data', c => (body += c));
              res.on('end', () =>
                res.statusCode === 200
                  ? resolve(JSON.parse(body).backstageIdentity.token)
                  : reject(new Error(`sign-in: ${res.statusCode} ${body}`)),
              );
            },
          )
          .on('error', reject);
      });

      const entityQuery = `entityRef=${encodeURIComponent(ENTITY)}`;
      const requests = {
        'the entity’s Stones (list)': `/api/rollouts/stones?${entityQuery}`,
        'every readable Stone (Rollouts page)': `/api/rollouts/stones`,
        'the Stone’s detail': `/api/rollouts/stones/dev/${NAMESPACE}/web?${entityQuery}`,
      };

      // Warm-up: from the backend's start to the first detail with every pod
      // (its watches' initial lists).
      const warmAgent = new http.Agent({ keepAlive: true });
      const warmStarted = performance.now();
      const first = await waitFor(
        () => get(warmAgent, port, requests['the Stone’s detail'], signIn),
        res =>
          res.status === 200 &&
          JSON.parse(res.body.toString()).pods.length === PODS,
        `the detail with all ${PODS} pods`,
        300_000,
      );
      warmSeconds[database] = (performance.now() - warmStarted) / 1000;
      detailBytes = first.body.length;
      // Both lists hold the Stone: what is timed is the real answer.
      for (const path of [
        requests['the entity’s Stones (list)'],
        requests['every readable Stone (Rollouts page)'],
      ]) {
        const res = await get(warmAgent, port, path, signIn);
        const names = JSON.parse(res.body.toString()).items?.map(
          (item: { name: string }) => item.name,
        );
        if (res.status !== 200 || names?.join() !== 'web') {
          throw new Error(
            `${path} should list the Stone web: ${res.status} ${res.body}`,
          );
        }
      }
      warmAgent.destroy();

      for (const clients of CLIENTS) {
        for (const [name, path] of Object.entries(requests)) {
          const agents = Array.from(
            { length: clients },
            () => new http.Agent({ keepAlive: true, maxSockets: 1 }),
          );
          // A few unmeasured requests per connection first.
          await pool(clients * 3, clients, async i => {
            await get(agents[i % clients], port, path, signIn);
          });
          const times: number[] = [];
          let bytes = 0;
          let next = 0;
          const cpuBefore = process.cpuUsage();
          await Promise.all(
            agents.map(async agent => {
              while (next < REQUESTS) {
                next++;
                const res = await get(agent, port, path, signIn);
                if (res.status !== 200) {
                  throw new Error(
                    `${path}: ${res.status} ${res.body
                      .toString()
                      .slice(0, 300)}`,
                  );
                }
                times.push(res.ms);
                bytes = res.body.length;
              }
            }),
          );
          const cpu = process.cpuUsage(cpuBefore);
          agents.forEach(a => a.destroy());
          const summary = summarize(times);
          results.push({
            database,
            name,
            clients,
            summary,
            bytes,
            cpuMs: (cpu.user + cpu.system) / 1000 / REQUESTS,
          });
          log(
            `${
              DATABASE_NAMES[database]
            }, ${name}, ${clients} client(s): p50 ${summary.p50.toFixed(
              1,
            )} ms, p95 ${summary.p95.toFixed(1)} ms`,
          );
        }
      }
      // The last backend stays for the signals' part.
      if (database !== DATABASES[DATABASES.length - 1]) {
        await backendStops.pop()!();
      }
    }
    // The backend's part of "a stage change reaches an open page": from a
    // change of the Stone in the cluster (the patch sent) to the signal
    // handed to the signals service — the watch event and the per-Stone
    // throttle. Changes are spaced so each falls in a throttle window of
    // its own.
    const signalDelays: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const seen = published.length;
      const sent = performance.now();
      await custom.patchNamespacedCustomObject(
        {
          ...STONE_API,
          name: 'web',
          body: {
            metadata: { annotations: { 'bench.cairn.dev/change': `${i}` } },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const signal = await waitFor(
        () => published.slice(seen).find(p => p.name === 'web'),
        found => !!found,
        'the Stone-changed signal',
        30_000,
      );
      signalDelays.push(signal!.at - sent);
      await new Promise(resolve => setTimeout(resolve, 600));
    }
    const signalSummary = summarize(signalDelays);
    const loadAfter = loadAverage();

    const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;
    const kib = (b: number) =>
      b < 10 * 1024 ? `${b} B` : `${(b / 1024).toFixed(0)} KiB`;
    const rows = results.map(
      r =>
        `| ${DATABASE_NAMES[r.database]} | ${r.name} | ${r.clients} | ${kib(
          r.bytes,
        )} | ${ms(r.cpuMs)} | < ${AIM_P95_MS} ms | ${ms(r.summary.p50)} | ${ms(
          r.summary.p95,
        )} | ${ms(r.summary.max)} | ${
          r.summary.p95 < AIM_P95_MS ? 'met' : 'missed'
        } |`,
    );
    const report = [
      `Measured ${new Date()
        .toISOString()
        .slice(0, 10)} on ${machine()}, ${codeVersion([
        'plugins/rollouts-backend',
        'plugins/rollouts-common',
        'plugins/kubernetes-node',
      ])}. ${describeLoad(loadBefore, loadAfter)}`,
      '',
      `A Stone of ${PODS} pods (${GROUPS} groups of ${REPLICAS} over 3 zones of 6 hosts) at Beta of an update, with 2 ControllerRevisions; its detail is ${kib(
        detailBytes,
      )} of JSON. The backend served its first complete detail ${DATABASES.map(
        d => `${warmSeconds[d].toFixed(1)} s (${DATABASE_NAMES[d]})`,
      ).join(
        ', ',
      )} after it started (its watches' initial lists; the fill took ${fillSeconds.toFixed(
        0,
      )} s). Then ${REQUESTS} requests of each kind per client setting, each with a user's token checked and the permission backend deciding with Cairn's policy; _clients_ concurrent connections, a request timed from sending to its whole body. _CPU per request_ is this process's CPU time (user + system) over the requests divided by their number: the backend's work (and the client's small share), which the machine's load does not inflate; on a busy machine most of the time above it is waiting for a core. _Database_: the backend's, which the detail reads the approval history from, one backend after the other over the same cluster; PostgreSQL runs in a process of its own (local, over TCP), so its CPU is not in the column.`,
      '',
      '| Database | Request | clients | response | CPU per request | aim p95 | p50 | p95 | max | verdict |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `A change of the Stone in the cluster reaches the signals service (the watch event, then at most one signal per Stone per 500 ms) in p50 ${ms(
        signalSummary.p50,
      )}, p95 ${ms(signalSummary.p95)}, max ${ms(
        signalSummary.max,
      )} over ${CHANGES} changes: the backend's part of a stage change reaching an open page (aim < 1 s in all; the whole way to a browser is measured in the Rollouts section above).`,
      '',
      `Run: \`yarn workspace @cairn/plugin-rollouts-backend bench\` (options: --pods, --requests, --clients, --changes, --databases, --postgres-url).`,
    ].join('\n');
    publishReport(
      report,
      {
        heading: 'Rollouts API',
        start: '<!-- bench:rollouts-api:start -->',
        end: '<!-- bench:rollouts-api:end -->',
      },
      { write },
    );
  } finally {
    for (const stop of backendStops) await stop();
    await cluster.stop();
    if (DATABASES.includes('postgres')) {
      // Every plugin of the backend (auth and permission too) had its database.
      const server = knexFactory({ client: 'pg', connection: POSTGRES_URL });
      const { rows } = await server.raw(
        'select datname from pg_database where starts_with(datname, ?)',
        [POSTGRES_PREFIX],
      );
      for (const { datname } of rows) {
        await server.raw('drop database if exists ?? with (force)', [datname]);
      }
      await server.destroy();
    }
  }
}

runBenchMain(main);
