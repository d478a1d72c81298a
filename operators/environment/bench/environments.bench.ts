/*
 * Benchmark of the Environment controller (issue 19): N Environments over a
 * cluster of M nodes, from the first create until every one is Ready.
 *
 * Not a test: it measures and reports. The dev cluster runs in a child
 * process (bench/cluster.ts) without kubelets; the benchmark registers the
 * nodes of a generated topology (zones × racks × hosts, labelled as the dev
 * cluster's kubelets label theirs); the manager runs in this process with the
 * Environment controller alone, as the cluster admin (RBAC is not what is
 * measured). Each Environment binds one rack (selected by the rack label
 * itself, so no node is written), has two tenants, a quota, a LimitRange
 * and no StorageClass (a zero quota for `standard`).
 *
 * Measured: the time from the first create to all Ready (Ready=True at the
 * current generation, nodes reported), the creates' own duration, then a
 * drift round (every Environment's view RoleBinding deleted at once) until
 * every one is back.
 *
 *   yarn workspace @cairn/operators-environment bench [--environments 500] [--zones 10] [--racks 10] [--hosts 10] [--no-write]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  RequestContext,
} from '@kubernetes/client-node';
import {
  BenchChild,
  cleanUpOnExit,
  codeVersion,
  describeLoad,
  loadAverage,
  log,
  machine,
  pool,
  benchOptions,
  publishReport,
  runBenchMain,
} from '@cairn/bench-support';
import { jsonLogger, Manager } from '@cairn/controller-runtime';
import { Environment, environmentCrd } from '@cairn/operators-api';
// The dev cluster's index does not export its topology builder.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { buildNodes, TopologySpec } from '@cairn/dev-cluster/src/topology';
import { environmentController } from '../src';

const { counts, write } = benchOptions({
  counts: {
    environments: 500,
    zones: 10,
    racks: 10,
    hosts: 10,
    concurrency: 16,
  },
});
const ENVIRONMENTS = counts.environments;
const ZONES = counts.zones;
const RACKS = counts.racks;
const HOSTS = counts.hosts;
const CONCURRENCY = counts.concurrency;
const NODES = ZONES * RACKS * HOSTS;
const TIMEOUT_MS = 10 * 60_000;

const cleanup = cleanUpOnExit();

const rackName = (i: number) =>
  `zone-${Math.floor(i / RACKS) % ZONES}-rack-${i % RACKS}`;

function topology(): TopologySpec {
  return {
    region: 'bench',
    zones: Array.from({ length: ZONES }, (_, z) => ({
      name: `zone-${z}`,
      racks: Array.from({ length: RACKS }, (__, r) => ({
        name: `zone-${z}-rack-${r}`,
        hosts: Array.from({ length: HOSTS }, (___, h) => ({
          name: `node-${z}-${r}-${h}`,
        })),
      })),
    })),
  };
}

const environment = (i: number) => ({
  apiVersion: 'tenancy.cairn.dev/v1alpha1',
  kind: 'Environment',
  metadata: { name: `env-${i}` },
  spec: {
    namespace: `env-${i}`,
    owner: `group:default/team-${i}`,
    tenants: [
      { group: `group:default/team-${i}`, role: 'edit' },
      { group: 'group:default/auditors', role: 'view' },
    ],
    placement: { racks: [rackName(i)] },
    storageClasses: [],
    quota: { pods: '20', 'requests.cpu': '4', 'requests.memory': '8Gi' },
    limits: { defaultRequest: { cpu: '100m', memory: '64Mi' } },
  },
});

/** The resources the controller writes, as their URLs name them. */
const RESOURCES = [
  'environments',
  'namespaces',
  'nodes',
  'resourcequotas',
  'limitranges',
  'rolebindings',
  'events',
];

/**
 * The manager's client configuration, counting every request that is not a
 * read by resource (`environments/status` for status writes): how many
 * writes an Environment costs, which the machine's load does not change.
 */
class CountingKubeConfig extends KubeConfig {
  readonly writes = new Map<string, number>();

  async applySecurityAuthentication(context: RequestContext) {
    if (context.getHttpMethod() !== 'GET') {
      const segments = new URL(context.getUrl()).pathname.split('/');
      const resource =
        segments.filter(s => RESOURCES.includes(s)).pop() ?? 'other';
      const key =
        segments[segments.length - 1] === 'status'
          ? `${resource}/status`
          : resource;
      this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    }
    return super.applySecurityAuthentication(context);
  }

  /** The counts so far, and starts again from zero. */
  take(): Map<string, number> {
    const taken = new Map(this.writes);
    this.writes.clear();
    return taken;
  }
}

const perEnvironment = (writes: Map<string, number>) => {
  const total = [...writes.values()].reduce((a, b) => a + b, 0);
  const parts = [...writes.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([resource, n]) => `${resource} ${(n / ENVIRONMENTS).toFixed(2)}`);
  return `${(total / ENVIRONMENTS).toFixed(2)} (${parts.join(', ')})`;
};

const isReady = (e: Environment) =>
  e.status?.observedGeneration === e.metadata.generation &&
  (e.status?.nodes?.length ?? 0) === HOSTS &&
  e.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True');

async function until(what: string, done: () => Promise<boolean>) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

async function main() {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-env-bench-'));
  cleanup.tempDirs.add(stateDir);
  log('starting the dev cluster');
  const cluster = await BenchChild.start<{ kubeconfig: string }>({
    name: 'the dev cluster',
    entry: path.join(__dirname, 'cluster.ts'),
    args: ['--state-dir', stateDir],
    startTimeoutMs: 120_000,
    children: cleanup.children,
  });
  const kubeconfigPath = path.join(stateDir, 'bench-kubeconfig');
  writeFileSync(kubeconfigPath, cluster.ready.kubeconfig);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.ready.kubeconfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  log(`registering ${NODES} nodes`);
  const nodes = buildNodes(topology());
  await pool(nodes.length, CONCURRENCY, async i => {
    await core.createNode({ body: nodes[i] });
  });
  execFileSync(
    'kubectl',
    ['--kubeconfig', kubeconfigPath, 'apply', '-f', '-'],
    { input: JSON.stringify(environmentCrd) },
  );
  execFileSync('kubectl', [
    '--kubeconfig',
    kubeconfigPath,
    'wait',
    '--for=condition=Established',
    'crd/environments.tenancy.cairn.dev',
  ]);

  const managerConfig = new CountingKubeConfig();
  managerConfig.loadFromString(cluster.ready.kubeconfig);
  const manager = new Manager({
    kubeConfig: managerConfig,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    logger: jsonLogger(() => {}),
  });
  // The manager's flag defaults to the webhook; the benchmark keeps the
  // namespace's PodNodeSelector annotation, which needs no webhook server
  // (the writes per Environment are the same for a one-rack placement).
  await manager.add(
    environmentController({ placementAdmission: 'PodNodeSelector' }),
  );
  await manager.start();

  const list = async () =>
    (
      (await custom.listClusterCustomObject({
        group: 'tenancy.cairn.dev',
        version: 'v1alpha1',
        plural: 'environments',
      })) as { items: Environment[] }
    ).items;

  log(`creating ${ENVIRONMENTS} Environments`);
  const loadBefore = loadAverage();
  managerConfig.take();
  const start = performance.now();
  await pool(ENVIRONMENTS, CONCURRENCY, async i => {
    await custom.createClusterCustomObject({
      group: 'tenancy.cairn.dev',
      version: 'v1alpha1',
      plural: 'environments',
      body: environment(i),
    });
  });
  const created = performance.now() - start;
  await until('every Environment to be Ready', async () => {
    const items = await list();
    return items.length === ENVIRONMENTS && items.every(isReady);
  });
  const allReady = performance.now() - start;
  log(`all Ready after ${(allReady / 1000).toFixed(1)} s`);
  // What is still written after all are Ready (the quotas' usage) counts too.
  await new Promise(resolve => setTimeout(resolve, 5_000));
  const createWrites = managerConfig.take();

  log('deleting every view RoleBinding');
  const driftStart = performance.now();
  await pool(ENVIRONMENTS, CONCURRENCY, async i => {
    await rbac.deleteNamespacedRoleBinding({
      namespace: `env-${i}`,
      name: 'cairn-environment-view',
    });
  });
  await until('every RoleBinding to be back', async () => {
    const bindings = await rbac.listRoleBindingForAllNamespaces({
      labelSelector: 'tenancy.cairn.dev/environment',
    });
    return (
      bindings.items.filter(b => b.metadata!.name === 'cairn-environment-view')
        .length === ENVIRONMENTS
    );
  });
  const repaired = performance.now() - driftStart;
  await new Promise(resolve => setTimeout(resolve, 5_000));
  const driftWrites = managerConfig.take();
  const loadAfter = loadAverage();
  await manager.stop();
  await cluster.stop();

  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const report = [
    `${ENVIRONMENTS} Environments over ${NODES} nodes (${ZONES} zones × ${RACKS} racks × ${HOSTS} hosts; each Environment binds one rack, ${
      ENVIRONMENTS / (ZONES * RACKS)
    } per rack, which its namespace's PodNodeSelector annotation names directly: no node label is written; the manager's own default, \`--placement-admission webhook\`, writes the same objects less that annotation), the dev cluster in a process of its own without kubelets, the manager running only the Environment controller (16 workers) in another. Aim: all Ready < 30 s.`,
    '',
    '| Measure | Result |',
    '| --- | --- |',
    `| creates (${CONCURRENCY} at a time) | ${seconds(created)} |`,
    `| first create → all Ready (finalizer, namespace, ResourceQuota, LimitRange, 2 RoleBindings, status) | ${seconds(
      allReady,
    )} |`,
    `| ${ENVIRONMENTS} view RoleBindings deleted → all recreated | ${seconds(
      repaired,
    )} |`,
    `| the manager's writes per Environment, create → Ready (+5 s) | ${perEnvironment(
      createWrites,
    )} |`,
    `| the manager's writes per Environment, drift round (+5 s) | ${perEnvironment(
      driftWrites,
    )} |`,
    '',
    describeLoad(loadBefore, loadAfter),
    '',
    `Machine: ${machine()}. Code: ${codeVersion([
      'operators/environment/src',
      'operators/api/src/environment',
    ])}. Run: \`yarn workspace @cairn/operators-environment bench\`.`,
  ].join('\n');
  publishReport(
    report,
    {
      heading: 'Environments',
      start: '<!-- bench:environments:start -->',
      end: '<!-- bench:environments:end -->',
    },
    { write },
  );
}

runBenchMain(main);
