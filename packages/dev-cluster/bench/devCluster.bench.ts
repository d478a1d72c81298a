/*
 * Benchmark of the dev cluster (issue 3): 10,000 pods on 18 nodes.
 *
 * Not a test: it measures and reports. It starts the dev cluster as a child
 * process (bench/server.ts), drives it over HTTPS on 127.0.0.1 with the admin
 * client certificate of its kubeconfig, as a client would, and measures
 *
 *   1. create throughput: N pods created with bounded concurrency over a
 *      keep-alive agent; with workloads on, also the time until every pod is
 *      bound to a node and Running;
 *   2. list latency (p50/p95/p99): the full list in JSON (namespaced and
 *      cluster-wide), paged lists (limit=500, followed to the end), a
 *      label-selected list, Table output as kubectl asks for it, and a list
 *      through @kubernetes/client-node (with its deserialization);
 *   3. watch fan-out: W watches on the pods, then U label patches; every
 *      event received by every watcher is counted, and the delay from sending
 *      the patch to each watcher receiving its event is recorded;
 *   4. memory: the server's resident set (VmRSS, and VmHWM for the peak) from
 *      /proc and its V8 heap over the IPC channel.
 *
 * Run from the repository root:
 *
 *   yarn workspace @cairn/dev-cluster bench [options]
 *   node --require ./node_modules/@backstage/cli/config/nodeTransform.cjs \
 *     packages/dev-cluster/bench/devCluster.bench.ts [options]
 *
 * Options: --pods N (10000), --watchers N (100), --updates N (5000),
 * --list-runs N (50), --concurrency N (48), --mode workloads|api|both (both),
 * --rounds N (1: each mode N times on a fresh server; the aims are judged on
 * the median round, details shown for the least contended one),
 * --memory-breakdown (at the end, delete the stored Events and measure the
 * live heap again, to see what they held), --cpu-prof (write the server's V8 CPU profile of each phase,
 * <phase>.cpuprofile, under $TMPDIR/cairn-bench-profiles/<mode>/; summarize with bench/profileSummary.ts), --no-write (do not refresh docs/benchmarks.md).
 *
 * Every loop is bounded, everything listens on 127.0.0.1, and the benchmark
 * stops the server and removes its temporary directory when it ends.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  BenchChild,
  cleanUpOnExit,
  codeVersion,
  describeLoad,
  loadAverage,
  log,
  machine,
  median,
  pool,
  benchOptions,
  summarize,
  publishReport,
} from '@cairn/bench-support';
import type { Summary } from '@cairn/bench-support';

// ---------------------------------------------------------------------------
// Options

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: {
    pods: 10000,
    watchers: 100,
    updates: 5000,
    'list-runs': 50,
    concurrency: 48,
    rounds: 1,
    jobs: 1000,
    'top-runs': 100,
  },
  others: {
    mode: { type: 'string', default: 'both' },
    'cpu-prof': { type: 'boolean', default: false },
    'memory-breakdown': { type: 'boolean', default: false },
  },
});

const PODS = counts.pods;
const WATCHERS = counts.watchers;
const UPDATES = counts.updates;
const LIST_RUNS = counts['list-runs'];
const CONCURRENCY = counts.concurrency;
const ROUNDS = counts.rounds;
const JOBS = counts.jobs;
const TOP_RUNS = counts['top-runs'];
function modesOf(mode: string | undefined): Mode[] {
  if (mode === 'both') return ['workloads', 'api'];
  if (mode === 'workloads' || mode === 'api') return [mode];
  throw new Error(`--mode must be workloads, api or both, got "${mode}"`);
}
const MODES = modesOf(args.mode);

type Mode = 'workloads' | 'api';

const SERVER_ENTRY = path.join(__dirname, 'server.ts');
const PROFILE_DIR = path.join(os.tmpdir(), 'cairn-bench-profiles');
const NAMESPACE = 'bench';
const GROUPS = 100;
const SEQ_LABEL = 'bench.cairn.dev/seq';
const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const AIMS = {
  listP95Ms: 100,
  createsPerSecond: 2000,
  watchEventsPerSecond: 20000,
  rssBytes: GiB,
  /** Issue 18: JOBS Jobs of one short container each, all Complete within this. */
  jobsSeconds: 60,
  /** Issue 18: `kubectl top pods`, TOP_RUNS in a row. */
  topP95Ms: 50,
};

const { tempDirs, children } = cleanUpOnExit();

// ---------------------------------------------------------------------------
// Statistics

const ms = (n: number): string => {
  if (Number.isNaN(n)) return '–';
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
};
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (n: number): string => `${(n / MiB).toFixed(0)} MiB`;

// ---------------------------------------------------------------------------
// The server process

interface ServerReady {
  ready: true;
  pid: number;
  url: string;
  kubeconfigPath: string;
}

interface MemoryReply {
  type: 'memory';
  id: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

class ServerProcess {
  private constructor(private readonly helper: BenchChild<ServerReady>) {}

  static async start(
    stateDir: string,
    mode: Mode,
    profileDir: string | undefined,
  ): Promise<ServerProcess> {
    const helper = await BenchChild.start<ServerReady>({
      name: 'the server',
      entry: SERVER_ENTRY,
      args: [
        '--state-dir',
        stateDir,
        ...(mode === 'api' ? ['--no-workloads'] : []),
      ],
      nodeArgs: ['--expose-gc'],
      env: profileDir
        ? {
            ...process.env,
            CAIRN_BENCH_MARKS: path.join(profileDir, 'marks.jsonl'),
            CAIRN_BENCH_PROFILE_DIR: profileDir,
          }
        : undefined,
      startTimeoutMs: 60_000,
      children,
    });
    return new ServerProcess(helper);
  }

  get info(): ServerReady {
    return this.helper.ready;
  }

  /** The last of what the server wrote to stderr. */
  get stderr(): string {
    return this.helper.stderr;
  }

  /** VmRSS and VmHWM (peak resident set) in bytes, from /proc. */
  residentSet(): { rss: number; peak: number } {
    try {
      const status = readFileSync(`/proc/${this.info.pid}/status`, 'utf8');
      const field = (name: string) =>
        Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) *
        1024;
      return { rss: field('VmRSS'), peak: field('VmHWM') };
    } catch {
      return { rss: NaN, peak: NaN };
    }
  }

  /** User + system CPU seconds the server has used, from /proc. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.info.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat(5), in clock ticks.
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return NaN;
    }
  }

  /** process.memoryUsage() of the server; with `gc`, after a full collection. */
  async memory(gc = false): Promise<MemoryReply | undefined> {
    try {
      return await this.helper.request<MemoryReply>({ type: 'memory', gc });
    } catch {
      return undefined;
    }
  }

  /** Marks a phase boundary (for bench/profileSummary.ts --phase). */
  mark(name: string): void {
    this.helper.send({ type: 'mark', name });
  }

  stop(): Promise<number | null> {
    return this.helper.stop();
  }
}

// ---------------------------------------------------------------------------
// HTTPS client

interface Response {
  status: number;
  /** The body, unless discarded (then only its first bytes). */
  body: Buffer;
  bytes: number;
  ms: number;
  /** Time to the first byte of the body. */
  firstByteMs: number;
}

class Client {
  readonly agent: https.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    url: string,
    tls: { ca: Buffer | string; cert: Buffer | string; key: Buffer | string },
    maxSockets: number,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
    });
  }

  request(
    method: string,
    pathAndQuery: string,
    options: {
      body?: string;
      contentType?: string;
      accept?: string;
      /** Keep only the first this many bytes of the body. */
      keepBytes?: number;
    } = {},
  ): Promise<Response> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        Accept: options.accept ?? 'application/json',
        'User-Agent': 'cairn-dev-cluster-bench',
      };
      if (options.body !== undefined) {
        headers['Content-Type'] = options.contentType ?? 'application/json';
        headers['Content-Length'] = Buffer.byteLength(options.body);
      }
      const req = https.request(
        {
          host: this.host,
          port: this.port,
          method,
          path: pathAndQuery,
          agent: this.agent,
          headers,
        },
        res => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let bytes = 0;
          let firstByteMs = NaN;
          const keep = options.keepBytes ?? Infinity;
          res.on('data', (chunk: Buffer) => {
            if (bytes === 0) firstByteMs = performance.now() - started;
            bytes += chunk.length;
            if (kept < keep) {
              chunks.push(chunk);
              kept += chunk.length;
            }
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks),
              bytes,
              ms: performance.now() - started,
              firstByteMs,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const sleep = (millis: number) =>
  new Promise<void>(resolve => setTimeout(resolve, millis));

/** Failed requests by status, with the first few bodies. */
class Failures {
  readonly byStatus = new Map<string, number>();
  readonly samples: string[] = [];
  total = 0;

  add(what: string, status: number | string, body: string): void {
    this.total++;
    const key = `${what} → ${status}`;
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    if (this.samples.length < 5)
      this.samples.push(`${key}: ${body.slice(0, 400)}`);
  }

  describe(): string {
    if (!this.total) return 'none';
    return [...this.byStatus].map(([k, n]) => `${k} ×${n}`).join('; ');
  }
}

// ---------------------------------------------------------------------------
// The phases

function podManifest(index: number): string {
  const name = `bench-${String(index).padStart(5, '0')}`;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: {
        app: 'bench',
        'bench.cairn.dev/group': `g${index % GROUPS}`,
      },
    },
    spec: {
      containers: [
        {
          name: 'app',
          // No command: an idle container, no OS process.
          image: 'nginx:1.27',
          ports: [{ containerPort: 8080, name: 'http' }],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  });
}

const podName = (index: number) => `bench-${String(index).padStart(5, '0')}`;

interface CpuWindow {
  /** CPU seconds the server used in the window: what load on the machine does not inflate much. */
  serverCpuSeconds: number;
  serverCpuPercent: number;
  clientCpuPercent: number;
  /** CPU the rest of the machine used meanwhile (contention), % of one core. */
  othersCpuPercent: number;
}

/** CPU seconds all processes of the machine have used, from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // cpu user nice system idle iowait irq softirq steal …
    const [user, nice, system, , , irq, softirq, steal] = line
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch {
    return NaN;
  }
}

/** Measures server, client and other processes' CPU use over a phase. */
function cpuWindow(server: ServerProcess): () => CpuWindow {
  const started = performance.now();
  const serverStart = server.cpuSeconds();
  const clientStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const client = process.cpuUsage(clientStart);
    const serverSeconds = server.cpuSeconds() - serverStart;
    const clientSeconds = (client.user + client.system) / 1e6;
    const machineSeconds = machineBusySeconds() - machineStart;
    return {
      serverCpuSeconds: serverSeconds,
      serverCpuPercent: (serverSeconds / seconds) * 100,
      clientCpuPercent: (clientSeconds / seconds) * 100,
      othersCpuPercent: Math.max(
        0,
        ((machineSeconds - serverSeconds - clientSeconds) / seconds) * 100,
      ),
    };
  };
}

/** Samples the server's resident set every 250 ms while a phase runs. */
function rssSampler(server: ServerProcess): () => number {
  let max = 0;
  const timer = setInterval(() => {
    const { rss } = server.residentSet();
    if (rss > max) max = rss;
  }, 250);
  return () => {
    clearInterval(timer);
    return Math.max(max, server.residentSet().rss);
  };
}

/** Waits (at most 30 s) until the server uses under 15 % of a core for a second. */
async function settle(server: ServerProcess): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < 30; i++) {
    const before = server.cpuSeconds();
    await sleep(1000);
    if (server.cpuSeconds() - before < 0.15) break;
  }
  return (performance.now() - started) / 1000;
}

/** How many objects a list would return, from one item and remainingItemCount. */
async function countObjects(client: Client, listPath: string): Promise<number> {
  const res = await client.request('GET', `${listPath}?limit=1`);
  if (res.status !== 200) return NaN;
  const list = JSON.parse(res.body.toString()) as {
    metadata: { remainingItemCount?: number };
    items: unknown[];
  };
  return list.items.length + (list.metadata.remainingItemCount ?? 0);
}

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

interface CreateResult extends CpuWindow {
  pods: number;
  seconds: number;
  perSecond: number;
  latency: Summary;
  failures: Failures;
  maxRss: number;
  /** With workloads: seconds from the first create until all are bound / Running. */
  allBoundSeconds?: number;
  allRunningSeconds?: number;
  /** With workloads: server CPU seconds from the first create until all are Running (the control loops' work included). */
  serverCpuSecondsToRunning?: number;
  nodesUsed?: number;
  podsPerNode?: { min: number; max: number };
}

async function benchCreates(
  client: Client,
  server: ServerProcess,
  mode: Mode,
): Promise<CreateResult> {
  const failures = new Failures();
  const latencies = new Float64Array(PODS);
  const bodies = Array.from({ length: PODS }, (_, i) => podManifest(i));
  const serverCpuAtStart = server.cpuSeconds();
  const cpu = cpuWindow(server);
  const rss = rssSampler(server);
  const started = performance.now();
  await pool(PODS, CONCURRENCY, async i => {
    const res = await client.request(
      'POST',
      `/api/v1/namespaces/${NAMESPACE}/pods`,
      { body: bodies[i], keepBytes: 1024 },
    );
    latencies[i] = res.ms;
    if (res.status !== 201)
      failures.add('create', res.status, res.body.toString());
  });
  const seconds = (performance.now() - started) / 1000;
  const window = cpu();
  const result: CreateResult = {
    pods: PODS,
    seconds,
    perSecond: PODS / seconds,
    latency: summarize(latencies),
    failures,
    maxRss: 0,
    ...window,
  };
  if (mode === 'workloads') {
    // Until every pod is bound, then Running (polled with field selectors).
    const remaining = async (fieldSelector: string): Promise<number> => {
      const res = await client.request(
        'GET',
        `/api/v1/namespaces/${NAMESPACE}/pods?fieldSelector=${encodeURIComponent(
          fieldSelector,
        )}`,
        {
          accept:
            'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
        },
      );
      if (res.status !== 200)
        throw new Error(`list ${fieldSelector}: ${res.status} ${res.body}`);
      return (JSON.parse(res.body.toString()) as { items: unknown[] }).items
        .length;
    };
    let bound = false;
    await waitFor('all pods to be bound and Running', 300_000, async () => {
      if (!bound && (await remaining('spec.nodeName=')) === 0) {
        bound = true;
        result.allBoundSeconds = (performance.now() - started) / 1000;
      }
      if (bound && (await remaining('status.phase!=Running')) === 0) {
        result.allRunningSeconds = (performance.now() - started) / 1000;
        result.serverCpuSecondsToRunning =
          server.cpuSeconds() - serverCpuAtStart;
        return true;
      }
      return false;
    });
    const list = await client.request(
      'GET',
      `/api/v1/namespaces/${NAMESPACE}/pods`,
    );
    const perNode = new Map<string, number>();
    for (const pod of (
      JSON.parse(list.body.toString()) as {
        items: Array<{ spec: { nodeName?: string } }>;
      }
    ).items) {
      const node = pod.spec.nodeName ?? '';
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    result.nodesUsed = perNode.size;
    result.podsPerNode = {
      min: Math.min(...perNode.values()),
      max: Math.max(...perNode.values()),
    };
  }
  result.maxRss = rss();
  return result;
}

interface ListResult extends CpuWindow {
  name: string;
  runs: number;
  request: string;
  latency: Summary;
  /** Time to first byte (the server's work before it sends), when one request. */
  firstByte: Summary;
  bytes: number;
  items: number;
  failures: Failures;
}

async function benchList(
  server: ServerProcess,
  name: string,
  request: string,
  runs: number,
  once: () => Promise<{
    ms: number;
    firstByteMs: number;
    bytes: number;
    items: number;
    status: number;
    body: string;
  }>,
): Promise<ListResult> {
  const failures = new Failures();
  const samples: number[] = [];
  const firstBytes: number[] = [];
  let bytes = 0;
  let items = 0;
  await once(); // warm-up (serialization caches, JIT)
  const cpu = cpuWindow(server);
  for (let i = 0; i < runs; i++) {
    const r = await once();
    if (r.status !== 200) failures.add(name, r.status, r.body);
    samples.push(r.ms);
    if (!Number.isNaN(r.firstByteMs)) firstBytes.push(r.firstByteMs);
    bytes = r.bytes;
    items = r.items;
  }
  return {
    name,
    runs,
    request,
    latency: summarize(samples),
    firstByte: summarize(firstBytes),
    bytes,
    items,
    failures,
    ...cpu(),
  };
}

/** Counts the items of a list body without parsing it: `"uid":` occurs once per object. */
function countItems(body: Buffer): number {
  let n = 0;
  const needle = Buffer.from('"uid":"');
  for (
    let at = body.indexOf(needle);
    at >= 0;
    at = body.indexOf(needle, at + 1)
  )
    n++;
  return n;
}

function continueToken(head: Buffer): string | undefined {
  // List metadata precedes the items in the server's encoding; Tables put
  // metadata after columnDefinitions, so search the whole head we kept.
  const match = /"continue":"([^"]+)"/.exec(head.toString('latin1'));
  return match?.[1];
}

async function benchLists(
  client: Client,
  server: ServerProcess,
  kubeconfigPath: string,
): Promise<ListResult[]> {
  const results: ListResult[] = [];
  const countRows = (body: Buffer): number =>
    (JSON.parse(body.toString()) as { rows?: unknown[] }).rows?.length ?? 0;
  const full = (listPath: string, accept?: string) => async () => {
    const r = await client.request('GET', listPath, { accept });
    return {
      ms: r.ms,
      firstByteMs: r.firstByteMs,
      bytes: r.bytes,
      items: accept ? countRows(r.body) : countItems(r.body),
      status: r.status,
      body: r.body.subarray(0, 400).toString(),
    };
  };
  const paged = (basePath: string, accept?: string) => async () => {
    const started = performance.now();
    let token: string | undefined;
    let bytes = 0;
    let items = 0;
    for (let page = 0; page < 1000; page++) {
      const sep = basePath.includes('?') ? '&' : '?';
      const r = await client.request(
        'GET',
        `${basePath}${sep}limit=500${
          token ? `&continue=${encodeURIComponent(token)}` : ''
        }`,
        { accept },
      );
      if (r.status !== 200)
        return {
          ms: performance.now() - started,
          firstByteMs: NaN,
          bytes,
          items,
          status: r.status,
          body: r.body.subarray(0, 400).toString(),
        };
      bytes += r.bytes;
      items += accept ? countRows(r.body) : countItems(r.body);
      token = continueToken(r.body.subarray(0, 64 * 1024));
      if (!token) break;
    }
    return {
      ms: performance.now() - started,
      firstByteMs: NaN,
      bytes,
      items,
      status: 200,
      body: '',
    };
  };
  const nsPods = `/api/v1/namespaces/${NAMESPACE}/pods`;

  results.push(
    await benchList(
      server,
      'full list, JSON (namespace)',
      `GET ${nsPods}`,
      LIST_RUNS,
      full(nsPods),
    ),
  );
  results.push(
    await benchList(
      server,
      'full list, JSON (all namespaces)',
      'GET /api/v1/pods',
      LIST_RUNS,
      full('/api/v1/pods'),
    ),
  );
  results.push(
    await benchList(
      server,
      'full list, Table (kubectl get)',
      `GET ${nsPods}, Accept: Table`,
      LIST_RUNS,
      full(nsPods, TABLE_ACCEPT),
    ),
  );
  results.push(
    await benchList(
      server,
      'paged list, JSON, limit=500, all pages',
      `GET ${nsPods}?limit=500 + continue`,
      Math.max(5, Math.round(LIST_RUNS / 2)),
      paged(nsPods),
    ),
  );
  results.push(
    await benchList(
      server,
      'paged list, Table, limit=500, all pages (kubectl get pods)',
      `GET ${nsPods}?limit=500 + continue, Accept: Table`,
      Math.max(5, Math.round(LIST_RUNS / 2)),
      paged(nsPods, TABLE_ACCEPT),
    ),
  );
  const selector = `bench.cairn.dev/group=g7`;
  results.push(
    await benchList(
      server,
      `label-selected list (${PODS / GROUPS} of ${PODS})`,
      `GET ${nsPods}?labelSelector=${selector}`,
      LIST_RUNS,
      full(`${nsPods}?labelSelector=${encodeURIComponent(selector)}`),
    ),
  );

  // As an application sees it: @kubernetes/client-node, typed and deserialized.
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const clientNodeRuns = Math.max(5, Math.round(LIST_RUNS / 5));
  results.push(
    await benchList(
      server,
      'full list via client-node (incl. its deserialization)',
      'CoreV1Api.listNamespacedPod',
      clientNodeRuns,
      async () => {
        const started = performance.now();
        const list = await core.listNamespacedPod({ namespace: NAMESPACE });
        return {
          ms: performance.now() - started,
          firstByteMs: NaN,
          bytes: NaN,
          items: list.items.length,
          status: 200,
          body: '',
        };
      },
    ),
  );
  return results;
}

interface WatchResult extends CpuWindow {
  watchers: number;
  updates: number;
  patchSeconds: number;
  patchesPerSecond: number;
  expectedEvents: number;
  deliveredEvents: number;
  deliverySeconds: number;
  eventsPerSecond: number;
  delay: Summary;
  endedEarly: number;
  failures: Failures;
  maxRss: number;
}

/**
 * `kubectl top pods` TOP_RUNS times in a row: the request it makes, the
 * PodMetrics list of the namespace (metrics.k8s.io), items counted by their
 * `"window":` field (PodMetrics have no uid).
 */
async function benchTop(
  client: Client,
  server: ServerProcess,
): Promise<ListResult> {
  const listPath = `/apis/metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/pods`;
  const needle = Buffer.from('"window":"');
  return benchList(
    server,
    'kubectl top pods (PodMetrics list)',
    `GET ${listPath}`,
    TOP_RUNS,
    async () => {
      const r = await client.request('GET', listPath);
      let items = 0;
      for (
        let at = r.body.indexOf(needle);
        at >= 0;
        at = r.body.indexOf(needle, at + 1)
      )
        items++;
      return {
        ms: r.ms,
        firstByteMs: r.firstByteMs,
        bytes: r.bytes,
        items,
        status: r.status,
        body: r.body.subarray(0, 400).toString(),
      };
    },
  );
}

interface JobsResult extends CpuWindow {
  jobs: number;
  /** From the first create to every Job Complete (NaN when some never completed). */
  seconds: number;
  createSeconds: number;
  completed: number;
  failedJobs: number;
  failures: Failures;
}

const JOBS_NAMESPACE = 'bench-jobs';

/**
 * JOBS Jobs of one short container each (`true`, a real process in its
 * sandbox), created with CONCURRENCY in flight; the time until every Job has
 * its Complete condition, polled every 250 ms.
 */
async function benchJobs(
  client: Client,
  server: ServerProcess,
): Promise<JobsResult> {
  const failures = new Failures();
  const ns = await client.request('POST', '/api/v1/namespaces', {
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: JOBS_NAMESPACE },
    }),
  });
  if (ns.status !== 201)
    throw new Error(`create namespace: ${ns.status} ${ns.body}`);
  await waitFor(
    `the default ServiceAccount of ${JOBS_NAMESPACE}`,
    30_000,
    async () =>
      (
        await client.request(
          'GET',
          `/api/v1/namespaces/${JOBS_NAMESPACE}/serviceaccounts/default`,
        )
      ).status === 200,
  );
  const body = (index: number) =>
    JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `job-${String(index).padStart(4, '0')}` },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'main', image: 'busybox:1.36', command: ['true'] },
            ],
          },
        },
      },
    });
  const cpu = cpuWindow(server);
  const started = performance.now();
  await pool(JOBS, CONCURRENCY, async i => {
    const res = await client.request(
      'POST',
      `/apis/batch/v1/namespaces/${JOBS_NAMESPACE}/jobs`,
      { body: body(i), keepBytes: 1024 },
    );
    if (res.status !== 201)
      failures.add('create job', res.status, res.body.toString());
  });
  const createSeconds = (performance.now() - started) / 1000;
  let completed = 0;
  let failedJobs = 0;
  let seconds = NaN;
  const deadline = started + 300_000;
  while (performance.now() < deadline) {
    const res = await client.request(
      'GET',
      `/apis/batch/v1/namespaces/${JOBS_NAMESPACE}/jobs`,
    );
    const jobs = (
      JSON.parse(res.body.toString()) as {
        items: Array<{
          status?: { conditions?: Array<{ type: string; status: string }> };
        }>;
      }
    ).items;
    const has = (job: (typeof jobs)[number], type: string) =>
      job.status?.conditions?.some(
        c => c.type === type && c.status === 'True',
      ) ?? false;
    completed = jobs.filter(job => has(job, 'Complete')).length;
    failedJobs = jobs.filter(job => has(job, 'Failed')).length;
    if (completed + failedJobs >= JOBS - failures.total) {
      if (completed === JOBS) seconds = (performance.now() - started) / 1000;
      break;
    }
    await sleep(250);
  }
  return {
    jobs: JOBS,
    seconds,
    createSeconds,
    completed,
    failedJobs,
    failures,
    ...cpu(),
  };
}

async function benchWatch(
  client: Client,
  server: ServerProcess,
  tls: { ca: Buffer | string; cert: Buffer | string; key: Buffer | string },
): Promise<WatchResult> {
  const failures = new Failures();
  const list = await client.request(
    'GET',
    `/api/v1/namespaces/${NAMESPACE}/pods?limit=1`,
  );
  const resourceVersion = (
    JSON.parse(list.body.toString()) as {
      metadata: { resourceVersion: string };
    }
  ).metadata.resourceVersion;

  // The watches use their own agent: one connection each, as separate clients.
  const watchAgent = new https.Agent({
    keepAlive: false,
    maxSockets: Infinity,
    ...tls,
  });
  const url = new URL(server.info.url);
  const sentAt = new Float64Array(UPDATES).fill(NaN);
  // One delay per (update, watcher), in milliseconds.
  const delays = new Float64Array(UPDATES * WATCHERS).fill(NaN);
  const received = new Int32Array(WATCHERS);
  let delivered = 0;
  let lastDelivery = 0;
  let endedEarly = 0;
  let stopping = false;
  const needle = Buffer.from(`"${SEQ_LABEL}":"`);
  const newline = 0x0a;
  let allDelivered: () => void = () => {};
  const allDeliveredPromise = new Promise<void>(r => (allDelivered = r));
  const requests: ReturnType<typeof https.request>[] = [];

  const opened = Array.from(
    { length: WATCHERS },
    (_, w) =>
      new Promise<void>((resolve, reject) => {
        const req = https.request(
          {
            host: url.hostname,
            port: Number(url.port),
            method: 'GET',
            path: `/api/v1/namespaces/${NAMESPACE}/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}&timeoutSeconds=600`,
            agent: watchAgent,
            headers: { Accept: 'application/json' },
          },
          res => {
            if (res.statusCode !== 200) {
              failures.add('watch', res.statusCode ?? 0, '');
              reject(new Error(`watch ${w}: ${res.statusCode}`));
              return;
            }
            resolve();
            let rest: Buffer | undefined;
            res.on('data', (chunk: Buffer) => {
              const now = performance.now();
              const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
              let start = 0;
              for (
                let end = buf.indexOf(newline, start);
                end >= 0;
                end = buf.indexOf(newline, start)
              ) {
                const at = buf.indexOf(needle, start);
                if (at >= 0 && at < end) {
                  const from = at + needle.length;
                  const to = buf.indexOf(0x22, from);
                  const seq = Number(buf.toString('latin1', from, to));
                  if (seq >= 0 && seq < UPDATES) {
                    const slot = seq * WATCHERS + w;
                    if (Number.isNaN(delays[slot])) {
                      delays[slot] = now - sentAt[seq];
                      received[w]++;
                      delivered++;
                      lastDelivery = now;
                      if (delivered === UPDATES * WATCHERS) allDelivered();
                    }
                  }
                }
                start = end + 1;
              }
              rest = start < buf.length ? buf.subarray(start) : undefined;
            });
            res.on('end', () => {
              if (!stopping) endedEarly++;
            });
            res.on('error', () => {
              if (!stopping) endedEarly++;
            });
          },
        );
        req.on('error', e => {
          if (!stopping) failures.add('watch', e.message, '');
          reject(e);
        });
        req.end();
        requests.push(req);
      }),
  );
  await Promise.all(opened);
  await sleep(500);

  const cpu = cpuWindow(server);
  const rss = rssSampler(server);
  const started = performance.now();
  await pool(UPDATES, CONCURRENCY, async seq => {
    const body = JSON.stringify({
      metadata: { labels: { [SEQ_LABEL]: String(seq) } },
    });
    sentAt[seq] = performance.now();
    const res = await client.request(
      'PATCH',
      `/api/v1/namespaces/${NAMESPACE}/pods/${podName(seq % PODS)}`,
      { body, contentType: 'application/merge-patch+json', keepBytes: 1024 },
    );
    if (res.status !== 200)
      failures.add('patch', res.status, res.body.toString());
  });
  const patchSeconds = (performance.now() - started) / 1000;
  // Every event reaches every watcher, or 60 s pass without progress.
  let lastCount = -1;
  for (let i = 0; i < 600 && delivered < UPDATES * WATCHERS; i++) {
    await Promise.race([allDeliveredPromise, sleep(1000)]);
    if (delivered === lastCount && performance.now() - lastDelivery > 60_000)
      break;
    lastCount = delivered;
  }
  const deliverySeconds =
    ((lastDelivery || performance.now()) - started) / 1000;
  const window = cpu();
  const maxRss = rss();
  stopping = true;
  for (const req of requests) req.destroy();
  watchAgent.destroy();

  return {
    watchers: WATCHERS,
    updates: UPDATES,
    patchSeconds,
    patchesPerSecond: UPDATES / patchSeconds,
    expectedEvents: UPDATES * WATCHERS,
    deliveredEvents: delivered,
    deliverySeconds,
    eventsPerSecond: delivered / deliverySeconds,
    delay: summarize(delays.filter(d => !Number.isNaN(d))),
    endedEarly,
    failures,
    maxRss,
    ...window,
  };
}

// ---------------------------------------------------------------------------
// One run per mode

interface MemoryResult {
  /** Objects held when memory was measured after the creates. */
  objects: { pods: number; events: number };
  idleRss: number;
  afterCreateRss: number;
  afterLoadRss: number;
  peakRss: number;
  heapUsed?: number;
  heapTotal?: number;
  /** V8 heap used after a full GC: what the server keeps alive. */
  liveHeap?: number;
  /** Memory of Buffers and other objects outside the V8 heap, after the GC. */
  external?: number;
  /** With --memory-breakdown: the live heap after deleting the Events. */
  withoutEvents?: { deleted: number; seconds: number; liveHeap: number };
}

interface RunResult {
  mode: Mode;
  /** 1-minute load average of the machine when the run started. */
  loadBefore: number;
  create: CreateResult;
  lists: ListResult[];
  watch: WatchResult;
  /** With workloads only. */
  top?: ListResult;
  jobs?: JobsResult;
  memory: MemoryResult;
  /** loadAverage() when the round began and ended, for describeLoad. */
  load: { before: string; after: string };
  serverExit: number | null;
  serverStderr: string;
  profile?: string;
}

async function run(mode: Mode): Promise<RunResult> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  tempDirs.add(stateDir);
  const loadBefore = os.loadavg()[0];
  const loadText = loadAverage();
  const profileDir = args['cpu-prof']
    ? path.join(PROFILE_DIR, mode)
    : undefined;
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  try {
    log(`[${mode}] starting the dev cluster (${stateDir})`);
    server = await ServerProcess.start(stateDir, mode, profileDir);
    const kc = new KubeConfig();
    kc.loadFromFile(server.info.kubeconfigPath);
    const httpsOptions: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(httpsOptions);
    const tls = {
      ca: httpsOptions.ca as Buffer | string,
      cert: httpsOptions.cert as Buffer | string,
      key: httpsOptions.key as Buffer | string,
    };
    client = new Client(server.info.url, tls, CONCURRENCY);
    await sleep(1000);
    const idleRss = server.residentSet().rss;

    const ns = await client.request('POST', '/api/v1/namespaces', {
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NAMESPACE },
      }),
    });
    if (ns.status !== 201)
      throw new Error(`create namespace: ${ns.status} ${ns.body}`);
    // The ServiceAccount admission plugin needs the namespace's default account.
    await waitFor(
      'the default ServiceAccount',
      30_000,
      async () =>
        (
          await client!.request(
            'GET',
            `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/default`,
          )
        ).status === 200,
    );
    if (mode === 'workloads') {
      await waitFor('18 Ready nodes', 60_000, async () => {
        const r = await client!.request('GET', '/api/v1/nodes');
        const nodes = (
          JSON.parse(r.body.toString()) as {
            items: Array<{
              status?: { conditions?: Array<{ type: string; status: string }> };
            }>;
          }
        ).items;
        return (
          nodes.length >= 18 &&
          nodes.every(n =>
            n.status?.conditions?.some(
              c => c.type === 'Ready' && c.status === 'True',
            ),
          )
        );
      });
    }

    log(`[${mode}] creating ${PODS} pods, ${CONCURRENCY} in flight`);
    server.mark('create:start');
    const create = await benchCreates(client, server, mode);
    server.mark('create:end');
    const running = create.allRunningSeconds
      ? `, all Running after ${create.allRunningSeconds.toFixed(1)} s`
      : '';
    log(`[${mode}]   ${int(create.perSecond)} creates/s${running}`);
    const settleSeconds = await settle(server);
    log(`[${mode}]   settled in ${settleSeconds.toFixed(0)} s`);
    const afterCreateRss = server.residentSet().rss;
    const objects = {
      pods: await countObjects(client, '/api/v1/pods'),
      events: await countObjects(client, '/api/v1/events'),
    };

    log(`[${mode}] lists, ${LIST_RUNS} runs each`);
    server.mark('lists:start');
    const lists = await benchLists(client, server, server.info.kubeconfigPath);
    server.mark('lists:end');
    for (const l of lists)
      log(
        `[${mode}]   ${l.name}: p50 ${ms(l.latency.p50)} ms, p95 ${ms(
          l.latency.p95,
        )} ms`,
      );

    let top: ListResult | undefined;
    if (mode === 'workloads') {
      log(`[${mode}] kubectl top pods, ${TOP_RUNS} in a row`);
      server.mark('top:start');
      top = await benchTop(client, server);
      server.mark('top:end');
      log(
        `[${mode}]   p50 ${ms(top.latency.p50)} ms, p95 ${ms(
          top.latency.p95,
        )} ms, ${top.items} items`,
      );
    }

    log(`[${mode}] watch fan-out: ${WATCHERS} watchers, ${UPDATES} patches`);
    server.mark('watch:start');
    const watch = await benchWatch(client, server, tls);
    server.mark('watch:end');
    log(
      `[${mode}]   ${int(watch.eventsPerSecond)} events/s delivered (${int(
        watch.deliveredEvents,
      )} of ${int(watch.expectedEvents)})`,
    );

    await sleep(2000);
    const heap = await server.memory();
    const { rss: afterLoadRss, peak: peakRss } = server.residentSet();
    const live = await server.memory(true);
    let withoutEvents: MemoryResult['withoutEvents'];
    if (args['memory-breakdown']) {
      log(`[${mode}] deleting the Events to see the heap they held`);
      const started = performance.now();
      const res = await client.request(
        'DELETE',
        `/api/v1/namespaces/${NAMESPACE}/events`,
        { keepBytes: 0 },
      );
      if (res.status !== 200)
        throw new Error(`deletecollection events: ${res.status}`);
      const seconds = (performance.now() - started) / 1000;
      await settle(server);
      const after = await server.memory(true);
      withoutEvents = {
        deleted:
          objects.events - (await countObjects(client, '/api/v1/events')),
        seconds,
        liveHeap: after?.heapUsed ?? NaN,
      };
    }
    const memory: MemoryResult = {
      withoutEvents,
      objects,
      idleRss,
      afterCreateRss,
      afterLoadRss,
      peakRss,
      heapUsed: heap?.heapUsed,
      heapTotal: heap?.heapTotal,
      liveHeap: live?.heapUsed,
      external: live ? live.external : undefined,
    };
    // After the memory readings, which it would change.
    let jobs: JobsResult | undefined;
    if (mode === 'workloads') {
      log(`[${mode}] ${JOBS} Jobs of one short container each`);
      server.mark('jobs:start');
      jobs = await benchJobs(client, server);
      server.mark('jobs:end');
      log(
        `[${mode}]   ${jobs.completed} Complete, ${
          jobs.failedJobs
        } Failed, all Complete after ${jobs.seconds.toFixed(1)} s`,
      );
    }
    client.close();
    client = undefined;
    const serverExit = await server.stop();
    const result: RunResult = {
      mode,
      loadBefore,
      load: { before: loadText, after: loadAverage() },
      create,
      lists,
      watch,
      top,
      jobs,
      memory,
      serverExit,
      serverStderr: server.stderr.trim(),
      profile: profileDir,
    };
    server = undefined;
    return result;
  } finally {
    client?.close();
    if (server) {
      const stderr = server.stderr;
      await server.stop();
      if (stderr.trim()) log(`[${mode}] server stderr:\n${stderr}`);
    }
    rmSync(stateDir, { recursive: true, force: true });
    tempDirs.delete(stateDir);
  }
}

// ---------------------------------------------------------------------------
// Report

const pass = (ok: boolean) => (ok ? '**pass**' : '**miss**');

function listForAim(r: RunResult): ListResult {
  return r.lists[0];
}

/** The four numbers the issue sets aims for, of one run. */
interface AimValues {
  listP95: number;
  creates: number;
  events: number;
  peakRss: number;
}

function aimValues(r: RunResult): AimValues {
  const complete =
    r.create.failures.total === 0 &&
    r.watch.deliveredEvents === r.watch.expectedEvents;
  return {
    listP95: listForAim(r).latency.p95,
    creates: complete ? r.create.perSecond : 0,
    events: complete ? r.watch.eventsPerSecond : 0,
    peakRss: r.memory.peakRss,
  };
}

/** CPU other processes used during the round's phases, summed. */
const contention = (r: RunResult): number =>
  r.create.othersCpuPercent +
  r.watch.othersCpuPercent +
  r.lists.reduce((n, l) => n + l.othersCpuPercent, 0) / r.lists.length;

function report(rounds: Map<Mode, RunResult[]>): string {
  const out: string[] = [];
  out.push(
    `Run of ${new Date()
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ')} UTC on ${machine()}.`,
  );
  out.push(`Code: ${codeVersion(['packages/dev-cluster/src'])}.`);
  out.push(
    `Parameters: ${int(
      PODS,
    )} pods in one namespace, ${CONCURRENCY} requests in flight, ${LIST_RUNS} runs per list, ${WATCHERS} watchers × ${int(
      UPDATES,
    )} patches, ${ROUNDS} round${ROUNDS > 1 ? 's' : ''} per mode.`,
  );
  out.push('');
  out.push('### Aims of issues 3 and 18');
  out.push('');
  if (ROUNDS > 1)
    out.push(
      `Median of ${ROUNDS} rounds, [lowest – highest] in brackets; pass or miss is judged on the median.\n`,
    );
  const modes = [...rounds.keys()];
  out.push(`| Aim | ${modes.map(modeTitle).join(' | ')} |`);
  out.push(`|---|${modes.map(() => '---').join('|')}|`);
  const row = (
    title: string,
    value: (v: AimValues) => number,
    format: (n: number) => string,
    ok: (n: number) => boolean,
  ) => {
    const cells = modes.map(mode => {
      const values = rounds.get(mode)!.map(r => value(aimValues(r)));
      const mid = median(values);
      const range =
        values.length > 1
          ? ` [${format(Math.min(...values))} – ${format(Math.max(...values))}]`
          : '';
      return `${format(mid)}${range} ${pass(ok(mid))}`;
    });
    out.push(`| ${title} | ${cells.join(' | ')} |`);
  };
  row(
    `list of ${int(PODS)} pods, p95 < ${AIMS.listP95Ms} ms`,
    v => v.listP95,
    n => `${ms(n)} ms`,
    n => n < AIMS.listP95Ms,
  );
  row(
    `≥ ${int(AIMS.createsPerSecond)} creates/s`,
    v => v.creates,
    n => `${int(n)}/s`,
    n => n >= AIMS.createsPerSecond,
  );
  row(
    `≥ ${int(AIMS.watchEventsPerSecond)} watch events/s delivered`,
    v => v.events,
    n => `${int(n)}/s`,
    n => n >= AIMS.watchEventsPerSecond,
  );
  row(
    '< 1 GiB resident (peak)',
    v => v.peakRss,
    mib,
    n => n < AIMS.rssBytes,
  );
  // Issue 18's aims, with workloads only.
  const workloadsRow = (
    title: string,
    value: (r: RunResult) => number | undefined,
    format: (n: number) => string,
    ok: (n: number) => boolean,
  ) => {
    const cells = modes.map(mode => {
      const values = rounds
        .get(mode)!
        .map(value)
        .filter((v): v is number => v !== undefined);
      if (!values.length) return '–';
      const mid = median(values);
      const range =
        values.length > 1
          ? ` [${format(Math.min(...values))} – ${format(Math.max(...values))}]`
          : '';
      return `${format(mid)}${range} ${pass(ok(mid))}`;
    });
    out.push(`| ${title} | ${cells.join(' | ')} |`);
  };
  workloadsRow(
    `${int(JOBS)} Jobs of one short container, all Complete < ${
      AIMS.jobsSeconds
    } s`,
    r => r.jobs && (r.jobs.failures.total ? Infinity : r.jobs.seconds),
    n => (Number.isFinite(n) ? `${n.toFixed(1)} s` : 'never'),
    n => n < AIMS.jobsSeconds,
  );
  workloadsRow(
    `${TOP_RUNS} \`kubectl top pods\` in a row, p95 < ${AIMS.topP95Ms} ms`,
    r => r.top?.latency.p95,
    n => `${ms(n)} ms`,
    n => n < AIMS.topP95Ms,
  );
  out.push('');
  out.push(
    'A create or watch number counts as 0 when a request failed or an event was lost.',
  );
  const results = modes.map(mode =>
    rounds
      .get(mode)!
      .reduce((best, r) => (contention(r) < contention(best) ? r : best)),
  );
  if (ROUNDS > 1)
    out.push(
      "\nThe details below are of each mode's least contended round (the least CPU used by other processes).",
    );
  for (const r of results) {
    out.push('');
    out.push(`### ${modeTitle(r.mode)}`);
    out.push('');
    out.push(
      `Load average before the run: ${r.loadBefore.toFixed(
        2,
      )}. Other processes on the machine used ${r.create.othersCpuPercent.toFixed(
        0,
      )} % of a core while creating, ${(
        r.lists.reduce((n, l) => n + l.othersCpuPercent, 0) / r.lists.length
      ).toFixed(0)} % while listing and ${r.watch.othersCpuPercent.toFixed(
        0,
      )} % during the watch fan-out (of ${
        os.cpus().length * 100
      } %). ${describeLoad(r.load.before, r.load.after)}`,
    );
    out.push('');
    // The server's CPU time per operation: other work on the machine
    // stretches wall time, much less the CPU a request takes.
    const perOp = (seconds: number, count: number) =>
      `${ms((seconds * 1000) / count)} ms`;
    out.push('| Server CPU per operation | Value |');
    out.push('|---|---|');
    out.push(
      `| create (the API request) | ${perOp(
        r.create.serverCpuSeconds,
        r.create.pods,
      )} |`,
    );
    if (r.create.serverCpuSecondsToRunning !== undefined)
      out.push(
        `| pod created to Running (create, scheduling, kubelet, status writes, Events) | ${perOp(
          r.create.serverCpuSecondsToRunning,
          r.create.pods,
        )} |`,
      );
    out.push(
      `| ${listForAim(r).name} | ${perOp(
        listForAim(r).serverCpuSeconds,
        listForAim(r).runs,
      )} |`,
    );
    if (r.top)
      out.push(
        `| ${r.top.name} | ${perOp(r.top.serverCpuSeconds, r.top.runs)} |`,
      );
    out.push(
      `| watch: a patch and its events to ${
        r.watch.watchers
      } watchers | ${perOp(r.watch.serverCpuSeconds, r.watch.updates)} |`,
    );
    if (r.jobs)
      out.push(
        `| Job created to Complete (its pod started, \`true\` run, ended) | ${perOp(
          r.jobs.serverCpuSeconds,
          r.jobs.jobs,
        )} |`,
      );
    out.push('');
    const c = r.create;
    out.push('| Create | Value |');
    out.push('|---|---|');
    out.push(
      `| ${int(c.pods)} creates | ${c.seconds.toFixed(2)} s, **${int(
        c.perSecond,
      )}/s** |`,
    );
    out.push(
      `| create latency p50 / p95 / p99 | ${ms(c.latency.p50)} / ${ms(
        c.latency.p95,
      )} / ${ms(c.latency.p99)} ms |`,
    );
    if (c.allBoundSeconds !== undefined)
      out.push(
        `| all bound to a node | ${c.allBoundSeconds.toFixed(
          1,
        )} s after the first create |`,
      );
    if (c.allRunningSeconds !== undefined)
      out.push(
        `| all Running | ${c.allRunningSeconds.toFixed(
          1,
        )} s after the first create (${int(
          c.pods / c.allRunningSeconds,
        )} pods/s end to end) |`,
      );
    if (c.nodesUsed !== undefined)
      out.push(
        `| placement | ${c.nodesUsed} nodes, ${c.podsPerNode!.min}–${
          c.podsPerNode!.max
        } pods each |`,
      );
    out.push(
      `| server / client CPU while creating | ${c.serverCpuPercent.toFixed(
        0,
      )} % / ${c.clientCpuPercent.toFixed(0)} % of one core |`,
    );
    out.push(`| failed requests | ${c.failures.describe()} |`);
    out.push('');
    out.push(
      '| List | p50 | p95 | p99 | max | first byte p50 / p95 | items | size | CPU server / client / others |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|');
    const listed = r.top ? [...r.lists, r.top] : r.lists;
    for (const l of listed) {
      out.push(
        `| ${l.name} | ${ms(l.latency.p50)} ms | **${ms(
          l.latency.p95,
        )} ms** | ${ms(l.latency.p99)} ms | ${ms(l.latency.max)} ms | ${
          l.firstByte.count
            ? `${ms(l.firstByte.p50)} / ${ms(l.firstByte.p95)} ms`
            : '–'
        } | ${int(l.items)} | ${
          Number.isNaN(l.bytes) ? '–' : `${(l.bytes / MiB).toFixed(1)} MiB`
        } | ${l.serverCpuPercent.toFixed(0)} / ${l.clientCpuPercent.toFixed(
          0,
        )} / ${l.othersCpuPercent.toFixed(0)} % |`,
      );
    }
    const failedLists = listed.filter(l => l.failures.total);
    if (failedLists.length)
      out.push(
        `\nFailed lists: ${failedLists
          .map(l => l.failures.describe())
          .join('; ')}`,
      );
    if (r.jobs) {
      const j = r.jobs;
      out.push('');
      out.push('| Jobs | Value |');
      out.push('|---|---|');
      out.push(
        `| ${int(j.jobs)} Jobs created | in ${j.createSeconds.toFixed(1)} s |`,
      );
      out.push(
        `| Complete / Failed | ${int(j.completed)} / ${int(j.failedJobs)} |`,
      );
      out.push(
        `| all Complete | **${
          Number.isNaN(j.seconds)
            ? 'not within 300 s'
            : `${j.seconds.toFixed(1)} s`
        }** after the first create |`,
      );
      out.push(
        `| server / client / others CPU | ${j.serverCpuPercent.toFixed(
          0,
        )} / ${j.clientCpuPercent.toFixed(0)} / ${j.othersCpuPercent.toFixed(
          0,
        )} % of one core |`,
      );
      out.push(`| failed requests | ${j.failures.describe()} |`);
    }
    out.push('');
    const w = r.watch;
    out.push('| Watch fan-out | Value |');
    out.push('|---|---|');
    out.push(
      `| ${w.watchers} watchers, ${int(
        w.updates,
      )} label patches | patches took ${w.patchSeconds.toFixed(2)} s (${int(
        w.patchesPerSecond,
      )}/s) |`,
    );
    out.push(
      `| events delivered | ${int(w.deliveredEvents)} of ${int(
        w.expectedEvents,
      )} in ${w.deliverySeconds.toFixed(2)} s: **${int(
        w.eventsPerSecond,
      )}/s** |`,
    );
    out.push(
      `| delay patch sent → event received, p50 / p95 / p99 | ${ms(
        w.delay.p50,
      )} / ${ms(w.delay.p95)} / ${ms(w.delay.p99)} ms (max ${ms(
        w.delay.max,
      )}) |`,
    );
    out.push(`| watches ended early | ${w.endedEarly} |`);
    out.push(
      `| server / client CPU | ${w.serverCpuPercent.toFixed(
        0,
      )} % / ${w.clientCpuPercent.toFixed(0)} % of one core |`,
    );
    out.push(`| failed requests | ${w.failures.describe()} |`);
    out.push('');
    const m = r.memory;
    out.push('| Server memory | Value |');
    out.push('|---|---|');
    out.push(`| resident, idle after start | ${mib(m.idleRss)} |`);
    out.push(
      `| resident, after ${int(PODS)} creates | ${mib(m.afterCreateRss)} (${int(
        m.objects.pods,
      )} pods, ${int(m.objects.events)} events stored) |`,
    );
    out.push(`| resident, after all phases | ${mib(m.afterLoadRss)} |`);
    out.push(`| resident, peak (VmHWM) | **${mib(m.peakRss)}** |`);
    if (m.heapUsed !== undefined)
      out.push(
        `| V8 heap used / total after all phases | ${mib(m.heapUsed)} / ${mib(
          m.heapTotal ?? NaN,
        )} |`,
      );
    if (m.liveHeap !== undefined)
      out.push(
        `| V8 heap live after a full GC / external memory | ${mib(
          m.liveHeap,
        )} / ${mib(m.external ?? NaN)} |`,
      );
    if (m.withoutEvents)
      out.push(
        `| V8 heap live after deleting ${int(
          m.withoutEvents.deleted,
        )} Events (deletecollection took ${m.withoutEvents.seconds.toFixed(
          1,
        )} s) | ${mib(m.withoutEvents.liveHeap)} |`,
      );
    out.push(
      `| server exit | ${
        r.serverExit === 0 ? 'clean (0)' : String(r.serverExit)
      } |`,
    );
    if (r.profile) log(`[${r.mode}] CPU profile in ${r.profile}`);
    const samples = [
      ...c.failures.samples,
      ...r.lists.flatMap(l => l.failures.samples),
      ...w.failures.samples,
    ];
    if (samples.length) {
      out.push('');
      out.push('First failures:');
      out.push('');
      for (const s of samples)
        out.push(`- \`${s.replace(/`/g, "'").replace(/\n/g, ' ')}\``);
    }
  }
  return out.join('\n');
}

function modeTitle(mode: Mode): string {
  return mode === 'workloads'
    ? 'Workloads on (18 nodes, scheduler, kubelets)'
    : 'API only (runWorkloads: false)';
}

async function main(): Promise<void> {
  const rounds = new Map<Mode, RunResult[]>(MODES.map(m => [m, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      if (ROUNDS > 1) log(`round ${round} of ${ROUNDS}`);
      rounds.get(mode)!.push(await run(mode));
    }
  }
  const text = report(rounds);
  publishReport(
    text,
    {
      heading: 'Dev cluster',
      start: '<!-- bench:results:start -->',
      end: '<!-- bench:results:end -->',
    },
    { write },
  );
}

main().catch(error => {
  log(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}`,
  );
  process.exitCode = 1;
});
