import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { budgetHealth } from './disruption';
import { startTestCluster, TestCluster } from './testing';

/*
 * policy/v1 PodDisruptionBudgets, the pods/eviction subresource and kubectl
 * drain, as users meet them.
 */

jest.setTimeout(90_000);

const NS = 'budgets';

describe('budgetHealth', () => {
  it('computes desired healthy pods and allowed disruptions as the disruption controller does', () => {
    expect(budgetHealth({ minAvailable: 2 }, 3, 3)).toEqual({
      expectedPods: 3,
      desiredHealthy: 2,
      currentHealthy: 3,
      disruptionsAllowed: 1,
    });
    // Percentages round up.
    expect(budgetHealth({ minAvailable: '50%' }, 3, 3).desiredHealthy).toBe(2);
    expect(budgetHealth({ maxUnavailable: '50%' }, 3, 3).desiredHealthy).toBe(
      1,
    );
    expect(budgetHealth({ maxUnavailable: 1 }, 4, 2)).toMatchObject({
      desiredHealthy: 3,
      disruptionsAllowed: 0,
    });
  });
});

describe('PodDisruptionBudgets and evictions on the dev cluster', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;

  const kubectl = (...args: string[]) => cluster.kubectl(['-n', NS, ...args]);
  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], yaml);
  const podsOf = async (app: string) =>
    (
      await core.listNamespacedPod({
        namespace: NS,
        labelSelector: `app=${app}`,
      })
    ).items.filter(p => !p.metadata!.deletionTimestamp);
  const deployment = (
    name: string,
    replicas: number,
    command = '[sleep, "3600"]',
  ) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - {name: main, image: busybox, command: ${command}}
`;
  const budget = (name: string, rule: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ${name}, namespace: ${NS}}
spec:
  ${rule}
  selector: {matchLabels: {app: ${name}}}
`;

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await cluster.kubectl(['create', 'namespace', NS]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('keeps the budget status and answers 429 to an eviction it forbids', async () => {
    // Pods that ignore SIGTERM stay Terminating for their grace period.
    await apply(
      deployment(
        'web',
        3,
        '[sh, -c, "trap \'\' TERM; while true; do sleep 1; done"]',
      ),
    );
    await kubectl('rollout', 'status', 'deploy/web', '--timeout=60s');
    await apply(budget('web', 'minAvailable: 2'));
    await kubectl(
      'wait',
      '--for=jsonpath={.status.disruptionsAllowed}=1',
      'pdb/web',
      '--timeout=30s',
    );
    expect((await kubectl('get', 'pdb', 'web')).stdout).toMatch(
      /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+1\s+\d+s\n$/,
    );
    const pdb = JSON.parse(
      (await kubectl('get', 'pdb', 'web', '-o', 'json')).stdout,
    );
    expect(pdb.status).toMatchObject({
      expectedPods: 3,
      desiredHealthy: 2,
      currentHealthy: 3,
      disruptionsAllowed: 1,
    });
    expect(pdb.status.conditions[0]).toMatchObject({
      type: 'DisruptionAllowed',
      status: 'True',
      reason: 'SufficientPods',
    });

    const [first, second] = await podsOf('web');
    const evict = (name: string) =>
      core.createNamespacedPodEviction({
        name,
        namespace: NS,
        body: { metadata: { name, namespace: NS } },
      });
    await evict(first.metadata!.name!);
    const evicted = await core.readNamespacedPod({
      name: first.metadata!.name!,
      namespace: NS,
    });
    expect(evicted.metadata!.deletionTimestamp).toBeDefined();
    expect(evicted.status!.conditions).toContainEqual(
      expect.objectContaining({
        type: 'DisruptionTarget',
        reason: 'EvictionByEvictionAPI',
      }),
    );
    // The budget's one disruption is taken until a replacement is ready.
    const refused = await evict(second.metadata!.name!).catch(e => e);
    expect(refused).toBeInstanceOf(ApiException);
    expect(refused.code).toBe(429);
    const status = JSON.parse(refused.body);
    expect(status.message).toBe(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect(status.details.causes[0]).toEqual({
      reason: 'DisruptionBudget',
      message: expect.stringMatching(
        /^The disruption budget web needs 2 healthy pods and has [23] currently$/,
      ),
    });
  });

  it('drains a node: cordons it, evicts its pods, which run elsewhere', async () => {
    await apply(deployment('api', 2));
    await kubectl('rollout', 'status', 'deploy/api', '--timeout=60s');
    await apply(budget('api', 'maxUnavailable: 1'));
    await kubectl(
      'wait',
      '--for=jsonpath={.status.disruptionsAllowed}=1',
      'pdb/api',
      '--timeout=30s',
    );
    const node = (await podsOf('api'))[0].spec!.nodeName!;
    const drained = await cluster.kubectl([
      'drain',
      node,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=60s',
    ]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain(`node/${node} cordoned\n`);
    expect(drained.stdout).toMatch(/pod\/api-\S+ evicted\n/);
    expect(drained.stdout).toContain(`node/${node} drained\n`);
    const onNode = (
      await core.listPodForAllNamespaces({
        fieldSelector: `spec.nodeName=${node}`,
      })
    ).items.filter(p => !p.metadata!.deletionTimestamp);
    expect(onNode).toEqual([]);
    expect((await core.readNode({ name: node })).spec!.unschedulable).toBe(
      true,
    );
    await kubectl('rollout', 'status', 'deploy/api', '--timeout=60s');
    expect((await podsOf('api')).every(p => p.spec!.nodeName !== node)).toBe(
      true,
    );
    await cluster.kubectl(['uncordon', node]);
  });

  it('makes kubectl drain wait and retry while the budget forbids evictions', async () => {
    await apply(deployment('db', 1));
    await kubectl('rollout', 'status', 'deploy/db', '--timeout=60s');
    await apply(budget('db', 'minAvailable: 1'));
    await kubectl(
      'wait',
      '--for=jsonpath={.status.expectedPods}=1',
      'pdb/db',
      '--timeout=30s',
    );
    const node = (await podsOf('db'))[0].spec!.nodeName!;
    const drained = await cluster.kubectl([
      'drain',
      node,
      '--ignore-daemonsets',
      '--pod-selector=app=db',
      '--timeout=2s',
    ]);
    expect(drained.code).not.toBe(0);
    expect(drained.stderr).toContain(
      `error when evicting pods/"${
        (await podsOf('db'))[0].metadata!.name
      }" -n "${NS}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
    );
    expect(await podsOf('db')).toHaveLength(1);
    await cluster.kubectl(['uncordon', node]);
  });

  it('rejects a budget with both minAvailable and maxUnavailable', async () => {
    const bad = await apply(
      budget('both', 'minAvailable: 1\n  maxUnavailable: 1'),
    );
    expect(bad.stderr).toContain(
      'minAvailable and maxUnavailable cannot be both set',
    );
  });
});
