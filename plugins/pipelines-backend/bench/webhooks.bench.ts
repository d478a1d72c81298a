/*
 * Benchmark of Git webhooks (issue 17): how many signed deliveries per
 * second the portal accepts, verifies and logs, and whether matching
 * deliveries arriving at 100/s all become PipelineRuns, none lost or doubled.
 *
 * Not a test: it measures and reports, and fails only if something breaks.
 * It starts a dev cluster in this process with Tekton's CRDs but without
 * Tekton's controller (runs are objects; nothing executes them), one
 * Pipeline `bench-build` declaring the benchmark repository, and the backend
 * in a process of its own (bench/webhooksBackend.ts): the pipelines backend
 * behind the events backend's HTTP ingress with GitHub's webhook module and
 * Cairn's acknowledged ingress, the delivery log on PostgreSQL. Over HTTP:
 *
 *   1. ingest: --deliveries signed GitHub pushes of a repository no Pipeline
 *      declares, --concurrency at a time: each answered 202 only once
 *      stored, so accepted/s counts verified and logged deliveries; then the
 *      time until every one is processed (outcome no-match);
 *   2. matching: --matching signed pushes of the Pipeline's repository sent
 *      at --rate per second (each one on time, not waiting for answers);
 *      then every delivery's outcome and the runs on the cluster, counted by
 *      delivery id (exactly one each), and the delay from receipt to the
 *      run created.
 *
 * Run from the repository root:
 *
 *   yarn workspace @cairn/plugin-pipelines-backend bench:webhooks [options]
 *
 * Options: --deliveries N (5000), --concurrency N (32), --matching N (500),
 * --rate N (100), --postgres-url URL, --no-write (do not refresh
 * docs/benchmarks.md).
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';
import {
  BenchChild,
  cleanUpOnExit,
  codeVersion,
  log,
  machine,
  pool,
  benchOptions,
  runBenchMain,
  describeLoad,
  loadAverage,
  POSTGRES_URL_OPTION,
  summarize,
  publishReport,
} from '@cairn/bench-support';
import { installTektonCrds } from '@cairn/dev-cluster';
import {
  startTektonTestCluster,
  tektonObjects,
} from '../src/__testUtils__/tektonCluster';
import type {
  WebhooksBackendReady,
  WebhooksBackendSettings,
} from './webhooksBackend';

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: { deliveries: 5000, concurrency: 32, matching: 500, rate: 100 },
  others: { 'postgres-url': POSTGRES_URL_OPTION },
});
const DELIVERIES = counts.deliveries;
const CONCURRENCY = counts.concurrency;
const MATCHING = counts.matching;
const RATE = counts.rate;
const POSTGRES_URL = args['postgres-url'];
const AIMS = { acceptedPerS: 1000, matchingPerS: 100 };
const SECRET = 'webhooks-bench-secret';
const REPO = 'https://github.com/acme/bench';

const { children } = cleanUpOnExit();

/** A GitHub push of `repository` to main, as GitHub shapes it. */
function pushBody(repository: string): string {
  const sha = 'a'.repeat(40);
  return JSON.stringify({
    ref: 'refs/heads/main',
    before: 'b'.repeat(40),
    after: sha,
    deleted: false,
    repository: {
      name: repository.split('/').pop(),
      html_url: repository,
      owner: { login: 'acme' },
    },
    sender: { login: 'bench' },
    head_commit: { id: sha, added: [], removed: [], modified: ['README.md'] },
    commits: [{ id: sha, added: [], removed: [], modified: ['README.md'] }],
  });
}

/** Posts deliveries of one body, signed once (the signature covers the body only). */
function sender(port: number, body: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const signature = `sha256=${createHmac('sha256', SECRET)
    .update(body)
    .digest('hex')}`;
  const send = (deliveryId: string) =>
    new Promise<{ status: number; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/events/http/github',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'X-GitHub-Event': 'push',
            'X-GitHub-Delivery': deliveryId,
            'X-Hub-Signature-256': signature,
          },
        },
        res => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ms: performance.now() - started,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

const statusCounts = (statuses: number[]) =>
  Object.entries(
    statuses.reduce<Record<number, number>>((byStatus, s) => {
      byStatus[s] = (byStatus[s] ?? 0) + 1;
      return byStatus;
    }, {}),
  )
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');

/** Resident memory of a process at its peak, from /proc. */
function peakResidentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU seconds (user + system) a process used so far, from /proc. */
function cpuSeconds(pid: number): number {
  // The fields after the command name (which may hold spaces): utime and
  // stime are the 12th and 13th, in clock ticks of 1/100 s.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds used so far by the PostgreSQL server processes of one
 * database's connections (their title names the database); 0 when
 * PostgreSQL runs elsewhere. Its shared writers are not counted.
 */
function databaseCpuSeconds(database: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres:') && cmdline.includes(database)) {
        total += cpuSeconds(Number(entry));
      }
    } catch {
      // The process ended, or is another user's.
    }
  }
  return total;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  log('starting the dev cluster (Tekton CRDs, no controller)');
  const tc = await startTektonTestCluster({ tekton: false });
  await installTektonCrds(tc.cluster);
  await tc.custom.createNamespacedCustomObject({
    ...tektonObjects('pipelines'),
    namespace: 'ci',
    body: {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: {
        name: 'bench-build',
        namespace: 'ci',
        labels: { 'backstage.io/kubernetes-id': 'shop' },
        annotations: { 'triggers.cairn.dev/repository': REPO },
      },
      spec: {
        params: [{ name: 'revision' }],
        tasks: [
          {
            name: 'build',
            taskSpec: {
              steps: [{ name: 'run', image: 'alpine', script: 'true' }],
            },
          },
        ],
      },
    },
  });

  const databasePrefix = `cairn_webhooks_bench_${process.pid}_`;
  const cluster = (tc.kubernetesConfig as any).clusterLocatorMethods[0]
    .clusters[0];
  const settings: WebhooksBackendSettings = {
    clusterUrl: cluster.url,
    serviceAccountToken: cluster.serviceAccountToken,
    caData: cluster.caData,
    postgresUrl: POSTGRES_URL,
    databasePrefix,
    githubSecret: SECRET,
  };
  log('starting the backend');
  const backend = await BenchChild.start<WebhooksBackendReady>({
    name: 'the backend',
    entry: path.join(__dirname, 'webhooksBackend.ts'),
    args: [],
    env: {
      ...process.env,
      CAIRN_WEBHOOKS_BENCH_BACKEND: JSON.stringify(settings),
    },
    startTimeoutMs: 300_000,
    children,
  });
  const { port, pid } = backend.ready;
  const database = `${databasePrefix}pipelines`;
  const db = knexFactory({
    client: 'pg',
    connection: `${POSTGRES_URL.replace(/\/$/, '')}/${database}`,
  });
  const count = async (where: (q: any) => void) =>
    Number(
      (
        (await db('webhook_deliveries').modify(where).count({ n: '*' })) as any
      )[0].n,
    );
  const waitProcessed = async (prefix: string, total: number) => {
    for (;;) {
      const done = await count(q =>
        q.where('delivery_id', 'like', `${prefix}%`).andWhere({
          processed: true,
        }),
      );
      if (done >= total) return;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  };

  try {
    // 1. Ingest: signed, verified, logged; no Pipeline matches.
    log(`ingest: ${DELIVERIES} deliveries, ${CONCURRENCY} at a time`);
    const ingest = sender(port, pushBody('https://github.com/acme/nothing'));
    // A few first, so connection set-up and first-call costs are not counted.
    await pool(CONCURRENCY, CONCURRENCY, i => ingest.send(`warm-${i}`).then());
    const ingestStatuses: number[] = [];
    const ingestMs: number[] = [];
    const cpuBefore = cpuSeconds(pid);
    const dbCpuBefore = databaseCpuSeconds(database);
    const ownCpuBefore = process.cpuUsage();
    const ingestStart = performance.now();
    await pool(DELIVERIES, CONCURRENCY, async i => {
      const { status, ms } = await ingest.send(`ingest-${i}`);
      ingestStatuses.push(status);
      ingestMs.push(ms);
    });
    const acceptSeconds = (performance.now() - ingestStart) / 1000;
    const cpuAccepted = cpuSeconds(pid);
    await waitProcessed('ingest-', DELIVERIES);
    const processSeconds = (performance.now() - ingestStart) / 1000;
    const cpuProcessed = cpuSeconds(pid);
    // CPU time per delivery, of the backend, of PostgreSQL and of this
    // process (the load generator): what load on the machine does not inflate
    // much (waiting for a core is not CPU time), so it says what rate cores
    // of their own would give.
    const cpuMsPerDelivery = ((cpuProcessed - cpuBefore) * 1000) / DELIVERIES;
    const cpuMsWhileAccepting = ((cpuAccepted - cpuBefore) * 1000) / DELIVERIES;
    const dbCpuMsPerDelivery =
      ((databaseCpuSeconds(database) - dbCpuBefore) * 1000) / DELIVERIES;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const ownCpuMsPerDelivery =
      (ownCpu.user + ownCpu.system) / 1000 / DELIVERIES;
    const allCpuMsPerDelivery =
      cpuMsPerDelivery + dbCpuMsPerDelivery + ownCpuMsPerDelivery;
    ingest.close();
    const ingestStored = await count(q =>
      q.where('delivery_id', 'like', 'ingest-%'),
    );
    const ingestNoMatch = await count(q =>
      q.where('delivery_id', 'like', 'ingest-%').andWhere({
        outcome: 'no-match',
      }),
    );
    const accepted = ingestStatuses.filter(s => s === 202).length;
    const acceptedPerS = accepted / acceptSeconds;
    const latency = summarize(ingestMs);

    // 2. Matching deliveries at RATE per second, each sent on time.
    log(`matching: ${MATCHING} deliveries at ${RATE}/s`);
    const matching = sender(port, pushBody(REPO));
    const matchStatuses: number[] = [];
    const matchStart = performance.now();
    let late = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < MATCHING; i++) {
      const due = matchStart + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
      else if (wait < -10) late++;
      sends.push(
        matching.send(`match-${i}`).then(({ status }) => {
          matchStatuses.push(status);
        }),
      );
    }
    const sentSeconds = (performance.now() - matchStart) / 1000;
    await Promise.all(sends);
    await waitProcessed('match-', MATCHING);
    const matchSeconds = (performance.now() - matchStart) / 1000;
    matching.close();
    const outcomes = (await db('webhook_deliveries')
      .where('delivery_id', 'like', 'match-%')
      .select('outcome', 'received_at', 'processed_at')) as Array<{
      outcome: string;
      received_at: Date;
      processed_at: Date;
    }>;
    const created = outcomes.filter(o => o.outcome === 'runs-created').length;
    const delays = summarize(
      outcomes.map(
        o =>
          new Date(o.processed_at).getTime() -
          new Date(o.received_at).getTime(),
      ),
    );
    const runs = (
      (await tc.custom.listNamespacedCustomObject({
        ...tektonObjects('pipelineruns'),
        namespace: 'ci',
        labelSelector: 'triggers.cairn.dev/provider=github',
      })) as { items: any[] }
    ).items;
    const perDelivery = new Map<string, number>();
    for (const run of runs) {
      const id = run.metadata.labels['triggers.cairn.dev/delivery-id'];
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    const lost = MATCHING - perDelivery.size;
    const doubled = [...perDelivery.values()].filter(n => n > 1).length;
    const peakMb = peakResidentMb(pid);
    const loadAfter = loadAverage();

    const met = (ok: boolean) => (ok ? 'met' : '**missed**');
    const runsPerS = MATCHING / matchSeconds;
    const lines = [
      `Measured ${new Date()
        .toISOString()
        .slice(0, 10)} on ${machine()}, code ${codeVersion([
        'plugins/pipelines-backend/src',
        'plugins/pipelines-backend/bench',
        'plugins/events-backend-module-http-ingress/src',
      ])}; the backend in a process of its own with the delivery log on PostgreSQL, the load generator and the dev cluster (no Tekton controller) in the benchmark's process. ${describeLoad(
        loadBefore,
        loadAfter,
      )}`,
      '',
      '| What | Aim | Measured | Verdict |',
      '| --- | --- | --- | --- |',
      `| Signed deliveries accepted (verified, stored before the 202), ${CONCURRENCY} at a time | ≥ ${
        AIMS.acceptedPerS
      }/s | ${acceptedPerS.toFixed(
        0,
      )}/s (${accepted} of ${DELIVERIES} in ${acceptSeconds.toFixed(
        1,
      )} s; ${statusCounts(ingestStatuses)}); answer p50 ${latency.p50.toFixed(
        0,
      )} ms, p95 ${latency.p95.toFixed(0)} ms | ${met(
        acceptedPerS >= AIMS.acceptedPerS && accepted === DELIVERIES,
      )} |`,
      `| CPU time per delivery (user + system, from /proc), which a busy machine inflates far less than rates | — | the backend ${cpuMsPerDelivery.toFixed(
        2,
      )} ms from the first sent to all processed (${cpuMsWhileAccepting.toFixed(
        2,
      )} ms until the last was accepted), PostgreSQL's connections ${dbCpuMsPerDelivery.toFixed(
        2,
      )} ms, the load generator ${ownCpuMsPerDelivery.toFixed(
        2,
      )} ms: the backend alone on an idle core would accept and process ${(
        1000 / cpuMsPerDelivery
      ).toFixed(0)}/s; all three on the 2 idle cores at most ${(
        2000 / allCpuMsPerDelivery
      ).toFixed(0)}/s | — |`,
      `| Those deliveries logged and processed (no match) | all | ${ingestStored} stored, ${ingestNoMatch} no-match, all processed ${processSeconds.toFixed(
        1,
      )} s after the first was sent (${(DELIVERIES / processSeconds).toFixed(
        0,
      )}/s) | ${met(ingestNoMatch === DELIVERIES)} |`,
      `| Matching deliveries sent at ${RATE}/s become PipelineRuns | ${
        AIMS.matchingPerS
      }/s, none lost or doubled | ${MATCHING} sent in ${sentSeconds.toFixed(
        1,
      )} s (${late} sent late; ${statusCounts(
        matchStatuses,
      )}); ${created} runs-created; ${
        perDelivery.size
      } deliveries with a run, ${lost} without, ${doubled} with more than one; all done ${matchSeconds.toFixed(
        1,
      )} s after the first (${runsPerS.toFixed(
        0,
      )} runs/s); receipt to run p50 ${delays.p50.toFixed(
        0,
      )} ms, p95 ${delays.p95.toFixed(0)} ms, max ${delays.max.toFixed(
        0,
      )} ms | ${met(
        lost === 0 &&
          doubled === 0 &&
          created === MATCHING &&
          runsPerS >= AIMS.matchingPerS * 0.95,
      )} |`,
      `| Backend's peak resident memory | — | ${peakMb.toFixed(0)} MB | — |`,
    ];
    const report = lines.join('\n');
    publishReport(
      report,
      {
        heading: 'Webhooks',
        start: '<!-- bench:webhooks:start -->',
        end: '<!-- bench:webhooks:end -->',
      },
      { write },
    );
  } finally {
    await db.destroy();
    await backend.stop();
    await tc.stop();
    const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
    await admin.raw(`drop database if exists ${database}`).catch(() => {});
    await admin
      .raw(`drop database if exists ${databasePrefix}events`)
      .catch(() => {});
    await admin.destroy();
  }
}

runBenchMain(main);
