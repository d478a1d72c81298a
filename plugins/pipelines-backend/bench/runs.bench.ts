/*
 * Benchmark of the Pipelines backend (issue 4): 10,000 finished and 1,000
 * running PipelineRuns of one entity.
 *
 * Not a test: it measures and reports, and fails only if something breaks.
 * It starts the dev cluster as a child process (bench/cluster.ts) with
 * Tekton's CRDs and a counting proxy in front of it, fills it with runs and
 * their TaskRuns (status written through the status subresource, as Tekton's
 * controller writes it; the controller itself does not run), then starts a
 * Backstage backend in this process with the pipelines backend, the
 * Backstage Kubernetes backend (configured with Tekton's custom resources as
 * the community Tekton plugin's docs ask), real sign-in and tokens (auth
 * backend, guest provider), the permission backend with Cairn's policy, and a
 * catalog holding the entity. It measures, over HTTP with a user's token:
 *
 *   1. warm-up: the time and the Kubernetes API calls and bytes until the
 *      backend serves the first complete runs page (its initial lists), and
 *      the log archiver's start-up pass over the finished runs;
 *   2. a page of the runs list (p50/p95), and the cross-entity list if the
 *      backend has one;
 *   3. the delay from a status patch in the cluster to its event on open
 *      `GET /runs/events` streams (one, and several at once);
 *   4. log streaming throughput of a step that wrote many MB;
 *   5. the backend's memory (this process: resident set and V8 heap);
 *   6. side by side, the community Tekton plugin's data path: `POST
 *      /api/kubernetes/services/<name>`, its latency, and for both paths the
 *      Kubernetes API calls and response bytes per page view, counted at the
 *      proxy.
 *
 * Run from the repository root:
 *
 *   yarn workspace @cairn/plugin-pipelines-backend bench [options]
 *
 * Options: --finished N (10000), --running N (1000), --tasks N (3 TaskRuns
 * per finished run), --page-views N (200), --k8s-views N (5), --streams N
 * (10), --changes N (30 status changes per stream setting), --log-mib N (16),
 * --semi-space-mib N (16: V8's young generation as Node sizes it in a
 * container with a 1 GiB memory limit; 64 is V8's own bound on the 24 GiB
 * machine of docs/benchmarks.md),
 * --concurrency N (16 runs created at once), --archive-wait S (60: the
 * longest wait for the log archiver's start-up pass to go quiet),
 * --warm-up-wait S (900: the longest wait for the backend to serve every run), --rounds N (1: each in a
 * process of its own, on a fresh cluster and backend, so every round starts
 * with a clean heap and native memory; aims judged on the median round), --no-write
 * (do not refresh docs/benchmarks.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { KubeConfig } from '@kubernetes/client-node';
import knexFactory from 'knex';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import type { RunsPage } from '@cairn/plugin-pipelines-common';
import {
  announceReady,
  BenchChild,
  NODE_TRANSFORM,
  REPO_ROOT,
  cleanUpOnExit,
  codeVersion,
  describeLoad,
  loadAverage,
  log,
  machine,
  median,
  pool,
  benchOptions,
  POSTGRES_URL_OPTION,
  positiveInt,
  summarize,
  publishReport,
} from '@cairn/bench-support';
import { devClusterKubernetesConfig } from './kubernetesConfig';
import type { Summary } from '@cairn/bench-support';
// Real sign-in and token checks, and the permission backend with Cairn's
// policy, as in the portal (devDependencies: the benchmark only).
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import permissionPlugin from '@backstage/plugin-permission-backend';
import permissionModuleCairnPolicy from '@cairn/plugin-permission-backend-module-cairn';
import { pipelinesPlugin } from '../src/plugin';
import type { ClusterMessage, ClusterReady, RequestCounts } from './cluster';

// ---------------------------------------------------------------------------
// Options

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: {
    finished: 10000,
    running: 1000,
    tasks: 3,
    'page-views': 200,
    'k8s-views': 5,
    streams: 10,
    changes: 30,
    'log-mib': 16,
    concurrency: 16,
    'archive-wait': 60,
    'warm-up-wait': 900,
    rounds: 1,
    'semi-space-mib': 16,
  },
  others: {
    // Where the backend keeps its data (the log archive above all): PostgreSQL
    // as in production, or SQLite in memory, which counts the archive in the
    // backend's own resident memory.
    database: { type: 'string', default: 'postgres' },
    'postgres-url': POSTGRES_URL_OPTION,
    // Internal: run only the fill against this admin kubeconfig, in a
    // process of its own so its memory is not counted as the backend's.
    'fill-kubeconfig': { type: 'string' },
    // Internal: run only this round, in a process of its own (see roundInChild).
    round: { type: 'string' },
  },
});

const FINISHED = counts.finished;
const RUNNING = counts.running;
const TASKS = counts.tasks;
const PAGE_VIEWS = counts['page-views'];
const K8S_VIEWS = counts['k8s-views'];
const STREAMS = counts.streams;
const CHANGES = counts.changes;
const LOG_MIB = counts['log-mib'];
const CONCURRENCY = counts.concurrency;
const ARCHIVE_WAIT_S = counts['archive-wait'];
const WARM_UP_WAIT_S = counts['warm-up-wait'];
const ROUNDS = counts.rounds;
const SEMI_SPACE_MIB = counts['semi-space-mib'];
if (args.database !== 'postgres' && args.database !== 'sqlite-memory') {
  throw new Error(
    `--database must be postgres or sqlite-memory, got "${args.database}"`,
  );
}
const DATABASE = args.database;
const POSTGRES_URL = args['postgres-url'];

const CLUSTER_ENTRY = path.join(__dirname, 'cluster.ts');
const NAMESPACE = 'ci';
const ENTITY_NAME = 'shop';
const ENTITY_REF = `component:default/${ENTITY_NAME}`;
const USER_REF = 'user:default/bench-user';
const PIPELINES = ['build', 'test', 'release', 'nightly', 'docs'];
const MiB = 1024 ** 2;

const AIMS = {
  pageP95Ms: 150,
  eventDelayMs: 1000,
  backendBytes: 500 * 1000 ** 2,
  fewerCallsAndBytes: 10,
};

const { tempDirs, children } = cleanUpOnExit();

// ---------------------------------------------------------------------------
// Statistics

const ms = (n: number): string => {
  if (Number.isNaN(n)) return '–';
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
};
const int = (n: number): string =>
  Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US');
const mib = (n: number): string =>
  Number.isNaN(n) ? '–' : `${(n / MiB).toFixed(0)} MiB`;
const kib = (n: number): string => {
  if (Number.isNaN(n)) return '–';
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n.toFixed(1)} B`;
};
/** How many times `b` is `a`; beyond a million it is only "more than". */
const ratio = (a: number, b: number): string => {
  if (!(a > 0)) return '∞';
  if (b / a > 1e6) return '> 1,000,000×';
  return `${b / a >= 100 ? int(b / a) : (b / a).toFixed(1)}×`;
};

// ---------------------------------------------------------------------------
// The cluster process

class ClusterProcess {
  private constructor(private readonly helper: BenchChild<ClusterReady>) {}

  static async start(stateDir: string): Promise<ClusterProcess> {
    const helper = await BenchChild.start<ClusterReady>({
      name: 'the dev cluster',
      entry: CLUSTER_ENTRY,
      args: ['--state-dir', stateDir],
      startTimeoutMs: 90_000,
      children,
      onUnexpectedExit: (description, stderr) =>
        log(`${description}:\n${stderr}`),
    });
    return new ClusterProcess(helper);
  }

  get info(): ClusterReady {
    return this.helper.ready;
  }

  private ask<T>(type: ClusterMessage['type']): Promise<T> {
    return this.helper.request<T>({ type });
  }

  /** Requests and bytes the proxy has counted so far. */
  async counts(): Promise<RequestCounts> {
    return (await this.ask<{ counts: RequestCounts }>('counts')).counts;
  }

  async rss(): Promise<number> {
    return (await this.ask<{ rss: number }>('memory')).rss;
  }

  stop(): Promise<number | null> {
    return this.helper.stop();
  }
}

interface Traffic {
  requests: number;
  bytes: number;
  /** `<verb> <resource>` → requests, largest first. */
  byKind: Array<[string, number]>;
}

/** The traffic between two snapshots, optionally only of some kinds. */
function trafficBetween(
  before: RequestCounts,
  after: RequestCounts,
  include: (kind: string) => boolean = () => true,
): Traffic {
  let requests = 0;
  let bytes = 0;
  const byKind: Array<[string, number]> = [];
  for (const [kind, now] of Object.entries(after)) {
    if (!include(kind)) continue;
    const was = before[kind] ?? { requests: 0, bytes: 0 };
    requests += now.requests - was.requests;
    bytes += now.bytes - was.bytes;
    if (now.requests > was.requests)
      byKind.push([kind, now.requests - was.requests]);
  }
  byKind.sort((a, b) => b[1] - a[1]);
  return { requests, bytes, byKind };
}

const describeKinds = (t: Traffic): string =>
  t.byKind.map(([kind, n]) => `${int(n)} ${kind}`).join(', ') || 'none';

// ---------------------------------------------------------------------------
// HTTP clients: the cluster (as admin, uncounted) and the backend (as a user)

interface Response {
  status: number;
  body: Buffer;
  ms: number;
}

function send(
  agent: http.Agent,
  target: URL,
  method: string,
  pathAndQuery: string,
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<Response> {
  const started = performance.now();
  const body =
    options.body === undefined ? undefined : JSON.stringify(options.body);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: pathAndQuery,
        agent,
        headers: {
          Accept: 'application/json',
          ...(body === undefined
            ? {}
            : {
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
              }),
          ...options.headers,
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
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
    // A hung request is a failure to report, not a benchmark that never ends.
    const timeoutMs = options.timeoutMs ?? 180_000;
    req.setTimeout(timeoutMs, () =>
      req.destroy(
        new Error(`${method} ${pathAndQuery}: no answer in ${timeoutMs} ms`),
      ),
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function expectOk(
  what: string,
  response: Promise<Response>,
): Promise<Response> {
  const res = await response;
  if (res.status >= 300) {
    throw new Error(
      `${what}: HTTP ${res.status} ${res.body.toString().slice(0, 500)}`,
    );
  }
  return res;
}

class ClusterClient {
  readonly url: URL;
  readonly agent: https.Agent;

  constructor(kubeconfig: string) {
    const config = new KubeConfig();
    config.loadFromString(kubeconfig);
    const cluster = config.getCurrentCluster()!;
    const user = config.getCurrentUser()!;
    const decode = (data?: string) =>
      data ? Buffer.from(data, 'base64') : undefined;
    this.url = new URL(cluster.server);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 64,
      ca: decode(cluster.caData),
      cert: decode(user.certData),
      key: decode(user.keyData),
    });
  }

  request(
    what: string,
    method: string,
    pathAndQuery: string,
    body?: unknown,
    contentType?: string,
  ): Promise<Response> {
    return expectOk(
      what,
      send(this.agent, this.url, method, pathAndQuery, {
        body,
        headers: contentType ? { 'Content-Type': contentType } : {},
      }),
    );
  }

  async json<T = any>(
    what: string,
    method: string,
    pathAndQuery: string,
    body?: unknown,
    contentType?: string,
  ): Promise<T> {
    const res = await this.request(
      what,
      method,
      pathAndQuery,
      body,
      contentType,
    );
    return JSON.parse(res.body.toString()) as T;
  }

  /** Merge-patches an object's status through the status subresource. */
  patchStatus(plural: string, name: string, status: object): Promise<unknown> {
    return this.request(
      `status of ${plural}/${name}`,
      'PATCH',
      `/apis/tekton.dev/v1/namespaces/${NAMESPACE}/${plural}/${name}/status`,
      { status },
      'application/merge-patch+json',
    );
  }
}

// ---------------------------------------------------------------------------
// The runs: objects shaped as Tekton's controller leaves them

const ENTITY_LABELS = { 'backstage.io/kubernetes-id': ENTITY_NAME };
const TASK_NAMES = ['fetch', 'compile', 'unit-test', 'image', 'scan', 'deploy'];

const taskName = (t: number): string =>
  TASK_NAMES[t % TASK_NAMES.length] + (t >= TASK_NAMES.length ? `-${t}` : '');

function pipelineSpec(tasks: number) {
  return {
    params: [
      { name: 'revision', type: 'string', default: 'main' },
      { name: 'flags', type: 'array', default: ['--verbose'] },
    ],
    tasks: Array.from({ length: tasks }, (_, t) => ({
      name: taskName(t),
      ...(t > 0 ? { runAfter: [taskName(t - 1)] } : {}),
      params: [{ name: 'revision', value: '$(params.revision)' }],
      taskSpec: taskSpec(t),
    })),
  };
}

function taskSpec(t: number) {
  return {
    params: [{ name: 'revision', type: 'string' }],
    steps: [
      {
        name: 'run',
        image: 'alpine',
        script: `#!/bin/sh\nset -e\necho "${taskName(
          t,
        )} at $(params.revision)"\n./ci/${taskName(t)}.sh\n`,
      },
    ],
  };
}

const iso = (epochMs: number): string =>
  new Date(epochMs).toISOString().replace(/\.\d+Z$/, 'Z');

type RunState = 'succeeded' | 'failed' | 'cancelled' | 'running';

/** Roughly the mix of a busy CI: most pass, some fail, a few are cancelled. */
function finishedState(i: number): RunState {
  if (i % 20 === 7) return 'cancelled';
  if (i % 7 === 3) return 'failed';
  return 'succeeded';
}

interface PlannedRun {
  name: string;
  pipeline: string;
  state: RunState;
  startMs: number;
}

function planRuns(now: number): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (let i = 0; i < FINISHED; i++) {
    const pipeline = PIPELINES[i % PIPELINES.length];
    runs.push({
      name: `${pipeline}-f${i}`,
      pipeline,
      state: finishedState(i),
      // Over the last 30 days, oldest first.
      startMs: now - 30 * 86_400_000 + (i * 30 * 86_400_000) / FINISHED,
    });
  }
  for (let i = 0; i < RUNNING; i++) {
    const pipeline = PIPELINES[i % PIPELINES.length];
    runs.push({
      name: `${pipeline}-r${i}`,
      pipeline,
      state: 'running',
      startMs: now - 600_000 + (i * 600_000) / RUNNING,
    });
  }
  return runs;
}

function condition(state: RunState, kind: 'PipelineRun' | 'TaskRun') {
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  switch (state) {
    case 'succeeded':
      return {
        type: 'Succeeded',
        status: 'True',
        reason: 'Succeeded',
        message:
          kind === 'PipelineRun'
            ? `Tasks Completed: ${TASKS} (Failed: 0, Cancelled 0), Skipped: 0`
            : 'All Steps have completed executing',
        lastTransitionTime: at,
      };
    case 'failed':
      return {
        type: 'Succeeded',
        status: 'False',
        reason: 'Failed',
        message:
          kind === 'PipelineRun'
            ? `Tasks Completed: ${TASKS} (Failed: 1, Cancelled 0), Skipped: 0`
            : '"step-run" exited with code 1',
        lastTransitionTime: at,
      };
    case 'cancelled':
      return {
        type: 'Succeeded',
        status: 'False',
        reason: 'Cancelled',
        message:
          kind === 'PipelineRun'
            ? 'PipelineRun "x" was cancelled'
            : 'TaskRun "x" was cancelled',
        lastTransitionTime: at,
      };
    default:
      return {
        type: 'Succeeded',
        status: 'Unknown',
        reason: 'Running',
        message:
          kind === 'PipelineRun'
            ? `Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: ${
                TASKS - 1
              }, Skipped: 0`
            : 'Not all Steps in the Task have finished executing',
        lastTransitionTime: at,
      };
  }
}

/** Each TaskRun's state: a failed run fails in its last task, a running one runs its second. */
function taskStates(run: PlannedRun): RunState[] {
  if (run.state === 'running') {
    return TASKS === 1 ? ['running'] : ['succeeded', 'running'];
  }
  return Array.from({ length: TASKS }, (_, t) =>
    t === TASKS - 1 && run.state !== 'succeeded' ? run.state : 'succeeded',
  );
}

function pipelineRunObject(run: PlannedRun) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      name: run.name,
      namespace: NAMESPACE,
      labels: {
        ...ENTITY_LABELS,
        'tekton.dev/pipeline': run.pipeline,
        'triggers.tekton.dev/eventlistener': 'github',
        'triggers.tekton.dev/trigger': 'push',
      },
      annotations: { 'cairn.dev/commit': 'a1b2c3d4e5f6' },
    },
    spec: {
      pipelineRef: { name: run.pipeline },
      params: [
        { name: 'revision', value: 'a1b2c3d4e5f6' },
        { name: 'flags', value: ['--verbose', '--ci'] },
      ],
      timeouts: { pipeline: '1h0m0s' },
      taskRunTemplate: { serviceAccountName: 'default' },
    },
  };
}

function taskRunObject(run: PlannedRun, uid: string, t: number) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    metadata: {
      name: `${run.name}-${taskName(t)}`,
      namespace: NAMESPACE,
      labels: {
        ...ENTITY_LABELS,
        'app.kubernetes.io/managed-by': 'tekton-pipelines',
        'tekton.dev/memberOf': 'tasks',
        'tekton.dev/pipeline': run.pipeline,
        'tekton.dev/pipelineRun': run.name,
        'tekton.dev/pipelineRunUID': uid,
        'tekton.dev/pipelineTask': taskName(t),
      },
      ownerReferences: [
        {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          name: run.name,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      params: [{ name: 'revision', value: 'a1b2c3d4e5f6' }],
      serviceAccountName: 'default',
      taskSpec: taskSpec(t),
      timeout: '1h0m0s',
    },
  };
}

function taskRunStatus(run: PlannedRun, t: number, state: RunState) {
  const start = run.startMs + t * 60_000;
  const finished = state !== 'running';
  return {
    conditions: [condition(state, 'TaskRun')],
    podName: `${run.name}-${taskName(t)}-pod`,
    startTime: iso(start),
    ...(finished ? { completionTime: iso(start + 55_000) } : {}),
    steps: [
      {
        name: 'run',
        container: 'step-run',
        imageID:
          'docker.io/library/alpine@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1',
        ...(finished
          ? {
              terminated: {
                exitCode: state === 'failed' ? 1 : 0,
                reason: state === 'failed' ? 'Error' : 'Completed',
                startedAt: iso(start + 2_000),
                finishedAt: iso(start + 54_000),
                containerID: `containerd://${run.name}-${t}`,
              },
            }
          : { running: { startedAt: iso(start + 2_000) } }),
      },
    ],
    taskSpec: taskSpec(t),
    provenance: { featureFlags: { enableAPIFields: 'beta' } },
  };
}

function pipelineRunStatus(run: PlannedRun, states: RunState[]) {
  const finished = run.state !== 'running';
  return {
    conditions: [condition(run.state, 'PipelineRun')],
    startTime: iso(run.startMs),
    ...(finished ? { completionTime: iso(run.startMs + TASKS * 60_000) } : {}),
    pipelineSpec: pipelineSpec(TASKS),
    childReferences: states.map((_, t) => ({
      apiVersion: 'tekton.dev/v1',
      kind: 'TaskRun',
      name: `${run.name}-${taskName(t)}`,
      pipelineTaskName: taskName(t),
    })),
    provenance: { featureFlags: { enableAPIFields: 'beta' } },
  };
}

async function createRun(cluster: ClusterClient, run: PlannedRun) {
  const base = `/apis/tekton.dev/v1/namespaces/${NAMESPACE}`;
  const created = await cluster.json(
    `create pipelinerun ${run.name}`,
    'POST',
    `${base}/pipelineruns`,
    pipelineRunObject(run),
  );
  const states = taskStates(run);
  for (let t = 0; t < states.length; t++) {
    await cluster.request(
      `create taskrun of ${run.name}`,
      'POST',
      `${base}/taskruns`,
      taskRunObject(run, created.metadata.uid, t),
    );
    await cluster.patchStatus(
      'taskruns',
      `${run.name}-${taskName(t)}`,
      taskRunStatus(run, t, states[t]),
    );
  }
  await cluster.patchStatus(
    'pipelineruns',
    run.name,
    pipelineRunStatus(run, states),
  );
}

interface FillResult {
  seconds: number;
  failures: string[];
}

/** Creates every planned run with bounded concurrency (the fill process). */
async function fillRuns(cluster: ClusterClient): Promise<FillResult> {
  const runs = planRuns(Date.now());
  const failures: string[] = [];
  const started = performance.now();
  let done = 0;
  await pool(runs.length, CONCURRENCY, async index => {
    try {
      await createRun(cluster, runs[index]);
      if (++done % 2000 === 0) log(`  ${int(done)} runs`);
    } catch (error) {
      failures.push(String(error));
    }
  });
  return { seconds: (performance.now() - started) / 1000, failures };
}

/** Runs {@link fillRuns} in a child process; its result is its stdout. */
async function runFill(kubeconfigPath: string): Promise<FillResult> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      NODE_TRANSFORM,
      __filename,
      '--fill-kubeconfig',
      kubeconfigPath,
      ...['--finished', String(FINISHED), '--running', String(RUNNING)],
      ...['--tasks', String(TASKS), '--concurrency', String(CONCURRENCY)],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>(resolve =>
    child.once('exit', resolve),
  );
  children.delete(child);
  if (code !== 0) throw new Error(`the fill process exited with ${code}`);
  return JSON.parse(out) as FillResult;
}

// ---------------------------------------------------------------------------
// The backend under test

interface Backend {
  url: URL;
  agent: http.Agent;
  token: string;
  stop(): Promise<void>;
}

async function startBackend(
  cluster: ClusterReady,
  serviceAccountToken: string,
  caData: string,
): Promise<Backend> {
  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: ENTITY_NAME,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': ENTITY_NAME,
        'backstage.io/kubernetes-namespace': NAMESPACE,
        'cairn.dev/pipelines': 'true',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
  const user = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'bench-user', namespace: 'default' },
    spec: { memberOf: ['team-a'] },
  };
  // One database per plugin under a prefix of this run's own, dropped on stop.
  const databasePrefix = `cairn_bench_${process.pid}_${Date.now()}_`;
  const testBackend = await startTestBackend({
    features: [
      pipelinesPlugin,
      kubernetesPlugin,
      authPlugin,
      guestProviderModule,
      permissionPlugin,
      permissionModuleCairnPolicy,
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      catalogServiceMock.factory({ entities: [entity, user] }),
      ...(DATABASE === 'postgres' ? [databaseServiceFactory] : []),
      // The backend's warnings show (a failing watch, archiving errors, and
      // the kinds the dev cluster does not serve on each kubernetes fetch).
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: {
            baseUrl: 'http://localhost:7007',
            ...(DATABASE === 'postgres'
              ? {
                  database: {
                    client: 'pg',
                    connection: POSTGRES_URL,
                    prefix: databasePrefix,
                  },
                }
              : {}),
          },
          auth: {
            providers: {
              guest: {
                userEntityRef: USER_REF,
                dangerouslyAllowOutsideDevelopment: true,
              },
            },
          },
          permission: { enabled: true },
          cairn: { permission: { opsGroups: ['group:default/ops'] } },
          kubernetes: {
            ...devClusterKubernetesConfig({
              url: cluster.proxyUrl,
              serviceAccountToken,
              caData,
            }),
            // As the community Tekton plugin's docs ask.
            customResources: [
              { group: 'tekton.dev', apiVersion: 'v1', plural: 'pipelineruns' },
              { group: 'tekton.dev', apiVersion: 'v1', plural: 'taskruns' },
            ],
          },
        },
      }),
    ],
  });
  const { port } = testBackend.server.address() as { port: number };
  const url = new URL(`http://127.0.0.1:${port}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const signIn = await expectOk(
    'guest sign-in',
    send(agent, url, 'POST', '/api/auth/guest/refresh', {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    }),
  );
  const token = JSON.parse(signIn.body.toString()).backstageIdentity
    .token as string;
  return {
    url,
    agent,
    token,
    async stop() {
      agent.destroy();
      await testBackend.stop();
      if (DATABASE === 'postgres') await dropDatabases(databasePrefix);
    },
  };
}

async function dropDatabases(prefix: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
  try {
    const { rows } = await admin.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows as Array<{ datname: string }>) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

function backendGet(backend: Backend, pathAndQuery: string): Promise<Response> {
  return send(backend.agent, backend.url, 'GET', pathAndQuery, {
    headers: { Authorization: `Bearer ${backend.token}` },
  });
}

const runsPath = (query: Record<string, string>) =>
  `/api/pipelines/runs?${new URLSearchParams(query)}`;

// ---------------------------------------------------------------------------
// Event streams

/** An open `GET /runs/events` stream that records when each run's event arrived. */
class EventStream {
  private readonly waiters = new Map<string, (at: number) => void>();
  private buffer = '';
  private request?: http.ClientRequest;

  static open(backend: Backend): Promise<EventStream> {
    const stream = new EventStream();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: backend.url.hostname,
          port: backend.url.port,
          path: `/api/pipelines/runs/events?entityRef=${encodeURIComponent(
            ENTITY_REF,
          )}`,
          headers: {
            Authorization: `Bearer ${backend.token}`,
            Accept: 'text/event-stream',
          },
        },
        res => {
          if (res.statusCode !== 200) {
            reject(new Error(`event stream: HTTP ${res.statusCode}`));
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => stream.received(chunk));
          res.on('error', () => {});
          resolve(stream);
        },
      );
      req.on('error', reject);
      req.end();
      stream.request = req;
    });
  }

  private received(chunk: string): void {
    const at = performance.now();
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = event
        .split('\n')
        .find(line => line.startsWith('data: '))
        ?.slice(6);
      if (data) {
        const name = (JSON.parse(data) as { name?: string }).name;
        if (name) this.waiters.get(name)?.(at);
      }
      end = this.buffer.indexOf('\n\n');
    }
  }

  /** When the next event of run `name` arrives (performance.now()), or NaN on timeout. */
  next(name: string, timeoutMs: number): Promise<number> {
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.waiters.delete(name);
        resolve(NaN);
      }, timeoutMs);
      this.waiters.set(name, at => {
        clearTimeout(timer);
        this.waiters.delete(name);
        resolve(at);
      });
    });
  }

  close(): void {
    this.request?.destroy();
  }
}

// ---------------------------------------------------------------------------
// Memory of this process (the backend)

/** V8's gc(), reachable without --expose-gc on the command line. */
function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function residentSet(): { rss: number; peak: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/**
 * Resident bytes of the C heap (glibc's main arena, the `[heap]` mapping),
 * where Buffers, TLS and other native allocations of the main thread live.
 */
function cHeapResident(): number {
  const lines = readFileSync('/proc/self/smaps', 'utf8').split('\n');
  const at = lines.findIndex(line => line.endsWith('[heap]'));
  if (at < 0) return 0;
  const rss = lines.slice(at + 1).find(line => line.startsWith('Rss:'));
  return Number(/(\d+) kB/.exec(rss ?? '')?.[1] ?? 0) * 1024;
}

// ---------------------------------------------------------------------------
// One round

interface RoundResult {
  fill: { runs: number; taskRuns: number; seconds: number; failures: string[] };
  warmUp: { seconds: number; traffic: Traffic; totalCount: number };
  archive: {
    seconds: number;
    traffic: Traffic;
    quiet: boolean;
    /** Pod log reads while the page views were measured (not counted there). */
    duringViews: number;
    /** Pod log reads from the backend's start to the end of the round. */
    total: number;
  };
  page: { latency: Summary; traffic: Traffic; bytes: number };
  runningPage: Summary;
  crossEntity: { latency?: Summary; status: number; totalCount?: number };
  events: Array<{ streams: number; delay: Summary; missed: number }>;
  logs: {
    bytes: number;
    followedMiBps: number[];
    wholeMiBps: number[];
    directMiBps: number[];
  };
  memory: {
    /** Resident set and V8 heap before the backend started (after a GC). */
    before: number;
    heapBefore: number;
    /** The same once every run is served, before any kubernetes-backend fetch. */
    rss: number;
    heapUsed: number;
    /** V8's heap as committed (resident), and its young generation's part. */
    heapCommitted: number;
    youngGeneration: number;
    /** The C heap before the backend started, and after loading the runs. */
    cHeapBefore: number;
    cHeap: number;
    peakAfterK8s: number;
  };
  k8s: {
    latency: Summary;
    traffic: Traffic;
    bytes: number;
    failures: number;
    /** Paths the dev cluster answered 404 (kinds it does not serve). */
    notServed: string[];
  };
  clusterRss: number;
  failures: string[];
}

async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: T | undefined;
    try {
      last = await read();
      if (done(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(last)?.slice(0, 500)}`,
      );
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

async function setUpAccess(cluster: ClusterClient): Promise<string> {
  // The portal's service account, with the read access the kubernetes
  // backend needs (every kind it lists) and the pipelines backend needs.
  await cluster.request('namespace', 'POST', '/api/v1/namespaces', {
    metadata: { name: 'cairn-system' },
  });
  await cluster.request('namespace', 'POST', '/api/v1/namespaces', {
    metadata: { name: NAMESPACE },
  });
  await cluster.request(
    'service account',
    'POST',
    '/api/v1/namespaces/cairn-system/serviceaccounts',
    { metadata: { name: 'cairn-portal' } },
  );
  await cluster.request(
    'cluster role',
    'POST',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    {
      metadata: { name: 'cairn-portal-read' },
      rules: [
        {
          apiGroups: ['*'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
  );
  await cluster.request(
    'cluster role binding',
    'POST',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    {
      metadata: { name: 'cairn-portal-read' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cairn-portal-read',
      },
      subjects: [
        {
          kind: 'ServiceAccount',
          name: 'cairn-portal',
          namespace: 'cairn-system',
        },
      ],
    },
  );
  const review = await cluster.json(
    'service account token',
    'POST',
    '/api/v1/namespaces/cairn-system/serviceaccounts/cairn-portal/token',
    { spec: { audiences: [], expirationSeconds: 86_400 } },
  );
  return review.status.token as string;
}

/** A pod whose one step writes `LOG_MIB` MiB, and a run whose TaskRuns point at it. */
async function createLogRun(cluster: ClusterClient): Promise<number> {
  const bytes = LOG_MIB * MiB;
  await cluster.request(
    'log pod',
    'POST',
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    {
      metadata: { name: 'bench-logs-pod', labels: ENTITY_LABELS },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'step-write',
            image: 'alpine',
            command: [
              'sh',
              '-c',
              `yes '2026-01-01T00:00:00Z [build] compiling module 0123456789 abcdefghijklmnopqrstuvwxyz' | head -c ${bytes}`,
            ],
          },
        ],
      },
    },
  );
  await waitUntil(
    'the log pod to finish writing',
    () =>
      cluster.json(
        'log pod',
        'GET',
        `/api/v1/namespaces/${NAMESPACE}/pods/bench-logs-pod`,
      ),
    pod => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed',
    120_000,
  );
  const run: PlannedRun = {
    name: 'bench-logs',
    pipeline: 'build',
    state: 'running',
    startMs: Date.now(),
  };
  const base = `/apis/tekton.dev/v1/namespaces/${NAMESPACE}`;
  const created = await cluster.json(
    'log run',
    'POST',
    `${base}/pipelineruns`,
    pipelineRunObject(run),
  );
  // Two TaskRuns on the same pod: one whose step still runs (the log is
  // followed from the archive as it grows), one whose step ended (read whole).
  for (const [t, state] of [
    [0, 'running'],
    [1, 'succeeded'],
  ] as const) {
    await cluster.request(
      'log taskrun',
      'POST',
      `${base}/taskruns`,
      taskRunObject(run, created.metadata.uid, t),
    );
    await cluster.patchStatus('taskruns', `${run.name}-${taskName(t)}`, {
      ...taskRunStatus(run, t, state),
      podName: 'bench-logs-pod',
      steps: [
        {
          ...taskRunStatus(run, t, state).steps[0],
          name: 'write',
          container: 'step-write',
        },
      ],
    });
  }
  await cluster.patchStatus(
    'pipelineruns',
    run.name,
    pipelineRunStatus(run, ['running', 'succeeded']),
  );
  return bytes;
}

async function round(roundNumber: number): Promise<RoundResult> {
  const failures: string[] = [];
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-runs-bench-'));
  tempDirs.add(stateDir);
  log(`[round ${roundNumber}] starting the dev cluster`);
  const clusterProcess = await ClusterProcess.start(stateDir);
  const cluster = new ClusterClient(clusterProcess.info.kubeconfig);
  let backend: Backend | undefined;
  const streams: EventStream[] = [];
  try {
    const token = await setUpAccess(cluster);
    for (const pipeline of PIPELINES) {
      await cluster.request(
        'pipeline',
        'POST',
        `/apis/tekton.dev/v1/namespaces/${NAMESPACE}/pipelines`,
        {
          apiVersion: 'tekton.dev/v1',
          kind: 'Pipeline',
          metadata: { name: pipeline, labels: ENTITY_LABELS },
          spec: pipelineSpec(TASKS),
        },
      );
    }

    // Fill
    const runs = planRuns(Date.now());
    log(
      `[round ${roundNumber}] creating ${int(FINISHED)} finished and ${int(
        RUNNING,
      )} running PipelineRuns with their TaskRuns`,
    );
    const fill = await runFill(path.join(stateDir, 'kubeconfig'));
    const fillFailures = fill.failures;
    const fillSeconds = fill.seconds;
    const taskRuns = runs.reduce((n, r) => n + taskStates(r).length, 0);
    log(
      `[round ${roundNumber}] filled in ${fillSeconds.toFixed(0)} s (${
        fillFailures.length
      } failures)`,
    );
    if (fillFailures.length > runs.length / 100)
      throw new Error(
        `creating the runs failed ${fillFailures.length} times; first: ${fillFailures[0]}`,
      );
    const logBytes = await createLogRun(cluster);
    const caData = new KubeConfig();
    caData.loadFromString(clusterProcess.info.kubeconfig);
    const clusterCa = caData.getCurrentCluster()!.caData!;

    // Warm-up
    const collectGarbage = gcFunction();
    collectGarbage();
    const before = residentSet().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const cHeapBefore = cHeapResident();
    const beforeBackend = await clusterProcess.counts();
    const warmUpStarted = performance.now();
    log(`[round ${roundNumber}] starting the backend`);
    backend = await startBackend(clusterProcess.info, token, clusterCa);
    const started = backend;
    const expected = runs.length + 1;
    let lastProgress = performance.now();
    const firstPage = await waitUntil(
      'the backend to serve every run',
      async () => {
        const res = await backendGet(
          started,
          runsPath({ entityRef: ENTITY_REF, limit: '25' }),
        );
        const page =
          res.status === 200
            ? (JSON.parse(res.body.toString()) as RunsPage)
            : undefined;
        if (performance.now() - lastProgress > 10_000) {
          lastProgress = performance.now();
          log(
            `  HTTP ${res.status}, ${
              page
                ? `${int(page.totalCount)} runs`
                : res.body.toString().slice(0, 200)
            } after ${((performance.now() - warmUpStarted) / 1000).toFixed(
              0,
            )} s`,
          );
        }
        return page;
      },
      page => (page?.totalCount ?? 0) >= expected,
      WARM_UP_WAIT_S * 1000,
    );
    const warmUpSeconds = (performance.now() - warmUpStarted) / 1000;
    const afterWarmUp = await clusterProcess.counts();
    const isLogRead = (kind: string) => kind === 'get pods/log';
    const warmUpTraffic = trafficBetween(
      beforeBackend,
      afterWarmUp,
      kind => !isLogRead(kind),
    );
    log(
      `[round ${roundNumber}] backend serves ${int(
        firstPage!.totalCount,
      )} runs after ${warmUpSeconds.toFixed(1)} s`,
    );

    // The archiver's start-up pass over the finished runs: wait until it
    // has not read a pod log for 3 s.
    log(`[round ${roundNumber}] waiting for the log archiver's start-up pass`);
    const archiveStarted = performance.now();
    let lastReads = -1;
    let quietSince = performance.now();
    let quiet = false;
    while (performance.now() - archiveStarted < ARCHIVE_WAIT_S * 1000) {
      const reads =
        (await clusterProcess.counts())['get pods/log']?.requests ?? 0;
      if (reads !== lastReads) {
        lastReads = reads;
        quietSince = performance.now();
      } else if (performance.now() - quietSince > 3000 && reads > 0) {
        quiet = true;
        break;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    const archiveSeconds = (quietSince - warmUpStarted) / 1000;
    const afterArchive = await clusterProcess.counts();
    const archiveTraffic = trafficBetween(
      beforeBackend,
      afterArchive,
      isLogRead,
    );
    log(
      `[round ${roundNumber}] archiver: ${int(
        archiveTraffic.requests,
      )} pod log reads, ${
        quiet ? 'done' : 'still running'
      } after ${archiveSeconds.toFixed(0)} s`,
    );

    // Memory after loading the runs. V8 hands the pages a full GC freed
    // back to the system from a background thread, some time after the GC:
    // read at once, one round of three still counted 100 MiB of them. So
    // the GC is repeated after a pause, and the memory read after another.
    collectGarbage();
    await new Promise(resolve => setTimeout(resolve, 1000));
    collectGarbage();
    await new Promise(resolve => setTimeout(resolve, 1000));
    const memoryUsage = process.memoryUsage();
    const rss = residentSet().rss;
    const cHeap = cHeapResident();

    // Runs page
    log(`[round ${roundNumber}] ${PAGE_VIEWS} runs pages`);
    const pageBefore = await clusterProcess.counts();
    const pageSamples: number[] = [];
    let pageBytes = 0;
    for (let i = 0; i < PAGE_VIEWS; i++) {
      const res = await backendGet(
        backend,
        runsPath({ entityRef: ENTITY_REF, limit: '25' }),
      );
      if (res.status !== 200)
        failures.push(
          `runs page: HTTP ${res.status} ${res.body.subarray(0, 200)}`,
        );
      else pageSamples.push(res.ms);
      pageBytes += res.body.length;
    }
    // The log archiver reads pod logs in the background meanwhile; neither
    // page view reads any, so those are counted apart.
    const pageAfter = await clusterProcess.counts();
    const pageTraffic = trafficBetween(
      pageBefore,
      pageAfter,
      kind => !isLogRead(kind),
    );
    const archiverDuringPages = trafficBetween(
      pageBefore,
      pageAfter,
      isLogRead,
    );
    const runningSamples: number[] = [];
    for (let i = 0; i < Math.ceil(PAGE_VIEWS / 4); i++) {
      const res = await backendGet(
        backend,
        runsPath({
          entityRef: ENTITY_REF,
          limit: '25',
          status: 'running',
          search: 'build',
        }),
      );
      if (res.status !== 200)
        failures.push(`filtered page: HTTP ${res.status}`);
      else runningSamples.push(res.ms);
    }
    // The cross-entity list (the Pipelines page), if the backend has one.
    const probe = await backendGet(backend, runsPath({ limit: '25' }));
    let crossEntity: RoundResult['crossEntity'] = {
      status: probe.status,
      totalCount:
        probe.status === 200
          ? (JSON.parse(probe.body.toString()) as RunsPage).totalCount
          : undefined,
    };
    if (probe.status === 200) {
      const samples: number[] = [];
      for (let i = 0; i < PAGE_VIEWS; i++) {
        const res = await backendGet(backend, runsPath({ limit: '25' }));
        if (res.status !== 200)
          failures.push(`cross-entity page: HTTP ${res.status}`);
        else samples.push(res.ms);
      }
      crossEntity = { ...crossEntity, latency: summarize(samples) };
    }

    // Status change → event
    log(`[round ${roundNumber}] status changes to event streams`);
    const events: RoundResult['events'] = [];
    const running = runs.filter(r => r.state === 'running');
    let changed = 0;
    for (const count of [...new Set([1, STREAMS])]) {
      while (streams.length < count)
        streams.push(await EventStream.open(backend));
      const delays: number[] = [];
      let missed = 0;
      for (let c = 0; c < CHANGES && changed < running.length; c++) {
        const run = running[changed++];
        const arrivals = streams
          .slice(0, count)
          .map(s => s.next(run.name, 10_000));
        const sent = performance.now();
        // The run moves on: its second task's TaskRun is done, so the run is.
        await cluster.patchStatus(
          'pipelineruns',
          run.name,
          pipelineRunStatus({ ...run, state: 'succeeded' }, taskStates(run)),
        );
        for (const at of await Promise.all(arrivals)) {
          if (Number.isNaN(at)) missed += 1;
          else delays.push(at - sent);
        }
        // Lets the batching window close, so each change is measured alone.
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      events.push({ streams: count, delay: summarize(delays), missed });
    }
    for (const stream of streams.splice(0)) stream.close();

    // Log throughput
    log(`[round ${roundNumber}] log streaming (${LOG_MIB} MiB)`);
    const logsPath = (taskRun: string, follow: boolean) =>
      `/api/pipelines/runs/dev/${NAMESPACE}/bench-logs/logs?${new URLSearchParams(
        {
          entityRef: ENTITY_REF,
          taskRun: `bench-logs-${taskRun}`,
          step: 'write',
          follow: String(follow),
        },
      )}`;
    const throughput = (res: Response) =>
      res.body.length / MiB / (res.ms / 1000);
    const proxyAgent = new https.Agent({
      keepAlive: true,
      ca: Buffer.from(clusterCa, 'base64'),
    });
    const followedMiBps: number[] = [];
    const wholeMiBps: number[] = [];
    const directMiBps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const followed = await backendGet(backend, logsPath(taskName(0), true));
      if (followed.status !== 200 || followed.body.length < logBytes)
        failures.push(
          `followed log: HTTP ${followed.status}, ${
            followed.body.length
          } of ${logBytes} bytes ${followed.body.subarray(0, 200)}`,
        );
      else followedMiBps.push(throughput(followed));
      const whole = await backendGet(backend, logsPath(taskName(1), false));
      if (whole.status !== 200 || whole.body.length < logBytes)
        failures.push(
          `whole log: HTTP ${whole.status}, ${
            whole.body.length
          } of ${logBytes} bytes ${whole.body.subarray(0, 200)}`,
        );
      else wholeMiBps.push(throughput(whole));
      // The same read without the backend, through the same proxy, as the
      // portal's service account.
      const direct = await expectOk(
        'pod log through the proxy',
        send(
          proxyAgent,
          new URL(clusterProcess.info.proxyUrl),
          'GET',
          `/api/v1/namespaces/${NAMESPACE}/pods/bench-logs-pod/log?container=step-write`,
          { headers: { Authorization: `Bearer ${token}` } },
        ),
      );
      directMiBps.push(throughput(direct));
    }
    proxyAgent.destroy();

    // The kubernetes backend's objects by entity (community Tekton plugin)
    log(
      `[round ${roundNumber}] ${K8S_VIEWS} kubernetes-backend object fetches`,
    );
    const k8sBefore = await clusterProcess.counts();
    const k8sSamples: number[] = [];
    let k8sBytes = 0;
    let k8sFailures = 0;
    const notServed = new Set<string>();
    for (let i = 0; i < K8S_VIEWS; i++) {
      const res = await send(
        backend.agent,
        backend.url,
        'POST',
        `/api/kubernetes/services/${ENTITY_NAME}`,
        {
          headers: { Authorization: `Bearer ${backend.token}` },
          body: {
            entity: {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: ENTITY_NAME, namespace: 'default' },
            },
          },
        },
      ).catch(error => ({
        status: 0,
        body: Buffer.from(String(error)),
        ms: NaN,
      }));
      const errors = res.status === 200 ? fetchErrors(res.body) : [];
      // Kinds the dev cluster does not serve (HPAs, Jobs, Ingresses, …)
      // answer 404; a real cluster answers them with a list, in as many calls.
      const served = errors.filter(e => e.errorType !== 'NOT_FOUND');
      for (const e of errors)
        if (e.errorType === 'NOT_FOUND' && e.resourcePath)
          notServed.add(e.resourcePath);
      if (res.status !== 200 || served.length) {
        k8sFailures += 1;
        failures.push(
          `kubernetes objects: HTTP ${res.status}, errors: ${
            res.status === 200
              ? JSON.stringify(served)
              : res.body.toString().slice(0, 300)
          }`,
        );
      }
      if (res.status === 200) k8sSamples.push(res.ms);
      k8sBytes += res.body.length;
    }
    const k8sAfter = await clusterProcess.counts();
    const k8sTraffic = trafficBetween(
      k8sBefore,
      k8sAfter,
      kind => !isLogRead(kind),
    );
    const archiverDuringK8s = trafficBetween(k8sBefore, k8sAfter, isLogRead);
    const archiverTotal = trafficBetween(beforeBackend, k8sAfter, isLogRead);
    const peakAfterK8s = residentSet().peak;
    const clusterRss = await clusterProcess.rss();

    return {
      fill: {
        runs: runs.length,
        taskRuns,
        seconds: fillSeconds,
        failures: fillFailures,
      },
      warmUp: {
        seconds: warmUpSeconds,
        traffic: warmUpTraffic,
        totalCount: firstPage!.totalCount,
      },
      archive: {
        seconds: archiveSeconds,
        traffic: archiveTraffic,
        quiet,
        duringViews: archiverDuringPages.requests + archiverDuringK8s.requests,
        total: archiverTotal.requests,
      },
      page: {
        latency: summarize(pageSamples),
        traffic: pageTraffic,
        bytes: pageBytes / PAGE_VIEWS,
      },
      runningPage: summarize(runningSamples),
      crossEntity,
      events,
      logs: { bytes: logBytes, followedMiBps, wholeMiBps, directMiBps },
      memory: {
        before,
        heapBefore,
        rss,
        heapUsed: memoryUsage.heapUsed,
        heapCommitted: memoryUsage.heapTotal,
        youngGeneration:
          v8
            .getHeapSpaceStatistics()
            .find(space => space.space_name === 'new_space')
            ?.physical_space_size ?? 0,
        cHeapBefore,
        cHeap,
        peakAfterK8s,
      },
      k8s: {
        latency: summarize(k8sSamples),
        traffic: k8sTraffic,
        bytes: k8sBytes / K8S_VIEWS,
        failures: k8sFailures,
        notServed: [...notServed].sort(),
      },
      clusterRss,
      failures,
    };
  } finally {
    for (const stream of streams) stream.close();
    await backend?.stop().catch(error => log(`backend stop: ${error}`));
    cluster.agent.destroy();
    await clusterProcess.stop();
    rmSync(stateDir, { recursive: true, force: true });
    tempDirs.delete(stateDir);
  }
}

/** A round's answer to {@link roundInChild}. */
type RoundReply =
  | { type: 'result'; result: RoundResult }
  | { type: 'error'; stack: string };

/** The longest a round may take: the fill, the warm-up and every measurement at full scale. */
const ROUND_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/**
 * Runs one round in a process of its own (this script with `--round N`).
 * In one process only the first round started clean: the later ones
 * inherited the heap, the native memory and the peak resident set that the
 * rounds before them left, which the memory figures are about.
 */
async function roundInChild(roundNumber: number): Promise<RoundResult> {
  let crashed: (error: Error) => void = () => {};
  const crash = new Promise<never>((_, reject) => {
    crashed = reject;
  });
  const child = await BenchChild.start<{ round: number }>({
    name: `round ${roundNumber}`,
    entry: __filename,
    args: [...process.argv.slice(2), '--round', String(roundNumber)],
    // Node sizes V8's young generation from the memory it may use: with a
    // 1 GiB limit (a container sized for a 500 MB backend) a semi-space of
    // 16 MiB (new space 32 MiB), unconstrained on this 24 GiB machine
    // 64 MiB (new space 128 MiB, resident and empty after a full GC once
    // the start-up burst grew it).
    nodeArgs: [`--max-semi-space-size=${SEMI_SPACE_MIB}`],
    startTimeoutMs: 120_000,
    children,
    serialization: 'advanced',
    echoStderr: true,
    onUnexpectedExit: description => crashed(new Error(description)),
  });
  try {
    const reply = await Promise.race([
      child.request<RoundReply>({ type: 'round' }, ROUND_TIMEOUT_MS),
      crash,
    ]);
    if (reply.type === 'error') throw new Error(reply.stack);
    return reply.result;
  } finally {
    await child.stop();
  }
}

/** In the round's process: runs the round when asked and answers with its result. */
function serveRound(roundNumber: number): void {
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type !== 'round') return;
    round(roundNumber).then(
      result => process.send!({ id: message.id, type: 'result', result }),
      error =>
        process.send!({
          id: message.id,
          type: 'error',
          stack: error instanceof Error ? error.stack : String(error),
        }),
    );
  });
  log(`[round ${roundNumber}] in process ${process.pid}`);
  announceReady({ round: roundNumber });
}

/** Errors the kubernetes backend reports per cluster in a 200 answer. */
function fetchErrors(
  body: Buffer,
): Array<{ errorType?: string; resourcePath?: string }> {
  const parsed = JSON.parse(body.toString()) as {
    items?: Array<{
      errors?: Array<{ errorType?: string; resourcePath?: string }>;
    }>;
  };
  return (parsed.items ?? []).flatMap(item => item.errors ?? []);
}

// ---------------------------------------------------------------------------
// Report

const verdict = (met: boolean): string => (met ? 'met' : '**missed**');

/** The load average as each round began and ended (rounds run for minutes, the load moves). */
interface RoundLoad {
  before: string;
  after: string;
}

function report(results: RoundResult[], loads: RoundLoad[]): string {
  // Aims on the median round (by runs page p95); details of that round.
  const byP95 = [...results].sort(
    (a, b) => a.page.latency.p95 - b.page.latency.p95,
  );
  const r = byP95[Math.floor((byP95.length - 1) / 2)];
  const pageCalls = r.page.traffic.requests / PAGE_VIEWS;
  const pageApiBytes = r.page.traffic.bytes / PAGE_VIEWS;
  const k8sCalls = r.k8s.traffic.requests / K8S_VIEWS;
  const k8sApiBytes = r.k8s.traffic.bytes / K8S_VIEWS;
  const worstEvents = r.events.reduce((a, b) =>
    b.delay.p95 > a.delay.p95 ? b : a,
  );
  const callsRatio = pageCalls > 0 ? k8sCalls / pageCalls : Infinity;
  const bytesRatio = pageApiBytes > 0 ? k8sApiBytes / pageApiBytes : Infinity;
  // With no calls per view, the ratio per view is unbounded; the fair
  // comparison is then against the one-time warm-up spread over the views.
  const out: string[] = [];
  out.push(
    `Measured ${new Date()
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ')} UTC on ${machine()}; ${codeVersion([
      'plugins/pipelines-backend/src',
      'packages/dev-cluster/src',
    ])}.`,
  );
  out.push(
    `${int(FINISHED)} finished + ${int(RUNNING)} running PipelineRuns (${int(
      r.fill.taskRuns,
    )} TaskRuns) of one entity in one namespace; ${ROUNDS} round${
      ROUNDS > 1
        ? 's, each in a process of its own (the median round by runs-page p95 shown)'
        : ''
    }; the Tekton controller off (status written by the benchmark); the backend's database ${
      DATABASE === 'postgres'
        ? 'PostgreSQL (as in production)'
        : 'SQLite in memory (counted in its resident memory)'
    }.`,
  );
  out.push(describeLoad(loads[0].before, loads[loads.length - 1].after));
  out.push('');
  out.push('| Aim | Measured | Verdict |');
  out.push('| --- | --- | --- |');
  out.push(
    `| runs page (limit 25) p95 < ${AIMS.pageP95Ms} ms | p50 ${ms(
      r.page.latency.p50,
    )} ms, p95 **${ms(
      r.page.latency.p95,
    )} ms** (${PAGE_VIEWS} requests) | ${verdict(
      r.page.latency.p95 < AIMS.pageP95Ms,
    )} |`,
  );
  out.push(
    `| status change visible < 1 s | p50 ${ms(
      worstEvents.delay.p50,
    )} ms, p95 **${ms(worstEvents.delay.p95)} ms** on ${
      worstEvents.streams
    } stream(s), ${worstEvents.missed} missed | ${verdict(
      worstEvents.delay.p95 < AIMS.eventDelayMs && worstEvents.missed === 0,
    )} |`,
  );
  // Memory is judged on each figure's median over the rounds, not on the
  // round picked by page p95.
  const memoryMedian = (value: (x: RoundResult) => number) =>
    median(results.map(value));
  const rss = memoryMedian(x => x.memory.rss);
  out.push(
    `| backend < 500 MB (judged on the whole process${
      results.length > 1 ? `; medians of ${results.length} rounds` : ''
    }) | resident **${mib(rss)}** in all after loading the runs: ${mib(
      memoryMedian(x => x.memory.before),
    )} before the backend started + ${mib(
      memoryMedian(x => x.memory.rss - x.memory.before),
    )} the backend's growth (V8 heap ${mib(
      memoryMedian(x => x.memory.heapBefore),
    )} → ${mib(memoryMedian(x => x.memory.heapUsed))} after a full GC, ${mib(
      memoryMedian(x => x.memory.heapCommitted),
    )} committed, of which the empty young generation ${mib(
      memoryMedian(x => x.memory.youngGeneration),
    )}; semi-space ${SEMI_SPACE_MIB} MiB) | ${verdict(
      rss < AIMS.backendBytes,
    )} |`,
  );
  out.push(
    `| ≥ 10× fewer API calls per page view than the kubernetes backend | ${pageCalls.toFixed(
      2,
    )} vs ${k8sCalls.toFixed(1)} (${
      Number.isFinite(callsRatio) ? `${callsRatio.toFixed(0)}×` : 'none at all'
    }) | ${verdict(callsRatio >= AIMS.fewerCallsAndBytes)} |`,
  );
  out.push(
    `| ≥ 10× fewer API bytes per page view | ${kib(pageApiBytes)} vs ${kib(
      k8sApiBytes,
    )} (${
      Number.isFinite(bytesRatio)
        ? ratio(pageApiBytes, k8sApiBytes)
        : 'none at all'
    }) | ${verdict(bytesRatio >= AIMS.fewerCallsAndBytes)} |`,
  );
  out.push('');
  out.push(
    '| Side by side, per page view | Pipelines backend | Kubernetes backend (community Tekton plugin path) | Ratio |',
  );
  out.push('| --- | --- | --- | --- |');
  out.push(
    `| latency p50 / p95 | ${ms(r.page.latency.p50)} / ${ms(
      r.page.latency.p95,
    )} ms | ${ms(r.k8s.latency.p50)} / ${ms(
      r.k8s.latency.p95,
    )} ms (${K8S_VIEWS} requests) | ${ratio(
      r.page.latency.p50,
      r.k8s.latency.p50,
    )} |`,
  );
  out.push(
    `| Kubernetes API calls | ${pageCalls.toFixed(2)} | ${k8sCalls.toFixed(
      1,
    )} (${describeKinds({
      ...r.k8s.traffic,
      byKind: r.k8s.traffic.byKind.map(([k, n]) => [k, n / K8S_VIEWS]),
    })}) | ${ratio(pageCalls, k8sCalls)} |`,
  );
  out.push(
    `| Kubernetes API response bytes | ${kib(pageApiBytes)} | ${kib(
      k8sApiBytes,
    )} | ${ratio(pageApiBytes, k8sApiBytes)} |`,
  );
  out.push(
    `| response to the browser | ${kib(r.page.bytes)} (25 runs) | ${kib(
      r.k8s.bytes,
    )} (every object of the entity) | ${ratio(r.page.bytes, r.k8s.bytes)} |`,
  );
  out.push(
    `| one-time warm-up (initial lists, until every run is served) | ${int(
      r.warmUp.traffic.requests,
    )} calls, ${kib(r.warmUp.traffic.bytes)}, ${r.warmUp.seconds.toFixed(
      1,
    )} s (${describeKinds(r.warmUp.traffic)}) | none | |`,
  );
  out.push('');
  out.push('| Detail | Value |');
  out.push('| --- | --- |');
  out.push(
    `| fill (the benchmark's own writes, not a backend cost) | ${int(
      r.fill.runs,
    )} runs, ${int(r.fill.taskRuns)} TaskRuns in ${r.fill.seconds.toFixed(
      0,
    )} s (${r.fill.failures.length} failures) |`,
  );
  out.push(
    `| runs page filtered (status=running, search) p50 / p95 | ${ms(
      r.runningPage.p50,
    )} / ${ms(r.runningPage.p95)} ms |`,
  );
  out.push(
    `| cross-entity runs list (no entityRef) | ${
      r.crossEntity.latency
        ? `p50 ${ms(r.crossEntity.latency.p50)} / p95 ${ms(
            r.crossEntity.latency.p95,
          )} ms (${int(r.crossEntity.totalCount ?? NaN)} runs listed)`
        : `not served (HTTP ${r.crossEntity.status}) — no such route yet`
    } |`,
  );
  for (const e of r.events) {
    out.push(
      `| status patch → event on ${
        e.streams
      } open stream(s), p50 / p95 / max | ${ms(e.delay.p50)} / ${ms(
        e.delay.p95,
      )} / ${ms(e.delay.max)} ms (${e.delay.count} events, ${
        e.missed
      } missed) |`,
    );
  }
  const best = (values: number[]) =>
    values.length ? Math.max(...values) : NaN;
  out.push(
    `| step log of ${mib(
      r.logs.bytes,
    )}, followed (from the archive the backend follows it into) | ${best(
      r.logs.followedMiBps,
    ).toFixed(0)} MiB/s (best of ${r.logs.followedMiBps.length}) |`,
  );
  out.push(
    `| the same log, finished step (read whole) | ${best(
      r.logs.wholeMiBps,
    ).toFixed(0)} MiB/s (best of ${r.logs.wholeMiBps.length}) |`,
  );
  out.push(
    `| the same log read from the cluster without the backend (same proxy, same account) | ${best(
      r.logs.directMiBps,
    ).toFixed(0)} MiB/s |`,
  );
  out.push(
    `| log archiver's start-up pass over the finished runs | ${int(
      r.archive.traffic.requests,
    )} pod log reads in ${r.archive.seconds.toFixed(0)} s${
      r.archive.quiet ? '' : ' (**not finished** when measuring began)'
    }; ${int(
      r.archive.duringViews,
    )} more while the page views were measured (left out of their counts), ${int(
      r.archive.total,
    )} in all by the end of the round |`,
  );
  out.push(
    `| backend process resident: before the backend started / after loading the runs (before any kubernetes-backend fetch) / peak after the kubernetes-backend fetches | ${mib(
      r.memory.before,
    )} / ${mib(r.memory.rss)} / ${mib(r.memory.peakAfterK8s)} |`,
  );
  if (r.k8s.notServed.length)
    out.push(
      `| kubernetes-backend calls the dev cluster answers 404 (kinds it does not serve; counted above, a real cluster answers them with lists) | ${r.k8s.notServed
        .map(p => `\`${p}\``)
        .join(', ')} |`,
    );
  out.push(
    `| dev cluster process resident (for scale) | ${mib(r.clusterRss)} |`,
  );
  if (results.length > 1) {
    out.push('');
    out.push(
      '| Round | page p95 | event p95 (most streams) | backend RSS | before the backend + growth | V8 heap used / committed | C heap before → after | archiver reads when measured | k8s p50 | load average before / after (1 min) |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    results.forEach((x, i) =>
      out.push(
        `| ${i + 1} | ${ms(x.page.latency.p95)} ms | ${ms(
          x.events[x.events.length - 1].delay.p95,
        )} ms | ${mib(x.memory.rss)} | ${mib(x.memory.before)} + ${mib(
          x.memory.rss - x.memory.before,
        )} | ${mib(x.memory.heapUsed)} / ${mib(x.memory.heapCommitted)} | ${mib(
          x.memory.cHeapBefore,
        )} → ${mib(x.memory.cHeap)} | ${int(x.archive.traffic.requests)} | ${ms(
          x.k8s.latency.p50,
        )} ms | ${loads[i].before.split(' ')[0]} / ${
          loads[i].after.split(' ')[0]
        } |`,
      ),
    );
    out.push('');
    out.push(
      `Median over rounds: page p95 ${ms(
        median(results.map(x => x.page.latency.p95)),
      )} ms, backend RSS ${mib(median(results.map(x => x.memory.rss)))}.`,
    );
  }
  const samples = results.flatMap(x => [...x.failures, ...x.fill.failures]);
  if (samples.length) {
    out.push('');
    out.push(`Failures (${samples.length}; first ones):`);
    out.push('');
    for (const s of samples.slice(0, 5))
      out.push(
        `- \`${s.replace(/`/g, "'").replace(/\n/g, ' ').slice(0, 1500)}\``,
      );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  if (args['fill-kubeconfig']) {
    const cluster = new ClusterClient(
      readFileSync(args['fill-kubeconfig'], 'utf8'),
    );
    const result = await fillRuns(cluster);
    cluster.agent.destroy();
    process.stdout.write(JSON.stringify(result));
    process.exit(0);
  }
  if (args.round) {
    serveRound(positiveInt('round', args.round));
    return;
  }
  const results: RoundResult[] = [];
  const loads: RoundLoad[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    const before = loadAverage();
    results.push(await roundInChild(n));
    loads.push({ before, after: loadAverage() });
  }
  const text = report(results, loads);
  publishReport(
    text,
    {
      heading: 'Pipelines',
      start: '<!-- bench:pipelines:start -->',
      end: '<!-- bench:pipelines:end -->',
    },
    { write },
  );
  // Backstage's services keep timers; the benchmark is done.
  process.exit(process.exitCode ?? 0);
}

main().catch(error => {
  log(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}`,
  );
  process.exitCode = 1;
  process.exit(1);
});
