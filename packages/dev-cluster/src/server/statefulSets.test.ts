import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { resolveMaxUnavailable } from './statefulSets';
import { startTestCluster, TestCluster } from './testing';

/*
 * apps/v1 StatefulSets as kubectl users and client-node see them.
 */

jest.setTimeout(90_000);

const NS = 'stateful';

function statefulSet(
  name: string,
  extraSpec = '',
  containerExtra = '',
): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  serviceName: ${name}
  replicas: 3
  selector:
    matchLabels: {app: ${name}}
${extraSpec
  .split('\n')
  .filter(Boolean)
  .map(line => `  ${line}`)
  .join('\n')}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: busybox
        command: ["sleep", "3600"]
${containerExtra
  .split('\n')
  .filter(Boolean)
  .map(line => `        ${line}`)
  .join('\n')}
`;
}

const CLAIMS = `volumeClaimTemplates:
- metadata: {name: data}
  spec:
    accessModes: [ReadWriteOnce]
    resources: {requests: {storage: 1Gi}}`;
const MOUNT = `volumeMounts:
- {name: data, mountPath: /data}`;

describe('resolveMaxUnavailable', () => {
  it('reads a number or a percentage of replicas, rounded down, at least 1', () => {
    expect(resolveMaxUnavailable(undefined, 5)).toBe(1);
    expect(resolveMaxUnavailable(2, 5)).toBe(2);
    expect(resolveMaxUnavailable('50%', 5)).toBe(2);
    expect(resolveMaxUnavailable('10%', 5)).toBe(1);
    expect(resolveMaxUnavailable('100%', 4)).toBe(4);
  });
});

describe('StatefulSets on the dev cluster', () => {
  let cluster: TestCluster;
  let apps: AppsV1Api;
  let core: CoreV1Api;

  const kubectl = (...args: string[]) => cluster.kubectl(['-n', NS, ...args]);
  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], yaml);
  const podNames = async (selector: string) =>
    (
      await core.listNamespacedPod({ namespace: NS, labelSelector: selector })
    ).items
      .map(p => p.metadata!.name!)
      .sort();
  const claimNames = async () =>
    (await core.listNamespacedPersistentVolumeClaim({ namespace: NS })).items
      .filter(c => !c.metadata!.deletionTimestamp)
      .map(c => c.metadata!.name!)
      .sort();
  const rolledOut = (name: string) =>
    kubectl('rollout', 'status', `sts/${name}`, '--timeout=60s');

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

  it('applies a StatefulSet and runs its pods in order, each with its own claim', async () => {
    const applied = await apply(statefulSet('web', CLAIMS, MOUNT));
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe('statefulset.apps/web created\n');
    const status = await rolledOut('web');
    // With a partition (0 by default) kubectl reports a partitioned roll-out.
    expect(status.stdout).toMatch(
      /partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/,
    );
    expect((await kubectl('get', 'sts', 'web')).stdout).toMatch(
      /^NAME\s+READY\s+AGE\nweb\s+3\/3\s+\d+s\n$/,
    );
    const pods = (
      await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })
    ).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
    expect(pods.map(p => p.metadata!.name)).toEqual([
      'web-0',
      'web-1',
      'web-2',
    ]);
    pods.forEach((pod, ordinal) => {
      expect(pod.spec!.hostname).toBe(`web-${ordinal}`);
      expect(pod.spec!.subdomain).toBe('web');
      expect(pod.metadata!.labels).toMatchObject({
        'statefulset.kubernetes.io/pod-name': `web-${ordinal}`,
        'apps.kubernetes.io/pod-index': String(ordinal),
      });
      expect(pod.spec!.volumes).toContainEqual({
        name: 'data',
        persistentVolumeClaim: { claimName: `data-web-${ordinal}` },
      });
    });
    // OrderedReady: each pod was created only once its predecessor was ready.
    for (let ordinal = 1; ordinal < 3; ordinal++) {
      const readySince = pods[ordinal - 1].status!.conditions!.find(
        c => c.type === 'Ready',
      )!.lastTransitionTime!;
      expect(
        pods[ordinal].metadata!.creationTimestamp!.getTime(),
      ).toBeGreaterThanOrEqual(readySince.getTime());
    }
    const claims = (
      await core.listNamespacedPersistentVolumeClaim({ namespace: NS })
    ).items;
    expect(claims.map(c => [c.metadata!.name, c.status!.phase]).sort()).toEqual(
      [
        ['data-web-0', 'Bound'],
        ['data-web-1', 'Bound'],
        ['data-web-2', 'Bound'],
      ],
    );
    expect(claims[0].metadata!.labels).toEqual({ app: 'web' });
    const set = await apps.readNamespacedStatefulSet({
      name: 'web',
      namespace: NS,
    });
    expect(set.spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0 },
      },
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      },
      revisionHistoryLimit: 10,
    });
    expect(set.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      currentRevision: set.status!.updateRevision,
    });
  });

  it('gives a replaced pod its name and its data back', async () => {
    await kubectl('exec', 'web-0', '--', 'sh', '-c', 'echo kept > data/file');
    const uid = (await core.readNamespacedPod({ name: 'web-0', namespace: NS }))
      .metadata!.uid;
    // kubectl waits for the pod's DELETED event, which it must see before
    // the controller recreates the pod under the same name.
    expect(
      (await kubectl('delete', 'pod', 'web-0', '--timeout=30s')).code,
    ).toBe(0);
    const currentUid = () =>
      core.readNamespacedPod({ name: 'web-0', namespace: NS }).then(
        p => p.metadata!.uid,
        () => uid,
      );
    while ((await currentUid()) === uid)
      await new Promise(resolve => setTimeout(resolve, 100));
    await kubectl(
      'wait',
      '--for=condition=Ready',
      'pod/web-0',
      '--timeout=30s',
    );
    expect(
      (await kubectl('exec', 'web-0', '--', 'cat', 'data/file')).stdout,
    ).toBe('kept\n');
  });

  it('scales down from the highest ordinal and keeps the claims (Retain)', async () => {
    await kubectl('exec', 'web-1', '--', 'sh', '-c', 'echo one > data/file');
    const scaled = await kubectl('scale', 'sts', 'web', '--replicas=1');
    expect(scaled.stdout).toBe('statefulset.apps/web scaled\n');
    await kubectl(
      'wait',
      '--for=delete',
      'pod/web-1',
      'pod/web-2',
      '--timeout=30s',
    );
    expect(await podNames('app=web')).toEqual(['web-0']);
    expect(await claimNames()).toEqual([
      'data-web-0',
      'data-web-1',
      'data-web-2',
    ]);
    const deletions = (
      await kubectl(
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=web,reason=SuccessfulDelete',
        '-o',
        'jsonpath={.items[*].message}',
      )
    ).stdout;
    expect(deletions).toContain(
      'delete Pod web-2 in StatefulSet web successful delete Pod web-1 in StatefulSet web successful',
    );
    await kubectl('scale', 'sts', 'web', '--replicas=2');
    await rolledOut('web');
    expect(
      (await kubectl('exec', 'web-1', '--', 'cat', 'data/file')).stdout,
    ).toBe('one\n');
  });

  it('deletes the claims of removed pods when whenScaled is Delete', async () => {
    await kubectl(
      'patch',
      'sts',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete"}}}',
    );
    await kubectl('scale', 'sts', 'web', '--replicas=1');
    const gone = await kubectl(
      'wait',
      '--for=delete',
      'pvc/data-web-1',
      '--timeout=30s',
    );
    expect(gone.code).toBe(0);
    expect(await claimNames()).toEqual(['data-web-0', 'data-web-2']);
  });

  it('rolls out a new template from the highest ordinal, down to the partition', async () => {
    await kubectl('scale', 'sts', 'web', '--replicas=3');
    await rolledOut('web');
    const before = await apps.readNamespacedStatefulSet({
      name: 'web',
      namespace: NS,
    });
    await kubectl(
      'patch',
      'sts',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}',
    );
    await kubectl('set', 'image', 'sts/web', 'main=busybox:1.36');
    const partitioned = await rolledOut('web');
    expect(partitioned.stdout).toMatch(
      /partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/,
    );
    const images = async () =>
      Object.fromEntries(
        (
          await core.listNamespacedPod({
            namespace: NS,
            labelSelector: 'app=web',
          })
        ).items.map(p => [p.metadata!.name, p.spec!.containers[0].image]),
      );
    expect(await images()).toEqual({
      'web-0': 'busybox',
      'web-1': 'busybox:1.36',
      'web-2': 'busybox:1.36',
    });
    await kubectl(
      'patch',
      'sts',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}',
    );
    const complete = await rolledOut('web');
    const after = await apps.readNamespacedStatefulSet({
      name: 'web',
      namespace: NS,
    });
    expect(complete.stdout).toMatch(
      /partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/,
    );
    expect(after.status!.updateRevision).not.toBe(
      before.status!.updateRevision,
    );
    expect(after.status!.currentRevision).toBe(after.status!.updateRevision);
    expect(await images()).toEqual({
      'web-0': 'busybox:1.36',
      'web-1': 'busybox:1.36',
      'web-2': 'busybox:1.36',
    });
    const revisions = (
      await kubectl('get', 'controllerrevisions', '-o', 'name')
    ).stdout;
    expect(revisions).toContain(
      `controllerrevision.apps/${before.status!.updateRevision}`,
    );
    expect(revisions).toContain(
      `controllerrevision.apps/${after.status!.updateRevision}`,
    );
    const history = (await kubectl('rollout', 'history', 'sts/web')).stdout;
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    // Undo goes back to the first template.
    await kubectl('rollout', 'undo', 'sts/web');
    await rolledOut('web');
    expect(Object.values(await images())).toEqual([
      'busybox',
      'busybox',
      'busybox',
    ]);
  });

  it('replaces pods only as they are deleted with OnDelete', async () => {
    await kubectl(
      'patch',
      'sts',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}',
    );
    await kubectl('set', 'image', 'sts/web', 'main=busybox:1.37');
    const set = await apps.readNamespacedStatefulSet({
      name: 'web',
      namespace: NS,
    });
    expect(set.status!.updateRevision).not.toBe(set.status!.currentRevision);
    // Not waiting for the deletion: the controller recreates web-2 at once
    // under the same name, and what matters is the new pod's image.
    await kubectl('delete', 'pod', 'web-2', '--wait=false');
    await kubectl(
      'wait',
      '--for=jsonpath={.spec.containers[0].image}=busybox:1.37',
      'pod/web-2',
      '--timeout=30s',
    );
    const web0 = await core.readNamespacedPod({ name: 'web-0', namespace: NS });
    expect(web0.spec!.containers[0].image).toBe('busybox');
  });

  it('creates pods one at a time (OrderedReady) or all at once (Parallel)', async () => {
    const neverReady = `readinessProbe:
  exec: {command: ["false"]}
  periodSeconds: 1`;
    await apply(statefulSet('ordered', '', neverReady));
    await apply(
      statefulSet('parallel', 'podManagementPolicy: Parallel', neverReady),
    );
    await kubectl(
      'wait',
      '--for=jsonpath={.status.phase}=Running',
      'pod/ordered-0',
      'pod/parallel-0',
      'pod/parallel-1',
      'pod/parallel-2',
      '--timeout=30s',
    );
    expect(await podNames('app=parallel')).toEqual([
      'parallel-0',
      'parallel-1',
      'parallel-2',
    ]);
    expect(await podNames('app=ordered')).toEqual(['ordered-0']);
    expect((await kubectl('get', 'sts', 'ordered')).stdout).toMatch(
      /ordered\s+0\/3/,
    );
  });

  it('rejects changes Kubernetes forbids', async () => {
    const changed = await kubectl(
      'patch',
      'sts',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"serviceName":"other"}}',
    );
    expect(changed.stderr).toContain(
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  it('deletes the claims with the set when whenDeleted is Delete', async () => {
    await apply(
      statefulSet(
        'scratch',
        `${CLAIMS}\npersistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}`,
        MOUNT,
      ).replace('replicas: 3', 'replicas: 1'),
    );
    await rolledOut('scratch');
    expect(await claimNames()).toContain('data-scratch-0');
    await kubectl('delete', 'sts', 'scratch');
    const gone = await kubectl(
      'wait',
      '--for=delete',
      'pvc/data-scratch-0',
      '--timeout=30s',
    );
    expect(gone.code).toBe(0);
  });
});
