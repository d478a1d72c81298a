/*
 * Benchmark of the Stone controller (issue 13): an N-pod Stone updated in
 * place vs an N-pod Deployment rolling update of the same image change
 * (nginx:1.26 → nginx:1.27), one after the other in the same dev cluster.
 *
 * Not a test: it measures and reports. The dev cluster (18 nodes: 3 zones ×
 * 2 racks × 3 hosts; its scheduler, kubelets and Deployment controller) runs
 * in a child process (bench/cluster.ts) that counts the API server's
 * requests by user and its object writes by resource. The manager runs in
 * this process with the Stone controller alone, as operators/deploy's
 * ServiceAccount (so its requests are told apart from the benchmark's own
 * polling). The Stone has 3 groups (one per zone, N/3 pods each, every host
 * of the zone listed), strategy Release, maxUnavailable 25%; the Deployment
 * has the default RollingUpdate (maxUnavailable 25%, maxSurge 25%). The
 * containers are idle (nginx's entrypoint is not a program of this host),
 * so what is measured is the control plane, not the pods' processes.
 *
 * Measured per rollout, from the image patch until it is complete (Stone:
 * every pod of the new revision and ready, currentRevision = updateRevision;
 * Deployment: as `kubectl rollout status` judges it): wall time, requests
 * at the API server from the controller, object writes (pods, their
 * owners, Events), pod recreations (pods created during the rollout), and
 * the Stone's reconcile p95 from the manager's
 * controller_runtime_reconcile_time_seconds histogram (the rollout's
 * observations only, interpolated in the bucket as histogram_quantile does).
 *
 *   yarn workspace @cairn/operators-stone bench [--pods 1000] [--no-write]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Deployment,
  V1Pod,
} from '@kubernetes/client-node';
import {
  BenchChild,
  cleanUpOnExit,
  codeVersion,
  log,
  machine,
  benchOptions,
  publishReport,
  runBenchMain,
} from '@cairn/bench-support';
import { jsonLogger, Manager } from '@cairn/controller-runtime';
import type { Stone } from '@cairn/operators-api';
import { stoneController } from '../src';
import type { ApiCounts } from './cluster';

const options = benchOptions({ counts: { pods: 1000 } });
const PODS = options.counts.pods;
const NAMESPACE = 'bench';
const OLD_IMAGE = 'nginx:1.26';
const NEW_IMAGE = 'nginx:1.27';
const TIMEOUT_MS = 60 * 60_000;
const MANAGER_USER = 'system:serviceaccount:cairn-system:cairn-operators';
const ZONES = ['a', 'b', 'c'] as const;

const cleanup = cleanUpOnExit();

const stone = {
  apiVersion: 'rollouts.cairn.dev/v1alpha1',
  kind: 'Stone',
  metadata: { name: 'web', namespace: NAMESPACE },
  spec: {
    strategy: 'Release',
    updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: '25%' },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'app', image: OLD_IMAGE }],
        terminationGracePeriodSeconds: 0,
      },
    },
    coordinates: ZONES.map((zone, i) => ({
      group: zone,
      replicas: Math.floor(PODS / 3) + (i < PODS % 3 ? 1 : 0),
      zoneset: [1, 2].flatMap(rack =>
        [1, 2, 3].map(host => ({
          zone: `local-1${zone}`,
          rack: `local-1${zone}-r${rack}`,
          host: `node-${zone}${rack}-${host}`,
        })),
      ),
    })),
  },
};

const deployment: V1Deployment = {
  metadata: { name: 'web', namespace: NAMESPACE },
  spec: {
    replicas: PODS,
    selector: { matchLabels: { app: 'web-deployment' } },
    template: {
      metadata: { labels: { app: 'web-deployment' } },
      spec: {
        containers: [{ name: 'app', image: OLD_IMAGE }],
        terminationGracePeriodSeconds: 0,
      },
    },
  },
};

/** User + system CPU seconds a process has used, from /proc (Linux's 100 ticks a second). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  // utime and stime are the stat file's 14th and 15th fields.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function until(what: string, done: () => Promise<boolean>) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

/** The histogram's buckets (cumulative counts by upper bound) for one controller. */
async function reconcileBuckets(
  manager: Manager,
): Promise<Array<[number, number]>> {
  const metric = (await manager.metrics.registry.getMetricsAsJSON()).find(
    m => m.name === 'controller_runtime_reconcile_time_seconds',
  );
  return (metric?.values ?? [])
    .filter(
      // prom-client names each value's series (`_bucket`, `_sum`, `_count`).
      v =>
        (v as { metricName?: string }).metricName ===
          'controller_runtime_reconcile_time_seconds_bucket' &&
        v.labels.controller === 'stone',
    )
    .map(v => [Number(v.labels.le), v.value] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** histogram_quantile over the observations between two readings of the buckets. */
function quantile(
  q: number,
  before: Array<[number, number]>,
  after: Array<[number, number]>,
): { seconds: number; count: number } {
  const counts = after.map(
    ([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as [number, number],
  );
  const total = counts[counts.length - 1]?.[1] ?? 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, n] of counts) {
    if (n >= rank) {
      if (!Number.isFinite(le)) return { seconds: lower, count: total };
      return {
        seconds: lower + ((le - lower) * (rank - below)) / (n - below || 1),
        count: total,
      };
    }
    lower = le;
    below = n;
  }
  return { seconds: NaN, count: total };
}

interface Rollout {
  wallMs: number;
  /** CPU seconds (user + system) of the dev cluster's process and of this one (the manager's). */
  clusterCpu: number;
  managerCpu: number;
  requests: number;
  requestsByVerb: Record<string, number>;
  writes: Record<string, Record<string, number>>;
  totalWrites: number;
  recreated: number;
  restarts: number;
  reconcileP95?: { seconds: number; count: number };
}

async function main() {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-stone-bench-'));
  cleanup.tempDirs.add(stateDir);
  log('starting the dev cluster');
  const cluster = await BenchChild.start<{ kubeconfig: string }>({
    name: 'the dev cluster',
    entry: path.join(__dirname, 'cluster.ts'),
    args: ['--state-dir', stateDir],
    startTimeoutMs: 120_000,
    children: cleanup.children,
  });
  const counts = () => cluster.request<ApiCounts>({ type: 'counts' });
  const kubeconfigPath = path.join(stateDir, 'bench-kubeconfig');
  writeFileSync(kubeconfigPath, cluster.ready.kubeconfig);
  const kubectl = (kubectlArgs: string[], input?: string) =>
    execFileSync('kubectl', ['--kubeconfig', kubeconfigPath, ...kubectlArgs], {
      input,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  const admin = new KubeConfig();
  admin.loadFromString(cluster.ready.kubeconfig);
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);

  // operators/deploy without its Deployment: the manager runs here, with
  // the Deployment's ServiceAccount.
  const manifests = kubectl(['kustomize', path.join(__dirname, '../../deploy')])
    .split(/^---$/m)
    .filter(doc => !/^kind: Deployment$/m.test(doc))
    .join('---');
  kubectl(['apply', '-f', '-'], manifests);
  kubectl([
    'wait',
    '--for=condition=Established',
    'crd/stones.rollouts.cairn.dev',
  ]);
  kubectl(['create', 'namespace', NAMESPACE]);
  const token = await core.createNamespacedServiceAccountToken({
    namespace: 'cairn-system',
    name: 'cairn-operators',
    body: { spec: { audiences: [], expirationSeconds: 24 * 3600 } },
  });
  const server = admin.getCurrentCluster()!;
  const operators = new KubeConfig();
  operators.loadFromOptions({
    clusters: [{ name: 'dev', server: server.server, caData: server.caData }],
    users: [{ name: 'cairn-operators', token: token.status!.token }],
    contexts: [{ name: 'dev', cluster: 'dev', user: 'cairn-operators' }],
    currentContext: 'dev',
  });
  const manager = new Manager({
    kubeConfig: operators,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    logger: jsonLogger(() => {}),
  });
  await manager.add(stoneController());
  await manager.start();

  const pods = async (app: string) =>
    (
      await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: `app=${app}`,
      })
    ).items;
  const restartsOf = (list: V1Pod[]) =>
    list.reduce(
      (sum, p) =>
        sum +
        (p.status?.containerStatuses ?? []).reduce(
          (s, c) => s + c.restartCount,
          0,
        ),
      0,
    );

  /** Patches the image, waits until `complete`, and says what the rollout cost. */
  async function measure(
    app: string,
    patch: () => Promise<unknown>,
    complete: () => Promise<boolean>,
  ): Promise<Omit<Rollout, 'reconcileP95'>> {
    const before = await pods(app);
    const uids = new Set(before.map(p => p.metadata!.uid));
    cluster.send({ type: 'reset' });
    const startRevision = (await counts()).revision;
    const clusterCpuBefore = cpuSecondsOf(cluster.child.pid!);
    const managerCpuBefore = process.cpuUsage();
    const start = performance.now();
    await patch();
    await until(`the ${app} rollout`, complete);
    const wallMs = performance.now() - start;
    const managerCpu = process.cpuUsage(managerCpuBefore);
    const clusterCpu = cpuSecondsOf(cluster.child.pid!) - clusterCpuBefore;
    const after = await counts();
    const now = await pods(app);
    // Pods created during the rollout, including surge pods since deleted.
    const created = after.writes['/pods']?.ADDED ?? 0;
    const requestsByVerb = after.requests[MANAGER_USER] ?? {};
    return {
      wallMs,
      clusterCpu,
      managerCpu: (managerCpu.user + managerCpu.system) / 1e6,
      requests: Object.values(requestsByVerb).reduce((a, b) => a + b, 0),
      requestsByVerb,
      writes: after.writes,
      totalWrites: after.revision - startRevision,
      recreated: Math.max(
        created,
        now.filter(p => !uids.has(p.metadata!.uid)).length,
      ),
      restarts: restartsOf(now) - restartsOf(before),
    };
  }

  // The Stone.
  const readStone = async () =>
    (await custom.getNamespacedCustomObject({
      group: 'rollouts.cairn.dev',
      version: 'v1alpha1',
      namespace: NAMESPACE,
      plural: 'stones',
      name: 'web',
    })) as Stone;
  const stoneDone = async () => {
    const { metadata, status } = await readStone();
    return (
      !!status &&
      status.observedGeneration === metadata.generation &&
      status.currentRevision === status.updateRevision &&
      status.updatedReplicas === PODS &&
      status.readyReplicas === PODS &&
      status.replicas === PODS
    );
  };
  log(`releasing a ${PODS}-pod Stone`);
  let start = performance.now();
  kubectl(['apply', '-f', '-'], JSON.stringify(stone));
  await until('the Stone released', stoneDone);
  const stoneReleaseMs = performance.now() - start;
  log(`released in ${(stoneReleaseMs / 1000).toFixed(1)} s; updating in place`);
  const bucketsBefore = await reconcileBuckets(manager);
  const stoneRollout: Rollout = await measure(
    'web',
    () =>
      custom.patchNamespacedCustomObject(
        {
          group: 'rollouts.cairn.dev',
          version: 'v1alpha1',
          namespace: NAMESPACE,
          plural: 'stones',
          name: 'web',
          body: [
            {
              op: 'replace',
              path: '/spec/template/spec/containers/0/image',
              value: NEW_IMAGE,
            },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    stoneDone,
  );
  stoneRollout.reconcileP95 = quantile(
    0.95,
    bucketsBefore,
    await reconcileBuckets(manager),
  );
  log(`updated in ${(stoneRollout.wallMs / 1000).toFixed(1)} s`);
  await manager.stop();
  kubectl(['delete', 'stone', 'web', '-n', NAMESPACE, '--wait=false']);
  await until('the Stone’s pods gone', async () => {
    const left = await core.listNamespacedPod({ namespace: NAMESPACE });
    return left.items.length === 0;
  });

  // The Deployment.
  const deploymentDone = async () => {
    const d = await apps.readNamespacedDeployment({
      name: 'web',
      namespace: NAMESPACE,
    });
    const s = d.status;
    return (
      (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      s?.updatedReplicas === PODS &&
      s?.replicas === PODS &&
      s?.availableReplicas === PODS
    );
  };
  log(`creating a ${PODS}-pod Deployment`);
  start = performance.now();
  await apps.createNamespacedDeployment({
    namespace: NAMESPACE,
    body: deployment,
  });
  await until('the Deployment available', deploymentDone);
  const deploymentCreateMs = performance.now() - start;
  log(
    `available in ${(deploymentCreateMs / 1000).toFixed(1)} s; rolling update`,
  );
  const deploymentRollout = await measure(
    'web-deployment',
    () =>
      apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: NAMESPACE,
          body: [
            {
              op: 'replace',
              path: '/spec/template/spec/containers/0/image',
              value: NEW_IMAGE,
            },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    deploymentDone,
  );
  log(`rolled out in ${(deploymentRollout.wallMs / 1000).toFixed(1)} s`);
  await cluster.stop();

  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  const writesOf = (r: Rollout, bucket: string) => {
    const w = r.writes[bucket] ?? {};
    return (w.ADDED ?? 0) + (w.MODIFIED ?? 0) + (w.DELETED ?? 0);
  };
  const verbs = (r: Rollout) =>
    Object.entries(r.requestsByVerb)
      .sort((a, b) => b[1] - a[1])
      .map(([verb, n]) => `${int(n)} ${verb}`)
      .join(', ');
  const p95 = stoneRollout.reconcileP95!;
  const report = [
    `${PODS} pods, image ${OLD_IMAGE} → ${NEW_IMAGE}, one run each in the same dev cluster (18 nodes; scheduler, kubelets and Deployment controller in a process of their own, idle containers). The Stone (3 groups of ${stone.spec.coordinates[0].replicas} over the 3 zones, strategy Release, maxUnavailable 25%) is updated in place by the manager (this process, the Stone controller alone, as the operators' ServiceAccount); the Deployment (RollingUpdate 25% / 25%) by the dev cluster's Deployment controller. Aim: 0 pod recreations for the Stone.`,
    '',
    '| Measure | Stone, in place | Deployment, rolling update |',
    '| --- | --- | --- |',
    `| wall time (patch → rollout complete) | ${seconds(
      stoneRollout.wallMs,
    )} | ${seconds(deploymentRollout.wallMs)} |`,
    `| API requests from the controller | ${int(
      stoneRollout.requests,
    )} (${verbs(
      stoneRollout,
    )}) | none over HTTP: the dev cluster's Deployment controller writes its storage in-process (as kube-controller-manager's ≈ 1 ReplicaSet write per step and 1 pod create/delete per pod would) |`,
    `| object writes at the API server (all writers) | ${int(
      stoneRollout.totalWrites,
    )} | ${int(deploymentRollout.totalWrites)} |`,
    `| — of pods (creates, updates incl. kubelet status, deletes) | ${int(
      writesOf(stoneRollout, '/pods'),
    )} | ${int(writesOf(deploymentRollout, '/pods'))} |`,
    `| — of the owner (Stone + ControllerRevisions / Deployment + ReplicaSets) | ${int(
      writesOf(stoneRollout, 'rollouts.cairn.dev/stones') +
        writesOf(stoneRollout, 'apps/controllerrevisions'),
    )} | ${int(
      writesOf(deploymentRollout, 'apps/deployments') +
        writesOf(deploymentRollout, 'apps/replicasets'),
    )} |`,
    `| — of Events | ${int(writesOf(stoneRollout, '/events'))} | ${int(
      writesOf(deploymentRollout, '/events'),
    )} |`,
    `| CPU: dev cluster process / manager process (2 cores shared with other work) | ${stoneRollout.clusterCpu.toFixed(
      1,
    )} s / ${stoneRollout.managerCpu.toFixed(
      1,
    )} s | ${deploymentRollout.clusterCpu.toFixed(1)} s / – |`,
    `| pod recreations | ${int(stoneRollout.recreated)} | ${int(
      deploymentRollout.recreated,
    )} |`,
    `| container restarts | ${int(stoneRollout.restarts)} | ${int(
      deploymentRollout.restarts,
    )} (new pods start at 0) |`,
    `| reconcile p95 (controller_runtime_reconcile_time_seconds, ${int(
      p95.count,
    )} reconciles) | ${(p95.seconds * 1000).toFixed(
      0,
    )} ms | – (no such metric in-process) |`,
    '',
    `Before the rollouts: the Stone's first release took ${seconds(
      stoneReleaseMs,
    )}, the Deployment's creation until available ${seconds(
      deploymentCreateMs,
    )}.`,
    '',
    `Machine: ${machine()}. Code: ${codeVersion([
      'operators/stone/src',
      'operators/api/src/stone',
      'packages/dev-cluster/src',
    ])}. Run: \`yarn workspace @cairn/operators-stone bench --pods ${PODS}\`.`,
  ].join('\n');
  publishReport(
    report,
    {
      heading: 'Stone (operators)',
      start: '<!-- bench:stone:start -->',
      end: '<!-- bench:stone:end -->',
    },
    { write: options.write },
  );
}

runBenchMain(main);
