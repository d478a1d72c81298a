/*
 * Benchmark of step logs (issue 12): the archive follows every running
 * step's log into the database and serves it from there, streamed, so the
 * backend's memory must not grow with a log's size or with the number of
 * steps it follows.
 *
 * Not a test: it measures and reports, and fails only if something breaks.
 * It starts the dev cluster (bench/cluster.ts, without Tekton's controller:
 * run status is written here) and the pipelines backend on PostgreSQL
 * (bench/logsBackend.ts), each a process of its own, and measures:
 *
 *   1. a step writing a log of --log-mb MB (200): how fast the archiver
 *      follows it into the database (the cap raised above it, so all of it
 *      is kept);
 *   2. --readers (4) concurrent downloads of that whole log over HTTP: the
 *      time to the first byte, each reader's throughput, and the backend's
 *      resident memory growth (sampled every 20 ms, above its size after a
 *      full GC before the reads), with the V8 heap's and the Buffers' part
 *      of it;
 *   3. --followed (1000) running steps followed at once (each prints a line,
 *      then one every 30 s): the backend's resident memory once every one is
 *      followed and has been archived.
 *
 * Run from the repository root:
 *
 *   yarn workspace @cairn/plugin-pipelines-backend bench:logs [options]
 *
 * Options: --log-mb N (200), --readers N (4), --read-rounds N (3: step 2
 * repeated, medians reported), --followed N (1000),
 * --postgres-url URL, --no-write (do not refresh docs/benchmarks.md).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import knexFactory, { Knex } from 'knex';
import {
  BenchChild,
  cpuSeconds,
  describeLoad,
  loadAverage,
  machineCpuBusy,
  machineCpuTimes,
  cleanUpOnExit,
  codeVersion,
  log,
  machine,
  median,
  pool,
  benchOptions,
  runBenchMain,
  POSTGRES_URL_OPTION,
  publishReport,
} from '@cairn/bench-support';
import type { ClusterReady } from './cluster';
import type { LogsBackendReady, LogsBackendSettings } from './logsBackend';

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: { 'log-mb': 200, readers: 4, followed: 1000, 'read-rounds': 3 },
  others: { 'postgres-url': POSTGRES_URL_OPTION },
});
const LOG_BYTES = counts['log-mb'] * 1_000_000;
const READERS = counts.readers;
const FOLLOWED = counts.followed;
const READ_ROUNDS = counts['read-rounds'];
const POSTGRES_URL = args['postgres-url'];
const NAMESPACE = 'ci';
const ENTITY_REF = 'component:default/shop';
const MB = 1_000_000;
const AIMS = {
  readerGrowthMb: 100,
  firstByteMs: 300,
  readerMbPerS: 50,
  followedMb: 300,
};

const { tempDirs, children } = cleanUpOnExit();

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

/** Resident memory of a process, now and at its peak, from /proc. */
function residentSet(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0; // It exited: the benchmark reports why.
  }
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}

/** Samples a process's resident memory until stopped; resolves with the peak. */
function samplePeak(pid: number): () => number {
  let peak = residentSet(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentSet(pid));
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, residentSet(pid));
  };
}

async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(value)}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/** Cluster objects the benchmark creates, as the cluster's admin. */
class Cluster {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly rbac: RbacAuthorizationV1Api;

  constructor(readonly kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  }

  /** A token of a service account allowed everything (benchmark only). */
  async portalToken(): Promise<string> {
    for (const name of ['cairn-system', NAMESPACE]) {
      await this.core.createNamespace({ body: { metadata: { name } } });
    }
    await this.core.createNamespacedServiceAccount({
      namespace: 'cairn-system',
      body: { metadata: { name: 'cairn-portal' } },
    });
    await this.rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'cairn-portal-bench' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'cluster-admin',
        },
        subjects: [
          {
            kind: 'ServiceAccount',
            name: 'cairn-portal',
            namespace: 'cairn-system',
          },
        ],
      },
    });
    const review = await this.core.createNamespacedServiceAccountToken({
      namespace: 'cairn-system',
      name: 'cairn-portal',
      body: { spec: { audiences: [], expirationSeconds: 86_400 } },
    });
    return review.status!.token;
  }

  /**
   * A PipelineRun with one TaskRun whose step `write` runs in pod
   * `<name>-pod` as `script`: the pod is created, and the TaskRun's status
   * says the step runs there, as Tekton's controller would write it.
   */
  async runningStep(name: string, script: string): Promise<void> {
    const tekton = { group: 'tekton.dev', version: 'v1', namespace: NAMESPACE };
    const labels = { 'backstage.io/kubernetes-id': 'shop' };
    await this.core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: `${name}-pod`, labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'step-write',
              image: 'alpine',
              command: ['sh', '-c', script],
            },
          ],
        },
      },
    });
    await this.custom.createNamespacedCustomObject({
      ...tekton,
      plural: 'pipelineruns',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name, labels },
        spec: {
          pipelineSpec: {
            tasks: [
              {
                name: 'write',
                taskSpec: { steps: [{ name: 'write', image: 'alpine' }] },
              },
            ],
          },
        },
      },
    });
    const taskRun = (await this.custom.createNamespacedCustomObject({
      ...tekton,
      plural: 'taskruns',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        metadata: {
          name: `${name}-write`,
          labels: { ...labels, 'tekton.dev/pipelineRun': name },
        },
        spec: { taskSpec: { steps: [{ name: 'write', image: 'alpine' }] } },
      },
    })) as { status?: object };
    const startedAt = new Date().toISOString();
    await this.custom.replaceNamespacedCustomObjectStatus({
      ...tekton,
      plural: 'taskruns',
      name: `${name}-write`,
      body: {
        ...taskRun,
        status: {
          podName: `${name}-pod`,
          startTime: startedAt,
          conditions: [
            { type: 'Succeeded', status: 'Unknown', reason: 'Running' },
          ],
          steps: [
            { name: 'write', container: 'step-write', running: { startedAt } },
          ],
        },
      },
    });
  }
}

/** One round of concurrent readers. */
interface ReadRound {
  beforeReads: number;
  readPeak: number;
  growth: number;
  heapGrowth: number;
  buffersGrowth: number;
  firstByte: number;
  /** MB/s of each reader. */
  speeds: number[];
  /** CPU seconds used while the readers read. */
  cpu: { backend: number; postgres: number; readers: number };
  /** Share of both cores busy (all processes) while they read. */
  machineBusy: number;
  /** Bytes all readers received. */
  bytes: number;
}

/**
 * CPU seconds a set of processes uses until stopped: `pids` is asked every
 * 250 ms (PostgreSQL starts and ends a process per connection), and each
 * process counts from its first reading (0 if it started meanwhile) to its
 * last.
 */
function sampleCpu(pids: () => Promise<number[]>): () => Promise<number> {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const read = async (isFirst: boolean) => {
    for (const pid of await pids()) {
      const seconds = cpuSeconds(pid);
      if (Number.isNaN(seconds)) continue;
      if (!first.has(pid)) first.set(pid, isFirst ? seconds : 0);
      last.set(pid, seconds);
    }
  };
  let sampling = true;
  const started = read(true);
  const done = (async () => {
    await started;
    while (sampling) {
      await new Promise(resolve => setTimeout(resolve, 250));
      await read(false);
    }
  })();
  return async () => {
    sampling = false;
    await done;
    let total = 0;
    for (const [pid, seconds] of last) total += seconds - first.get(pid)!;
    return total;
  };
}

interface ReaderResult {
  firstByteMs: number;
  bytes: number;
  seconds: number;
}

/**
 * Downloads the whole log, counting its bytes. Through node:http, not
 * fetch: the readers share the two cores with the backend and PostgreSQL,
 * and fetch's web streams cost them several times more CPU per byte (a
 * profile of the benchmark's process had them at about as much CPU as the
 * backend itself), where a browser reads on a machine of its own.
 */
function readWhole(port: number, taskRun: string): Promise<ReaderResult> {
  const started = performance.now();
  const query = new URLSearchParams({
    entityRef: ENTITY_REF,
    taskRun,
    step: 'write',
  });
  return new Promise((resolve, reject) => {
    const request = http.get(
      `http://127.0.0.1:${port}/api/pipelines/runs/dev/${NAMESPACE}/big-log/logs?${query}`,
      { headers: { Authorization: mockCredentials.user.header() } },
      response => {
        if (response.statusCode !== 200) {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (text: string) => {
            body += text;
          });
          response.on('end', () =>
            reject(new Error(`GET logs: HTTP ${response.statusCode} ${body}`)),
          );
          return;
        }
        // A log is sent as it is stored: compressing it would cost the
        // backend more CPU per byte than reading it (`no-transform`).
        const encoding = response.headers['content-encoding'];
        if (encoding && encoding !== 'identity') {
          response.destroy();
          reject(new Error(`GET logs: the log came compressed (${encoding})`));
          return;
        }
        let firstByteMs = 0;
        let bytes = 0;
        response.on('data', (data: Buffer) => {
          if (bytes === 0) firstByteMs = performance.now() - started;
          bytes += data.length;
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            firstByteMs,
            bytes,
            seconds: (performance.now() - started) / 1000,
          }),
        );
      },
    );
    request.on('error', reject);
  });
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-logs-bench-'));
  tempDirs.add(stateDir);
  log('starting the dev cluster');
  const clusterProcess = await BenchChild.start<ClusterReady>({
    name: 'the dev cluster',
    entry: path.join(__dirname, 'cluster.ts'),
    args: ['--state-dir', stateDir],
    startTimeoutMs: 120_000,
    children,
  });
  const admin = new KubeConfig();
  admin.loadFromString(clusterProcess.ready.kubeconfig);
  const cluster = new Cluster(admin);
  const token = await cluster.portalToken();
  const databasePrefix = `cairn_logs_bench_${process.pid}_`;
  const settings: LogsBackendSettings = {
    clusterUrl: clusterProcess.ready.url,
    serviceAccountToken: token,
    caData: admin.getCurrentCluster()!.caData!,
    postgresUrl: POSTGRES_URL,
    databasePrefix,
    // Above the big log, so all of it is archived and read back.
    maxStepBytes: 2 * LOG_BYTES,
  };
  log('starting the backend');
  const backend = await BenchChild.start<LogsBackendReady>({
    name: 'the backend',
    entry: path.join(__dirname, 'logsBackend.ts'),
    args: [],
    nodeArgs: ['--expose-gc'],
    env: { ...process.env, CAIRN_LOGS_BENCH_BACKEND: JSON.stringify(settings) },
    startTimeoutMs: 120_000,
    children,
    onUnexpectedExit: (description, stderr) =>
      log(`${description}:\n${stderr}`),
  });
  const { pid, port } = backend.ready;
  const db: Knex = knexFactory({
    client: 'pg',
    connection: `${POSTGRES_URL.replace(/\/$/, '')}/${databasePrefix}pipelines`,
  });
  const memoryAfterGc = async () => {
    await backend.request({ type: 'memory', gc: true }, 60_000);
    return residentSet(pid);
  };
  /**
   * Peaks of the backend's V8 heap and of the memory outside it (Buffers),
   * read every 100 ms until stopped: what the resident growth is made of.
   */
  const sampleUsagePeaks = () => {
    const peaks = { heapUsed: 0, arrayBuffers: 0 };
    let sampling = true;
    const done = (async () => {
      while (sampling && backend.alive) {
        const usage = await backend.request<NodeJS.MemoryUsage>(
          { type: 'memory', gc: false },
          60_000,
        );
        peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
        peaks.arrayBuffers = Math.max(peaks.arrayBuffers, usage.arrayBuffers);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    })();
    return async () => {
      sampling = false;
      await done;
      return peaks;
    };
  };
  try {
    const idle = await memoryAfterGc();

    // 1. The big log, followed into the database as it is written.
    log(`a step writing ${mb(LOG_BYTES)}`);
    const line =
      '2026-01-01T00:00:00Z [build] compiling module 0123456789 abcdefghijklmnopqrstuvwxyz';
    const writeStarted = performance.now();
    const stopIngestSampling = samplePeak(pid);
    await cluster.runningStep(
      'big-log',
      `yes '${line}' | head -c ${LOG_BYTES}`,
    );
    const archived = await waitUntil(
      'the big log to be archived',
      () =>
        db('log_steps')
          .where({ task_run: 'big-log-write' })
          .first('state', 'written'),
      row => row?.state === 'complete',
      30 * 60_000,
    );
    const ingestSeconds = (performance.now() - writeStarted) / 1000;
    const ingestPeak = stopIngestSampling();
    log(
      `archived ${mb(Number(archived.written))} in ${ingestSeconds.toFixed(
        1,
      )} s`,
    );

    // 2. Readers of the whole log at once, in rounds; medians are reported.
    const rounds: ReadRound[] = [];
    let loadBefore = '';
    let loadAfter = '';
    for (let round = 1; round <= READ_ROUNDS; round++) {
      const beforeReads = await memoryAfterGc();
      const usageBefore = await backend.request<NodeJS.MemoryUsage>(
        { type: 'memory', gc: false },
        60_000,
      );
      if (round === 1) loadBefore = loadAverage();
      const stopSampling = samplePeak(pid);
      const stopUsageSampling = sampleUsagePeaks();
      const stopPostgresCpu = sampleCpu(async () =>
        (
          await db('pg_stat_activity')
            .where({ datname: `${databasePrefix}pipelines` })
            .andWhereRaw('pid <> pg_backend_pid()')
            .select('pid')
        ).map(row => Number(row.pid)),
      );
      const backendCpu = cpuSeconds(pid);
      const ownCpu = process.cpuUsage();
      const machineBefore = machineCpuTimes();
      const readers = await Promise.all(
        Array.from({ length: READERS }, () => readWhole(port, 'big-log-write')),
      );
      const machineBusy = machineCpuBusy(machineBefore, machineCpuTimes()).busy;
      const ownUsed = process.cpuUsage(ownCpu);
      const cpu = {
        backend: cpuSeconds(pid) - backendCpu,
        postgres: await stopPostgresCpu(),
        readers: (ownUsed.user + ownUsed.system) / 1e6,
      };
      if (round === READ_ROUNDS) loadAfter = loadAverage();
      const readPeak = stopSampling();
      const usagePeaks = await stopUsageSampling();
      for (const reader of readers) {
        if (reader.bytes !== Number(archived.written)) {
          throw new Error(
            `a reader got ${reader.bytes} bytes of ${archived.written}`,
          );
        }
      }
      const measured: ReadRound = {
        beforeReads,
        readPeak,
        growth: readPeak - beforeReads,
        heapGrowth: usagePeaks.heapUsed - usageBefore.heapUsed,
        buffersGrowth: usagePeaks.arrayBuffers - usageBefore.arrayBuffers,
        firstByte: Math.max(...readers.map(r => r.firstByteMs)),
        speeds: readers.map(r => r.bytes / MB / r.seconds),
        cpu,
        machineBusy,
        bytes: readers.reduce((sum, r) => sum + r.bytes, 0),
      };
      rounds.push(measured);
      log(
        `round ${round}: ${READERS} readers: first byte ≤ ${measured.firstByte.toFixed(
          0,
        )} ms, slowest ${Math.min(...measured.speeds).toFixed(
          1,
        )} MB/s, RSS growth ${mb(
          measured.growth,
        )}, CPU s backend ${cpu.backend.toFixed(
          1,
        )} PostgreSQL ${cpu.postgres.toFixed(1)} readers ${cpu.readers.toFixed(
          1,
        )}, machine ${(machineBusy * 100).toFixed(0)} % busy`,
      );
    }
    const medianOf = (value: (r: ReadRound) => number) =>
      median(rounds.map(value));
    // The largest round, not the median: memory the allocator kept after
    // one round is reused by the next, so later rounds show little growth.
    const growth = Math.max(...rounds.map(r => r.growth));
    const firstByte = medianOf(r => r.firstByte);
    const slowest = medianOf(r => Math.min(...r.speeds));
    const msPerMb = (cpu: (r: ReadRound) => number) =>
      medianOf(r => (cpu(r) * 1000) / (r.bytes / MB)).toFixed(2);
    const cores = os.cpus().length;
    const cpuBound = medianOf(
      r =>
        cores /
        ((r.cpu.backend + r.cpu.postgres + r.cpu.readers) / (r.bytes / MB)),
    );
    const roundsOf = (value: (r: ReadRound) => number, digits = 0) =>
      rounds.map(r => value(r).toFixed(digits)).join(', ');

    // 3. Many running steps followed at once.
    log(`${FOLLOWED} running steps`);
    const followStarted = performance.now();
    await pool(FOLLOWED, 16, async i => {
      await cluster.runningStep(
        `follow-${i}`,
        `echo "step ${i} started"; while :; do sleep 30; echo "step ${i} still running"; done`,
      );
    });
    await waitUntil(
      'every step to be followed and archived',
      async () =>
        Number(
          (
            await db('log_steps')
              .where('task_run', 'like', 'follow-%')
              .andWhere('written', '>', 0)
              .andWhere({ state: 'open' })
              .whereNotNull('holder')
              .count({ n: '*' })
          )[0].n,
        ),
      n => n === FOLLOWED,
      30 * 60_000,
    );
    const followSeconds = (performance.now() - followStarted) / 1000;
    const following = await memoryAfterGc();
    const followingPeak = residentSet(pid);
    log(`following ${FOLLOWED} steps: RSS ${mb(following)} after GC`);

    const result = [
      `Measured ${new Date()
        .toISOString()
        .slice(0, 10)} on ${machine()}, code ${codeVersion([
        'plugins/pipelines-backend/src',
        'plugins/pipelines-backend/bench',
      ])}; the backend on PostgreSQL, in a process of its own (its resident memory read from /proc), the readers (node:http) in the benchmark's. ${describeLoad(
        loadBefore,
        loadAfter,
      )}`,
      '',
      '| What | Aim | Measured | Verdict |',
      '| --- | --- | --- | --- |',
      `| ${mb(
        LOG_BYTES,
      )} step log followed into the database | — | ${ingestSeconds.toFixed(
        1,
      )} s (${(LOG_BYTES / MB / ingestSeconds).toFixed(
        1,
      )} MB/s), backend peak RSS ${mb(ingestPeak)} | — |`,
      `| ${READERS} concurrent readers of the whole log, ${
        rounds.length
      } round(s) (medians; memory: the largest round): backend RSS growth (peak above its size after GC) | < ${
        AIMS.readerGrowthMb
      } MB | ${mb(growth)} (rounds: ${roundsOf(
        r => r.growth / MB,
      )} MB; first round ${mb(rounds[0].beforeReads)} → peak ${mb(
        rounds[0].readPeak,
      )}) | ${verdict(growth < AIMS.readerGrowthMb * MB)} |`,
      `| … of which (peaks above the same baseline, sampled every 100 ms) | — | V8 heap used +${mb(
        medianOf(r => r.heapGrowth),
      )}, Buffers outside the heap +${mb(
        medianOf(r => r.buffersGrowth),
      )} | — |`,
      `| … time to the first byte (slowest reader) | < ${
        AIMS.firstByteMs
      } ms | ${firstByte.toFixed(0)} ms (rounds: ${roundsOf(
        r => r.firstByte,
      )}) | ${verdict(firstByte < AIMS.firstByteMs)} |`,
      `| … download speed (slowest reader) | ≥ ${
        AIMS.readerMbPerS
      } MB/s | ${slowest.toFixed(1)} MB/s (rounds: ${roundsOf(
        r => Math.min(...r.speeds),
        1,
      )}) | ${verdict(slowest >= AIMS.readerMbPerS)} |`,
      `| … CPU per MB sent (medians; all readers' bytes): the backend / PostgreSQL (its processes of the backend's database) / the readers | — | ${msPerMb(
        r => r.cpu.backend,
      )} / ${msPerMb(r => r.cpu.postgres)} / ${msPerMb(
        r => r.cpu.readers,
      )} ms (machine ${(medianOf(r => r.machineBusy) * 100).toFixed(
        0,
      )} % busy while they read, all processes) | — |`,
      `| … what that CPU cost allows on ${cores} otherwise idle cores (an estimate: ${cores} core-seconds per second ÷ the CPU per MB of all three) | ≥ ${
        AIMS.readerMbPerS
      } MB/s per reader | ≈ ${cpuBound.toFixed(0)} MB/s in all, ${(
        cpuBound / READERS
      ).toFixed(0)} MB/s per reader | — |`,
      `| ${FOLLOWED} running steps followed at once: backend RSS growth after GC | < ${
        AIMS.followedMb
      } MB | ${mb(following - idle)} (${mb(idle)} idle → ${mb(
        following,
      )}; all followed after ${followSeconds.toFixed(0)} s; ${mb(
        followingPeak,
      )} before GC) | ${verdict(following - idle < AIMS.followedMb * MB)} |`,
    ].join('\n');
    publishReport(
      result,
      {
        heading: 'Pipelines: step logs',
        start: '<!-- bench:logs:start -->',
        end: '<!-- bench:logs:end -->',
      },
      { write },
    );
  } finally {
    if (!backend.alive) log(`the backend exited:\n${backend.stderr}`);
    await db.destroy();
    await backend.stop();
    await clusterProcess.stop();
    const server = knexFactory({ client: 'pg', connection: POSTGRES_URL });
    await server.raw('drop database if exists ?? with (force)', [
      `${databasePrefix}pipelines`,
    ]);
    await server.destroy();
  }
}

runBenchMain(main);
