import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ControllerFactory,
  LeaderElector,
  Manager,
  silentLogger,
} from '@cairn/controller-runtime';
import { DevCluster, startDevCluster } from '@cairn/dev-cluster';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  V1Pod,
} from '@kubernetes/client-node';
import { startOperatorManager } from './manager';
import { ManagerFlags, parseFlags } from './options';

/** These tests' managers enforce no placement (the webhook has its own tests). */
const WITHOUT_WEBHOOK = parseFlags([
  '--placement-admission=pod-node-selector',
]) as ManagerFlags;

/*
 * The manager against the dev cluster, as two replicas of a Deployment run
 * it: leader election on a real Lease, controllers only on the leader, a
 * killed leader replaced by the other replica, metrics and probes served.
 */

jest.setTimeout(180_000);

const NAMESPACE = 'cairn-system';
const WATCHED = 'watched';
/** Past the 15 s lease, with room for the retry period and a slow machine. */
const TAKEOVER_WAIT_MS = 45_000;

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** A controller of the ConfigMaps in WATCHED that records the keys it reconciles. */
function recordingController(reconciled: string[]): ControllerFactory {
  return () => ({
    name: 'configmaps',
    for: { apiVersion: 'v1', kind: 'ConfigMap', namespace: WATCHED },
    reconcile: async key => {
      reconciled.push(key);
    },
  });
}

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

describe('the operators manager', () => {
  let stateDir: string;
  let cluster: DevCluster;
  let admin: KubeConfig;
  let core: CoreV1Api;
  let leases: CoordinationV1Api;
  const managers: Manager[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'operators-manager-test-'));
    cluster = await startDevCluster({
      stateDir,
      port: 0,
      tekton: false,
      runWorkloads: false,
    });
    admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
    core = admin.makeApiClient(CoreV1Api);
    leases = admin.makeApiClient(CoordinationV1Api);
    for (const name of [NAMESPACE, WATCHED]) {
      try {
        await core.createNamespace({ body: { metadata: { name } } });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    }
  });

  afterEach(async () => {
    await Promise.all(managers.splice(0).map(m => m.stop({ release: false })));
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function startReplica(
    lease: string,
    reconciled: string[],
    kubeConfig = admin,
    leaderElect = true,
  ): Promise<Manager> {
    const manager = await startOperatorManager(
      {
        ...WITHOUT_WEBHOOK,
        metricsBindAddress: '127.0.0.1:0',
        healthProbeBindAddress: '127.0.0.1:0',
        leaderElect,
        leaderElectionId: lease,
        namespace: NAMESPACE,
      },
      {
        kubeConfig,
        controllers: [recordingController(reconciled)],
        logger: silentLogger,
      },
    );
    managers.push(manager);
    return manager;
  }

  const readLease = (name: string) =>
    leases.readNamespacedLease({ name, namespace: NAMESPACE });

  async function createConfigMap(name: string) {
    await core.createNamespacedConfigMap({
      namespace: WATCHED,
      body: { metadata: { name }, data: { a: '1' } },
    });
  }

  it('elects one of two replicas; when the leader dies without releasing, the other leads after the lease runs out', async () => {
    const lease = 'takeover';
    const reconciled: [string[], string[]] = [[], []];
    const replicas = await Promise.all([
      startReplica(lease, reconciled[0]),
      startReplica(lease, reconciled[1]),
    ]);
    await until(() => replicas.some(r => r.isLeader()), 'one replica to lead');
    const leaderIndex = replicas.findIndex(r => r.isLeader());
    const leader = replicas[leaderIndex];
    const follower = replicas[1 - leaderIndex];
    expect(follower.isLeader()).toBe(false);

    const held = (await readLease(lease)).spec!;
    expect(held.holderIdentity).toBe(leader.identity);
    expect(held.leaseDurationSeconds).toBe(15);
    expect(held.acquireTime).toBeDefined();
    expect(held.renewTime).toBeDefined();
    expect(typeof held.leaseTransitions).toBe('number');

    // Only the leader's controllers run; the follower's caches are warm.
    await createConfigMap('before');
    await until(
      () => reconciled[leaderIndex].includes(`${WATCHED}/before`),
      'the leader to reconcile',
    );
    expect(reconciled[1 - leaderIndex]).toEqual([]);

    const leaderMetrics = await get(`${leader.metricsUrl}/metrics`);
    const followerMetrics = await get(`${follower.metricsUrl}/metrics`);
    expect(leaderMetrics.body).toContain(
      `leader_election_master_status{name="${lease}"} 1`,
    );
    expect(followerMetrics.body).toContain(
      `leader_election_master_status{name="${lease}"} 0`,
    );

    // The leader dies: it stops renewing and leaves the Lease as it is.
    await leader.stop({ release: false });
    const left = (await readLease(lease)).spec!;
    expect(left.holderIdentity).toBe(leader.identity);
    await until(
      () => follower.isLeader(),
      'the other replica to lead',
      TAKEOVER_WAIT_MS,
    );
    const taken = (await readLease(lease)).spec!;
    expect(taken.holderIdentity).toBe(follower.identity);
    expect(taken.leaseTransitions).toBe((held.leaseTransitions ?? 0) + 1);
    // Not before the lease ran out: 15 s after the dead leader's last renewal.
    const ms = (time: unknown) => new Date(time as string).getTime();
    expect(ms(taken.acquireTime) - ms(left.renewTime)).toBeGreaterThanOrEqual(
      15_000,
    );

    await createConfigMap('after');
    await until(
      () => reconciled[1 - leaderIndex].includes(`${WATCHED}/after`),
      'the new leader to reconcile',
    );
    expect(reconciled[leaderIndex]).not.toContain(`${WATCHED}/after`);
  });

  it('of five candidates racing for a released Lease, exactly one wins: writes carry the resourceVersion they read', async () => {
    // A released Lease: every candidate reads it free and writes to take it.
    await leases.createNamespacedLease({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'race' },
        spec: {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          leaseTransitions: 3,
        },
      },
    });
    const started: string[] = [];
    const electors = Array.from(
      { length: 5 },
      (_, i) =>
        new LeaderElector({
          kubeConfig: admin,
          namespace: NAMESPACE,
          name: 'race',
          identity: `candidate-${i}`,
          logger: silentLogger,
          onStartedLeading: () => started.push(`candidate-${i}`),
          onStoppedLeading: () => {},
        }),
    );
    for (const elector of electors) void elector.run();
    try {
      await until(
        () => electors.every(e => e.leader() !== ''),
        'every candidate to see a leader',
      );
      expect(started).toHaveLength(1);
      expect(electors.filter(e => e.isLeader())).toHaveLength(1);
      expect(new Set(electors.map(e => e.leader()))).toEqual(new Set(started));
      const spec = (await readLease('race')).spec!;
      expect(spec.holderIdentity).toBe(started[0]);
      expect(spec.leaseTransitions).toBe(4);
    } finally {
      await Promise.all(electors.map(e => e.stop()));
    }
  });

  it('stops its controllers and reports leader election lost when it cannot renew the Lease', async () => {
    const lease = 'lost';
    const leader = await startReplica(lease, []);
    await until(() => leader.isLeader(), 'the replica to lead');
    const outcome = leader.wait().then(
      () => 'stopped',
      (error: Error) => error.message,
    );
    // The API server refuses every Lease update from now on.
    cluster.server.setFaults({
      rules: [
        {
          verbs: ['update'],
          resources: ['leases.coordination.k8s.io'],
          errorRate: 1,
        },
      ],
    });
    try {
      expect(await outcome).toBe('leader election lost');
    } finally {
      cluster.server.setFaults(undefined);
    }
    expect(leader.isLeader()).toBe(false);
    const metrics = await fetch(`${leader.metricsUrl}/metrics`).catch(
      () => undefined,
    );
    // Its endpoints are closed with it.
    expect(metrics).toBeUndefined();
  });

  it('releases the Lease on a graceful stop, so the other replica leads without waiting out the lease', async () => {
    const lease = 'release';
    const first = await startReplica(lease, []);
    await until(() => first.isLeader(), 'the first replica to lead');
    const second = await startReplica(lease, []);
    await first.stop();
    const released = (await readLease(lease)).spec!;
    expect(released.holderIdentity).not.toBe(first.identity);
    await until(() => second.isLeader(), 'the second replica to lead');
    expect((await readLease(lease)).spec!.holderIdentity).toBe(second.identity);
  });

  it("serves controller-runtime's metrics, /healthz, and /readyz once its informers have synced", async () => {
    // A service account with no permissions yet: its informer cannot list.
    const account = 'manager-under-test';
    await core.createNamespacedServiceAccount({
      namespace: NAMESPACE,
      body: { metadata: { name: account } },
    });
    const { status } = await core.createNamespacedServiceAccountToken({
      name: account,
      namespace: NAMESPACE,
      body: { spec: { audiences: [] } },
    });
    const asAccount = new KubeConfig();
    asAccount.loadFromOptions({
      clusters: [admin.getCurrentCluster()!],
      users: [{ name: account, token: status!.token }],
      contexts: [
        {
          name: account,
          cluster: admin.getCurrentCluster()!.name,
          user: account,
        },
      ],
      currentContext: account,
    });
    const reconciled: string[] = [];
    const manager = await startReplica('unused', reconciled, asAccount, false);

    expect(await get(`${manager.probesUrl}/healthz`)).toEqual({
      status: 200,
      body: 'ok',
    });
    const notReady = await get(`${manager.probesUrl}/readyz`);
    expect(notReady.status).toBe(500);
    expect(notReady.body).toContain(
      '[-]informers failed: informers not synced: /api/v1/namespaces/watched/configmaps',
    );

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: WATCHED,
      body: {
        metadata: { name: 'configmap-reader' },
        rules: [
          {
            apiGroups: [''],
            resources: ['configmaps'],
            verbs: ['list', 'watch'],
          },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: WATCHED,
      body: {
        metadata: { name: 'configmap-reader' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'configmap-reader',
        },
        subjects: [
          { kind: 'ServiceAccount', name: account, namespace: NAMESPACE },
        ],
      },
    });
    await until(
      async () => (await get(`${manager.probesUrl}/readyz`)).status === 200,
      'readyz once the informer may list',
    );
    await until(
      () => reconciled.length > 0,
      'the controller to reconcile the ConfigMaps',
    );

    const metrics = (await get(`${manager.metricsUrl}/metrics`)).body;
    for (const name of [
      'controller_runtime_reconcile_total{controller="configmaps",result="success"}',
      'controller_runtime_reconcile_errors_total{controller="configmaps"} 0',
      'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="configmaps"}',
      'workqueue_depth{name="configmaps",controller="configmaps"}',
      'workqueue_adds_total{name="configmaps",controller="configmaps"}',
      'workqueue_queue_duration_seconds_bucket{le="1e-8",name="configmaps",controller="configmaps"}',
      'workqueue_work_duration_seconds_count{name="configmaps",controller="configmaps"}',
      'workqueue_retries_total{name="configmaps",controller="configmaps"} 0',
    ])
      expect(metrics).toContain(name);
    expect(metrics).toMatch(/^# TYPE leader_election_master_status gauge$/m);
    expect((await get(`${manager.metricsUrl}/nothing`)).status).toBe(404);
  });
  it('queues the owner of an owned object, and the keys a watch maps an object to', async () => {
    const reconciled: string[] = [];
    const manager = await startOperatorManager(
      {
        ...WITHOUT_WEBHOOK,
        metricsBindAddress: '0',
        healthProbeBindAddress: '0',
        leaderElect: false,
        leaderElectionId: 'unused',
        namespace: NAMESPACE,
      },
      {
        kubeConfig: admin,
        logger: silentLogger,
        controllers: [
          () => ({
            name: 'owners',
            for: { apiVersion: 'v1', kind: 'ConfigMap', namespace: WATCHED },
            owns: [{ apiVersion: 'v1', kind: 'Secret', namespace: WATCHED }],
            watches: [
              {
                kind: {
                  apiVersion: 'v1',
                  kind: 'ServiceAccount',
                  namespace: WATCHED,
                },
                // e.g. a Stone watching what it refers to by name
                map: object =>
                  object.metadata!.name!.startsWith('for-')
                    ? [`${WATCHED}/${object.metadata!.name!.slice(4)}`]
                    : [],
              },
            ],
            reconcile: async key => {
              reconciled.push(key);
            },
          }),
        ],
      },
    );
    managers.push(manager);
    const owner = await core.createNamespacedConfigMap({
      namespace: WATCHED,
      body: { metadata: { name: 'owner' } },
    });
    await until(
      () => reconciled.includes(`${WATCHED}/owner`),
      'the owner reconciled for itself',
    );
    reconciled.length = 0;
    await core.createNamespacedSecret({
      namespace: WATCHED,
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'owner',
              uid: owner.metadata!.uid!,
              controller: true,
            },
          ],
        },
      },
    });
    await until(
      () => reconciled.includes(`${WATCHED}/owner`),
      'the owner reconciled for its Secret',
    );
    await core.createNamespacedServiceAccount({
      namespace: WATCHED,
      body: { metadata: { name: 'for-mapped' } },
    });
    await until(
      () => reconciled.includes(`${WATCHED}/mapped`),
      'the key the watch maps the ServiceAccount to',
    );
    expect(reconciled).not.toContain(`${WATCHED}/for-mapped`);
  });

  it('runs from the command line, logs JSON, and on SIGTERM finishes, releases the Lease and exits 0', async () => {
    const lease = 'cli';
    const kubeconfigPath = path.join(stateDir, 'cli-kubeconfig');
    writeFileSync(kubeconfigPath, cluster.kubeconfig);
    // The command runs every registered controller, so the cluster needs
    // Cairn's CRDs, as `kubectl apply -k operators/deploy` installs them.
    const crds = path.join(__dirname, '..', '..', 'deploy', 'crds');
    for (const args of [
      ['apply', '-f', crds],
      ['wait', '--for=condition=established', '--timeout=60s', '-f', crds],
    ])
      await promisify(execFile)('kubectl', [
        '--kubeconfig',
        kubeconfigPath,
        ...args,
      ]);
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(__dirname, 'bin', 'manager.ts'),
        '--kubeconfig',
        kubeconfigPath,
        '--leader-elect',
        '--leader-election-id',
        lease,
        '--namespace',
        NAMESPACE,
        '--metrics-bind-address',
        '127.0.0.1:0',
        '--health-probe-bind-address',
        '127.0.0.1:0',
        '--placement-admission',
        'pod-node-selector',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout!.on('data', chunk => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>(resolve =>
      child.on('exit', code => resolve(code)),
    );
    try {
      await until(async () => {
        try {
          return !!(await readLease(lease)).spec?.holderIdentity;
        } catch {
          return false;
        }
      }, 'the command to take the Lease');
      const started = stdout
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line))
        .find(line => line.msg === 'manager started');
      expect(started).toMatchObject({
        level: 'info',
        leaderElection: true,
        metrics: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });
      expect((await get(`${started.probes}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect((await readLease(lease)).spec!.holderIdentity).toBe('');
    // Every line it wrote is a JSON object.
    for (const line of stdout.split('\n').filter(Boolean))
      expect(JSON.parse(line)).toHaveProperty('msg');
  });

  it('hands --rack-label to the Stone controller: its pods prefer racks by that node label', async () => {
    const kubeconfigPath = path.join(stateDir, 'rack-kubeconfig');
    writeFileSync(kubeconfigPath, cluster.kubeconfig);
    const kubectl = (args: string[]) =>
      promisify(execFile)('kubectl', ['--kubeconfig', kubeconfigPath, ...args]);
    const crds = path.join(__dirname, '..', '..', 'deploy', 'crds');
    await kubectl(['apply', '-f', crds]);
    await kubectl([
      'wait',
      '--for=condition=established',
      '--timeout=60s',
      '-f',
      crds,
    ]);
    managers.push(
      await startOperatorManager(
        {
          ...WITHOUT_WEBHOOK,
          metricsBindAddress: '0',
          healthProbeBindAddress: '0',
          leaderElect: false,
          leaderElectionId: 'rack-label',
          namespace: NAMESPACE,
          rackLabel: 'example.com/rack',
        },
        { kubeConfig: admin, logger: silentLogger },
      ),
    );
    const stone = {
      apiVersion: 'rollouts.cairn.dev/v1alpha1',
      kind: 'Stone',
      metadata: { name: 'racked', namespace: WATCHED },
      spec: {
        strategy: 'Alpha',
        template: {
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
        coordinates: [
          {
            group: 'a',
            replicas: 1,
            zoneset: [{ zone: 'local-1a', rack: 'r1', host: 'node-a1-1' }],
          },
        ],
      },
    };
    const file = path.join(stateDir, 'racked.json');
    writeFileSync(file, JSON.stringify(stone));
    await kubectl(['apply', '-f', file]);
    let pod: V1Pod | undefined;
    await until(async () => {
      try {
        pod = await core.readNamespacedPod({
          name: 'racked-a-0',
          namespace: WATCHED,
        });
        return true;
      } catch {
        return false;
      }
    }, 'the Stone’s pod');
    const preferred =
      pod!.spec!.affinity!.nodeAffinity!
        .preferredDuringSchedulingIgnoredDuringExecution!;
    expect(
      preferred.flatMap(p => p.preference.matchExpressions!.map(e => e.key)),
    ).toContain('example.com/rack');
  });
});
