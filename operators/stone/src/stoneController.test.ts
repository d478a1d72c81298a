import { CoreV1Api, CustomObjectsApi, V1Pod } from '@kubernetes/client-node';
import { Manager } from '@cairn/controller-runtime';
import {
  OperatorsTestCluster,
  startOperatorsTestCluster,
} from '@cairn/operators-testing';
import type { FaultInjection } from '@cairn/dev-cluster';
import { Stone, StoneStage } from '@cairn/operators-api';
import { stoneController } from './stoneController';

/*
 * The Stone controller against the dev cluster, run by a manager holding
 * only operators/deploy's ServiceAccount token (a missing RBAC rule fails
 * here): a first release through Alpha → Beta → Omega → Release by patching
 * spec.strategy, 3 groups over 3 zones, then an image update in place
 * through the same stages.
 */

jest.setTimeout(600_000);

const NAMESPACE = 'shop';

let operators: OperatorsTestCluster;
let kubectl: OperatorsTestCluster['kubectl'];
let waitFor: OperatorsTestCluster['waitFor'];
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: Manager;

/** A manager replica as the Deployment runs it, with the operators' token. */
const startManager = () =>
  operators.startManager(stoneController(), {
    // Short, so the test waits less for a dead leader's Lease.
    leaseDurationMs: 4000,
    renewDeadlineMs: 3000,
    retryPeriodMs: 500,
  });

beforeAll(async () => {
  operators = await startOperatorsTestCluster({
    established: ['crd/stones.rollouts.cairn.dev'],
  });
  ({ kubectl, waitFor } = operators);
  await kubectl(['create', 'namespace', NAMESPACE]);
  core = operators.admin.makeApiClient(CoreV1Api);
  custom = operators.admin.makeApiClient(CustomObjectsApi);
  manager = await startManager();
});

afterAll(async () => {
  await manager?.stop();
  await operators?.dispose();
});

const zoneset = (zone: 'a' | 'b' | 'c') => [
  {
    zone: `local-1${zone}`,
    rack: `local-1${zone}-r1`,
    host: `node-${zone}1-1`,
  },
  {
    zone: `local-1${zone}`,
    rack: `local-1${zone}-r1`,
    host: `node-${zone}1-2`,
  },
  {
    zone: `local-1${zone}`,
    rack: `local-1${zone}-r2`,
    host: `node-${zone}2-1`,
  },
];

const STONE = {
  apiVersion: 'rollouts.cairn.dev/v1alpha1',
  kind: 'Stone',
  metadata: { name: 'web', namespace: NAMESPACE },
  spec: {
    strategy: 'Alpha',
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'busybox:1.36',
            command: ['sleep', '1d'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'alpine:3.20', command: ['sleep', '1d'] },
        ],
        terminationGracePeriodSeconds: 1,
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '10Mi' } },
        },
      },
    ],
    service: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    // Omega (one pod per listed host) is 3 of each group's 4 pods.
    coordinates: (['a', 'b', 'c'] as const).map(zone => ({
      group: zone,
      replicas: 4,
      zoneset: zoneset(zone),
    })),
  },
};

const readStone = async () =>
  (await custom.getNamespacedCustomObject({
    group: 'rollouts.cairn.dev',
    version: 'v1alpha1',
    namespace: NAMESPACE,
    plural: 'stones',
    name: 'web',
  })) as Stone;

const listPods = async (): Promise<V1Pod[]> =>
  (
    await core.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: 'rollouts.cairn.dev/stone=web',
    })
  ).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));

const names = (pods: V1Pod[]) => pods.map(p => p.metadata!.name);
const revision = (pod: V1Pod) =>
  pod.metadata!.labels!['controller-revision-hash'];
const container = (pod: V1Pod, name: string) =>
  pod.status!.containerStatuses!.find(c => c.name === name)!;

async function setStrategy(strategy: StoneStage) {
  await kubectl([
    'patch',
    'stone',
    'web',
    '-n',
    NAMESPACE,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { strategy } }),
  ]);
}

/** Waits until the Stone reports the stage complete with nothing left to do, and returns it with its pods. */
async function stageCompleted(stage: StoneStage, podCount: number) {
  const stone = await waitFor(
    readStone,
    s =>
      s.status?.observedGeneration === s.metadata.generation &&
      s.status?.stage === stage &&
      s.status.stageComplete &&
      s.status.conditions.some(
        c => c.type === 'Progressing' && c.reason === 'StageComplete',
      ),
    `stage ${stage} to complete`,
  );
  const pods = await waitFor(
    listPods,
    p =>
      p.length === podCount && p.every(pod => !pod.metadata!.deletionTimestamp),
    `${podCount} pods`,
  );
  return { stone, pods };
}

const nodeZones = new Map<string, string>();
/** The claims of the released pods, by name. */
const claimUids = new Map<string, string>();

/** Each pod runs in its group's zone, on the host its zoneset entry lists. */
async function expectPlaced(pods: V1Pod[]) {
  if (!nodeZones.size) {
    for (const node of (await core.listNode()).items) {
      nodeZones.set(
        node.metadata!.name!,
        node.metadata!.labels!['topology.kubernetes.io/zone'],
      );
    }
  }
  for (const pod of pods) {
    const group = pod.metadata!.labels!['rollouts.cairn.dev/group'] as
      | 'a'
      | 'b'
      | 'c';
    const index = Number(pod.metadata!.labels!['rollouts.cairn.dev/pod-index']);
    const entry = zoneset(group)[index % 3];
    expect([pod.metadata!.name, nodeZones.get(pod.spec!.nodeName!)]).toEqual([
      pod.metadata!.name,
      entry.zone,
    ]);
    expect([pod.metadata!.name, pod.spec!.nodeName]).toEqual([
      pod.metadata!.name,
      entry.host,
    ]);
  }
}

describe('a first release', () => {
  it('Alpha: only the first pod of the first group', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(STONE));
    const { stone, pods } = await stageCompleted('Alpha', 1);
    expect(names(pods)).toEqual(['web-a-0']);
    expect(revision(pods[0])).toBe(stone.status!.updateRevision);
    expect(stone.status).toMatchObject({
      replicas: 1,
      readyReplicas: 1,
      updatedReplicas: 1,
      updatedReadyReplicas: 1,
      desiredReplicas: 1,
    });
    expect(stone.status!.currentRevision).toBeUndefined();
    await expectPlaced(pods);
  });

  it('Beta: one pod per group', async () => {
    await setStrategy('Beta');
    const { pods } = await stageCompleted('Beta', 3);
    expect(names(pods)).toEqual(['web-a-0', 'web-b-0', 'web-c-0']);
    await expectPlaced(pods);
  });

  it('Omega: one pod per listed host in every group', async () => {
    await setStrategy('Omega');
    const { pods } = await stageCompleted('Omega', 9);
    expect(names(pods)).toEqual(
      ['a', 'b', 'c'].flatMap(g => [0, 1, 2].map(i => `web-${g}-${i}`)),
    );
    await expectPlaced(pods);
  });

  it('Release: every pod; the revision becomes current', async () => {
    await setStrategy('Release');
    const { stone, pods } = await stageCompleted('Release', 12);
    await expectPlaced(pods);
    expect(stone.status).toMatchObject({
      replicas: 12,
      readyReplicas: 12,
      updatedReplicas: 12,
      currentRevision: stone.status!.updateRevision,
      groups: ['a', 'b', 'c'].map(group => ({
        group,
        replicas: 4,
        readyReplicas: 4,
        updatedReplicas: 4,
      })),
    });
    expect(new Set(pods.map(revision))).toEqual(
      new Set([stone.status!.updateRevision]),
    );
    const claims = (
      await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE })
    ).items;
    expect(claims.map(c => [c.metadata!.name, c.status?.phase]).sort()).toEqual(
      pods.map(p => [`data-${p.metadata!.name}`, 'Bound']).sort(),
    );
    for (const claim of claims) {
      claimUids.set(claim.metadata!.name!, claim.metadata!.uid!);
    }
  });

  it('serves all pods as <stone> and each group as <stone>-<group>', async () => {
    const services = (
      await core.listNamespacedService({ namespace: NAMESPACE })
    ).items;
    expect(
      services.map(s => [s.metadata!.name, s.spec!.selector]).sort(),
    ).toEqual([
      ['web', { 'rollouts.cairn.dev/stone': 'web' }],
      ...['a', 'b', 'c'].map(g => [
        `web-${g}`,
        { 'rollouts.cairn.dev/stone': 'web', 'rollouts.cairn.dev/group': g },
      ]),
    ]);
  });
});

describe('an image update in place', () => {
  let before: Map<string, V1Pod>;
  let oldRevision: string;

  it('Alpha: one patch of template and strategy updates only the first pod, in place', async () => {
    const released = await readStone();
    oldRevision = released.status!.updateRevision!;
    before = new Map((await listPods()).map(p => [p.metadata!.name!, p]));
    // Data in each pod's claim, written as a user would: through exec into
    // the container that mounts it (at data/, relative to the container's
    // root — the dev cluster has no mount namespace).
    for (const name of before.keys()) {
      await kubectl([
        'exec',
        '-n',
        NAMESPACE,
        name,
        '-c',
        'app',
        '--',
        'sh',
        '-c',
        `echo written-before-the-update-by-${name} > data/marker`,
      ]);
    }
    await kubectl([
      'patch',
      'stone',
      'web',
      '-n',
      NAMESPACE,
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'busybox:1.37',
        },
        { op: 'replace', path: '/spec/strategy', value: 'Alpha' },
      ]),
    ]);
    const { stone, pods } = await stageCompleted('Alpha', 12);
    const newRevision = stone.status!.updateRevision!;
    expect(newRevision).not.toBe(oldRevision);
    expect(stone.status).toMatchObject({
      currentRevision: oldRevision,
      updatedReplicas: 1,
      updatedReadyReplicas: 1,
      readyReplicas: 12,
    });
    for (const pod of pods) {
      const old = before.get(pod.metadata!.name!)!;
      const updated = pod.metadata!.name === 'web-a-0';
      expect([pod.metadata!.name, revision(pod)]).toEqual([
        pod.metadata!.name,
        updated ? newRevision : oldRevision,
      ]);
      expect(pod.metadata!.uid).toBe(old.metadata!.uid);
      expect(pod.status!.podIP).toBe(old.status!.podIP);
      expect(pod.spec!.nodeName).toBe(old.spec!.nodeName);
      expect(container(pod, 'app').restartCount).toBe(
        container(old, 'app').restartCount + (updated ? 1 : 0),
      );
      expect(container(pod, 'sidecar').restartCount).toBe(
        container(old, 'sidecar').restartCount,
      );
    }
    const alpha = pods.find(p => p.metadata!.name === 'web-a-0')!;
    const alphaBefore = before.get('web-a-0')!;
    expect(container(alpha, 'app').imageID).toMatch(
      /^docker\.io\/library\/busybox@sha256:/,
    );
    expect(container(alpha, 'app').imageID).not.toBe(
      container(alphaBefore, 'app').imageID,
    );
    expect(
      alpha.status!.conditions!.find(
        c => c.type === 'rollouts.cairn.dev/in-place-ready',
      )?.status,
    ).toBe('True');
  });

  it('Release: every pod updated in place exactly once, though the leader dies midway', async () => {
    await setStrategy('Release');
    await waitFor(
      readStone,
      s => (s.status?.updatedReplicas ?? 0) >= 5,
      'five pods updated',
    );
    // The leader dies (its Lease is not released); another replica takes
    // over once the Lease expires and finishes from what the cluster shows.
    await manager.stop({ release: false });
    manager = await startManager();
    const { stone, pods } = await stageCompleted('Release', 12);
    expect(stone.status).toMatchObject({
      currentRevision: stone.status!.updateRevision,
      updatedReplicas: 12,
      updatedReadyReplicas: 12,
    });
    for (const pod of pods) {
      const old = before.get(pod.metadata!.name!)!;
      expect(pod.metadata!.uid).toBe(old.metadata!.uid);
      expect(pod.status!.podIP).toBe(old.status!.podIP);
      expect(container(pod, 'app').restartCount).toBe(
        container(old, 'app').restartCount + 1,
      );
      expect(container(pod, 'sidecar').restartCount).toBe(
        container(old, 'sidecar').restartCount,
      );
    }
  });

  it('kept each pod’s claim and its data', async () => {
    const claims = (
      await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE })
    ).items;
    expect(
      new Map(claims.map(c => [c.metadata!.name!, c.metadata!.uid!])),
    ).toEqual(claimUids);
    for (const name of before.keys()) {
      const read = await kubectl([
        'exec',
        '-n',
        NAMESPACE,
        name,
        '-c',
        'app',
        '--',
        'cat',
        'data/marker',
      ]);
      expect(read).toBe(`written-before-the-update-by-${name}\n`);
    }
  });

  it('recorded every stage on the Stone as events', async () => {
    const events = (
      await core.listNamespacedEvent({
        namespace: NAMESPACE,
        fieldSelector: 'involvedObject.kind=Stone,involvedObject.name=web',
      })
    ).items;
    const stages = (reason: string) =>
      events
        .filter(e => e.reason === reason)
        .map(e => /^stage (\w+)/.exec(e.message!)?.[1]);
    expect(stages('StageStarted')).toEqual([
      'Alpha',
      'Beta',
      'Omega',
      'Release',
      'Alpha',
      'Release',
    ]);
    // A stage whose pods stop being ready and recover completes again.
    const completed = stages('StageCompleted').filter(
      (stage, i, all) => stage !== all[i - 1],
    );
    expect(completed).toEqual(stages('StageStarted'));
    expect(events.filter(e => e.type === 'Warning')).toEqual([]);
  });
});

describe('a crash-looping new version', () => {
  let before: Map<string, V1Pod>;
  let goodRevision: string;
  const setCommand = (command: string[]) =>
    kubectl([
      'patch',
      'stone',
      'web',
      '-n',
      NAMESPACE,
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/command',
          value: command,
        },
        { op: 'replace', path: '/spec/strategy', value: 'Alpha' },
      ]),
    ]);

  it('pauses the Stone when the recreated Alpha pod crash-loops', async () => {
    goodRevision = (await readStone()).status!.updateRevision!;
    before = new Map((await listPods()).map(p => [p.metadata!.name!, p]));
    // A new command cannot be applied in place: the pod is recreated.
    await setCommand(['false']);
    const stone = await waitFor(
      readStone,
      s =>
        s.status?.observedGeneration === s.metadata.generation &&
        !!s.status?.conditions.some(
          c => c.type === 'Paused' && c.status === 'True',
        ),
      'the Stone to pause',
    );
    const condition = (type: string) =>
      stone.status!.conditions.find(c => c.type === type);
    expect(condition('Paused')).toMatchObject({
      reason: 'CrashLoopBackOff',
      message: expect.stringMatching(
        /^pod web-a-0: container app: CrashLoopBackOff/,
      ),
    });
    expect(condition('Degraded')).toMatchObject({
      status: 'True',
      reason: 'CrashLoopBackOff',
    });
    expect(condition('Progressing')).toMatchObject({ status: 'False' });
    const alpha = (await listPods()).find(p => p.metadata!.name === 'web-a-0')!;
    expect(alpha.metadata!.uid).not.toBe(before.get('web-a-0')!.metadata!.uid);
  });

  it('stays paused when the next stage is approved, touching no other pod', async () => {
    await setStrategy('Beta');
    const stone = await waitFor(
      readStone,
      s =>
        s.status?.observedGeneration === s.metadata.generation &&
        s.status?.stage === 'Beta',
      'the Stone to observe Beta',
    );
    expect(
      stone.status!.conditions.find(c => c.type === 'Paused'),
    ).toMatchObject({ status: 'True', reason: 'CrashLoopBackOff' });
    const others = (await listPods()).filter(
      p => p.metadata!.name !== 'web-a-0',
    );
    expect(others).toHaveLength(11);
    for (const pod of others) {
      const old = before.get(pod.metadata!.name!)!;
      expect([pod.metadata!.name, pod.metadata!.uid, revision(pod)]).toEqual([
        pod.metadata!.name,
        old.metadata!.uid,
        goodRevision,
      ]);
    }
    const warnings = (
      await core.listNamespacedEvent({
        namespace: NAMESPACE,
        fieldSelector: 'involvedObject.kind=Stone,involvedObject.name=web',
      })
    ).items.filter(e => e.type === 'Warning');
    expect(warnings.map(e => e.reason)).toContain('Paused');
  });

  it('resumes on a rollback to the good template', async () => {
    await setCommand(['sleep', '1d']);
    const { stone, pods } = await stageCompleted('Alpha', 12);
    expect(stone.status).toMatchObject({
      updateRevision: goodRevision,
      currentRevision: goodRevision,
      readyReplicas: 12,
      updatedReadyReplicas: 12,
    });
    expect(
      stone.status!.conditions.find(c => c.type === 'Paused'),
    ).toMatchObject({ status: 'False' });
    for (const pod of pods.filter(p => p.metadata!.name !== 'web-a-0')) {
      expect(pod.metadata!.uid).toBe(
        before.get(pod.metadata!.name!)!.metadata!.uid,
      );
    }
    // The recreated pod has its claim back, as a StatefulSet's pod has.
    const claims = (
      await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE })
    ).items;
    expect(
      new Map(claims.map(c => [c.metadata!.name!, c.metadata!.uid!])),
    ).toEqual(claimUids);
    const alpha = pods.find(p => p.metadata!.name === 'web-a-0')!;
    expect(alpha.spec!.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-web-a-0' },
    });
  });
});

describe('a bad image, pre-pulled', () => {
  let before: Map<string, V1Pod>;
  let goodRevision: string;
  const patchStone = (operations: object[]) =>
    kubectl([
      'patch',
      'stone',
      'web',
      '-n',
      NAMESPACE,
      '--type=json',
      '-p',
      JSON.stringify(operations),
    ]);
  const listPrePullPods = async () =>
    (
      await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: 'rollouts.cairn.dev/pre-pull-for=web',
      })
    ).items;

  it('pauses on the pull failure before any serving pod is touched', async () => {
    goodRevision = (await readStone()).status!.updateRevision!;
    before = new Map((await listPods()).map(p => [p.metadata!.name!, p]));
    await patchStone([
      { op: 'add', path: '/spec/updateStrategy', value: { prePull: true } },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/image',
        value: 'busybox:9.99',
      },
    ]);
    const stone = await waitFor(
      readStone,
      s =>
        s.status?.observedGeneration === s.metadata.generation &&
        !!s.status?.conditions.some(
          c => c.type === 'Paused' && c.status === 'True',
        ),
      'the Stone to pause',
    );
    const [pull] = await listPrePullPods();
    expect(pull.spec!.nodeName).toBe(before.get('web-a-0')!.spec!.nodeName);
    expect(
      stone.status!.conditions.find(c => c.type === 'Paused'),
    ).toMatchObject({
      reason: 'ImagePullBackOff',
      message: expect.stringContaining(
        `pre-pull pod ${pull.metadata!.name} on node ${
          pull.spec!.nodeName
        }: container pull-0: ImagePullBackOff`,
      ),
    });
    for (const pod of await listPods()) {
      const old = before.get(pod.metadata!.name!)!;
      expect([
        pod.metadata!.name,
        pod.metadata!.uid,
        revision(pod),
        container(pod, 'app').restartCount,
        container(pod, 'app').ready,
      ]).toEqual([
        pod.metadata!.name,
        old.metadata!.uid,
        goodRevision,
        container(old, 'app').restartCount,
        true,
      ]);
    }
  });

  it('resumes on a rollback, and the pre-pull pods go', async () => {
    await patchStone([
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/image',
        value: 'busybox:1.37',
      },
    ]);
    const { stone } = await stageCompleted('Alpha', 12);
    expect(stone.status!.updateRevision).toBe(goodRevision);
    expect(
      stone.status!.conditions.find(c => c.type === 'Paused'),
    ).toMatchObject({ status: 'False' });
    await waitFor(
      listPrePullPods,
      pods => pods.length === 0,
      'no pre-pull pods',
    );
  });
});

describe('the loss of a rack', () => {
  // Without claims: a local volume would keep a pod on its node.
  const API = {
    apiVersion: 'rollouts.cairn.dev/v1alpha1',
    kind: 'Stone',
    metadata: { name: 'api', namespace: NAMESPACE },
    spec: {
      strategy: 'Release',
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'busybox:1.37', command: ['sleep', '1d'] },
          ],
          terminationGracePeriodSeconds: 1,
        },
      },
      coordinates: [{ group: 'a', replicas: 3, zoneset: zoneset('a') }],
    },
  };
  const apiPods = async () =>
    (
      await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: 'rollouts.cairn.dev/stone=api',
      })
    ).items;
  const ready = (pod?: V1Pod) =>
    !!pod?.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    );

  it('replaces its pods on the zone’s other rack', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(API));
    const released = await waitFor(
      apiPods,
      pods => pods.length === 3 && pods.every(ready),
      'the api Stone released',
    );
    const rack = ['node-a1-1', 'node-a1-2', 'node-a1-3'];
    const lost = released.filter(p => rack.includes(p.spec!.nodeName!));
    expect(names(lost).sort()).toEqual(['api-a-0', 'api-a-1']);
    for (const node of rack) await kubectl(['cordon', node]);
    await kubectl([
      'delete',
      'pod',
      '-n',
      NAMESPACE,
      '--wait=false',
      ...names(lost).map(String),
    ]);
    const replaced = await waitFor(
      apiPods,
      pods =>
        pods.length === 3 &&
        lost.every(old => {
          const pod = pods.find(p => p.metadata!.name === old.metadata!.name);
          return pod?.metadata!.uid !== old.metadata!.uid && ready(pod);
        }),
      'the lost pods to be replaced and ready',
    );
    const nodes = (await core.listNode()).items;
    const rackOf = (node: string) =>
      nodes.find(n => n.metadata!.name === node)!.metadata!.labels![
        'topology.cairn.dev/rack'
      ];
    for (const old of lost) {
      const pod = replaced.find(p => p.metadata!.name === old.metadata!.name)!;
      expect([pod.metadata!.name, rackOf(pod.spec!.nodeName!)]).toEqual([
        pod.metadata!.name,
        'local-1a-r2',
      ]);
    }
  });
});

describe('the operator restarted at every step of an in-place update', () => {
  const STEPS = {
    apiVersion: 'rollouts.cairn.dev/v1alpha1',
    kind: 'Stone',
    metadata: { name: 'steps', namespace: NAMESPACE },
    spec: {
      strategy: 'Release',
      template: {
        metadata: { labels: { app: 'steps' } },
        spec: {
          containers: [
            { name: 'app', image: 'busybox:1.36', command: ['sleep', '1d'] },
          ],
          terminationGracePeriodSeconds: 1,
        },
      },
      coordinates: [{ group: 'a', replicas: 3, zoneset: zoneset('a') }],
    },
  };
  const stepPods = async () =>
    (
      await core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: 'rollouts.cairn.dev/stone=steps',
      })
    ).items;
  const readSteps = async () =>
    (await custom.getNamespacedCustomObject({
      group: 'rollouts.cairn.dev',
      version: 'v1alpha1',
      namespace: NAMESPACE,
      plural: 'stones',
      name: 'steps',
    })) as Stone;
  const gate = (pod: V1Pod) =>
    pod.status?.conditions?.find(
      c => c.type === 'rollouts.cairn.dev/in-place-ready',
    )?.status;
  const complete = (s: Stone) =>
    s.status?.observedGeneration === s.metadata.generation &&
    !!s.status?.stageComplete &&
    s.status.currentRevision === s.status.updateRevision;
  /** The manager dies where it stands (its Lease not released); a new one starts under the given faults. */
  async function restartManager(faults?: FaultInjection) {
    await manager.stop({ release: false });
    operators.cluster.server.setFaults(faults);
    manager = await startManager();
  }
  // The API server refuses the manager's in-place image patches (pods) or
  // its gate writes (pods/status), holding it at one step until it dies.
  const refuse = (subresource: string): FaultInjection => ({
    rules: [
      {
        verbs: ['patch'],
        resources: ['pods'],
        subresources: [subresource],
        errorRate: 1,
      },
    ],
  });

  afterAll(() => operators?.cluster.server.setFaults(undefined));

  it('converges, every pod updated in place exactly once', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(STEPS));
    await waitFor(readSteps, complete, 'the steps Stone released');
    const before = new Map((await stepPods()).map(p => [p.metadata!.name!, p]));
    expect(before.size).toBe(3);

    operators.cluster.server.setFaults(refuse(''));
    await kubectl([
      'patch',
      'stone',
      'steps',
      '-n',
      NAMESPACE,
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'busybox:1.37',
        },
      ]),
    ]);
    // 1. After the gate went False, before the image patch.
    const [first] = (
      await waitFor(
        stepPods,
        pods => pods.some(p => gate(p) === 'False'),
        'a pod taken out of its endpoints',
      )
    ).filter(p => gate(p) === 'False');
    const firstName = first.metadata!.name!;
    expect(first.spec!.containers[0].image).toBe('busybox:1.36');
    await restartManager(refuse('status'));

    // 2. After the image patch, before the kubelet has run the new image.
    const readFirst = () =>
      core.readNamespacedPod({ name: firstName, namespace: NAMESPACE });
    await waitFor(
      readFirst,
      p => p.spec!.containers[0].image === 'busybox:1.37',
      'the image patched',
    );
    await restartManager(refuse('status'));

    // 3. The new container runs and is ready; the gate is not True yet.
    const updated = await waitFor(
      readFirst,
      p =>
        container(p, 'app')?.ready &&
        container(p, 'app').imageID !==
          container(before.get(firstName)!, 'app').imageID,
      'the new image running',
    );
    expect(gate(updated)).toBe('False');
    await restartManager(undefined);

    const stone = await waitFor(readSteps, complete, 'the update to finish');
    expect(stone.status).toMatchObject({ replicas: 3, updatedReplicas: 3 });
    const after = await stepPods();
    expect(after.length).toBe(3);
    for (const pod of after) {
      const old = before.get(pod.metadata!.name!)!;
      expect([
        pod.metadata!.name,
        pod.metadata!.uid,
        revision(pod),
        container(pod, 'app').restartCount,
        gate(pod),
      ]).toEqual([
        old.metadata!.name,
        old.metadata!.uid,
        stone.status!.updateRevision,
        container(old, 'app').restartCount + 1,
        'True',
      ]);
    }
  });
});
