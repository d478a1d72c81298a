import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from './testing';

/*
 * apps/v1 DaemonSets as kubectl users and client-node see them.
 */

jest.setTimeout(90_000);

const NS = 'daemons';

function daemonSet(name: string, podSpec = ''): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${podSpec
  .split('\n')
  .filter(Boolean)
  .map(line => `      ${line}`)
  .join('\n')}
      containers:
      - name: main
        image: busybox
        command: ["sleep", "3600"]
`;
}

describe('DaemonSets on the dev cluster', () => {
  let cluster: TestCluster;
  let apps: AppsV1Api;
  let core: CoreV1Api;

  const kubectl = (...args: string[]) => cluster.kubectl(['-n', NS, ...args]);
  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], yaml);
  const nodesOf = async (name: string) =>
    (
      await core.listNamespacedPod({
        namespace: NS,
        labelSelector: `app=${name}`,
      })
    ).items
      .filter(p => !p.metadata!.deletionTimestamp)
      .map(p => p.spec!.nodeName ?? '')
      .sort();
  const rolledOut = (name: string) =>
    kubectl('rollout', 'status', `ds/${name}`, '--timeout=60s');

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await cluster.kubectl(['create', 'namespace', NS]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('runs one pod on every node and rolls out a new template node by node', async () => {
    const applied = await apply(daemonSet('agent'));
    expect(applied.stdout).toBe('daemonset.apps/agent created\n');
    expect((await rolledOut('agent')).stdout).toMatch(
      /daemon set "agent" successfully rolled out\n$/,
    );
    const nodes = (await core.listNode()).items.map(n => n.metadata!.name!);
    expect(await nodesOf('agent')).toEqual([...nodes].sort());
    const table = (await kubectl('get', 'ds', 'agent')).stdout.split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
    ]);
    expect(table[1]).toMatch(
      /^agent\s+18\s+18\s+18\s+18\s+18\s+<none>\s+\d+s$/,
    );
    const pod = (
      await core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app=agent',
      })
    ).items[0];
    expect(pod.spec!.tolerations).toContainEqual({
      key: 'node.kubernetes.io/unschedulable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
    expect(
      pod.spec!.affinity!.nodeAffinity!
        .requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms,
    ).toEqual([
      {
        matchFields: [
          {
            key: 'metadata.name',
            operator: 'In',
            values: [pod.spec!.nodeName],
          },
        ],
      },
    ]);

    await kubectl('set', 'image', 'ds/agent', 'main=busybox:1.36');
    expect((await rolledOut('agent')).stdout).toMatch(
      /daemon set "agent" successfully rolled out\n$/,
    );
    const images = (
      await core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app=agent',
      })
    ).items
      .filter(p => !p.metadata!.deletionTimestamp)
      .map(p => p.spec!.containers[0].image);
    expect(images).toEqual(Array(18).fill('busybox:1.36'));
    const set = await apps.readNamespacedDaemonSet({
      name: 'agent',
      namespace: NS,
    });
    expect(set.spec!.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    const revisions = (await kubectl('rollout', 'history', 'ds/agent')).stdout;
    expect(revisions).toMatch(
      /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/,
    );
  });

  it('follows node labels: pods come and go as nodes match the node selector', async () => {
    await cluster.kubectl(['label', 'node', 'node-a1-1', 'role=edge']);
    await apply(daemonSet('edge', 'nodeSelector: {role: edge}'));
    await rolledOut('edge');
    expect(await nodesOf('edge')).toEqual(['node-a1-1']);
    expect((await kubectl('get', 'ds', 'edge')).stdout).toMatch(
      /edge\s+1\s+1\s+1\s+1\s+1\s+role=edge/,
    );
    await cluster.kubectl(['label', 'node', 'node-b1-1', 'role=edge']);
    await kubectl(
      'wait',
      '--for=jsonpath={.status.numberReady}=2',
      'ds/edge',
      '--timeout=30s',
    );
    expect(await nodesOf('edge')).toEqual(['node-a1-1', 'node-b1-1']);
    await cluster.kubectl(['label', 'node', 'node-a1-1', 'role-']);
    await kubectl(
      'wait',
      '--for=jsonpath={.status.desiredNumberScheduled}=1',
      'ds/edge',
      '--timeout=30s',
    );
    await kubectl(
      'wait',
      '--for=delete',
      'pods',
      '-l',
      'app=edge',
      '--field-selector',
      'spec.nodeName=node-a1-1',
      '--timeout=30s',
    );
    expect(await nodesOf('edge')).toEqual(['node-b1-1']);
  });

  it('keeps off nodes whose NoSchedule taints it does not tolerate', async () => {
    await cluster.kubectl([
      'taint',
      'node',
      'node-c1-1',
      'dedicated=infra:NoSchedule',
    ]);
    const onNode = 'nodeSelector: {kubernetes.io/hostname: node-c1-1}';
    await apply(daemonSet('plain', onNode));
    await apply(
      daemonSet(
        'tolerant',
        `${onNode}
tolerations:
- {key: dedicated, operator: Equal, value: infra, effect: NoSchedule}`,
      ),
    );
    await rolledOut('tolerant');
    await kubectl(
      'wait',
      '--for=jsonpath={.status.observedGeneration}=1',
      'ds/plain',
      '--timeout=30s',
    );
    expect(await nodesOf('tolerant')).toEqual(['node-c1-1']);
    expect(await nodesOf('plain')).toEqual([]);
    expect(
      (await apps.readNamespacedDaemonSet({ name: 'plain', namespace: NS }))
        .status!.desiredNumberScheduled,
    ).toBe(0);
  });

  it('rejects what Kubernetes rejects', async () => {
    const bad = await apply(
      daemonSet('bad').replace(
        'spec:\n  selector',
        'spec:\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 0}}\n  selector',
      ),
    );
    expect(bad.stderr).toContain(
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    );
  });
});
