import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Pod,
} from '@kubernetes/client-node';
import { ImageCatalog } from '../kubelet/imageCatalog';
import { startTestCluster, TestCluster } from './testing';

/*
 * Images and in-place updates as a controller sees them: the image catalog
 * decides what pulls and what runs, imageID names the digest that runs, a
 * patched image restarts only its container, and readiness gates hold Ready.
 */

jest.setTimeout(120_000);

const NAMESPACE = 'images';
const catalog = ImageCatalog.load();

function imageIdOf(image: string): string {
  const pull = catalog.pull(image);
  if (!pull.ok) throw new Error(pull.message);
  return pull.imageID;
}

/** Polls `read` until it returns something, for at most a minute. */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe('images and in-place updates on the dev cluster', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;

  const readPod = (name: string) =>
    core.readNamespacedPod({ name, namespace: NAMESPACE });
  const podWhere = (name: string, holds: (pod: V1Pod) => boolean) =>
    eventually(async () => {
      const pod = await readPod(name);
      return holds(pod) ? pod : undefined;
    });
  const statusOf = (pod: V1Pod, container: string) =>
    pod.status?.containerStatuses?.find(c => c.name === container);
  const eventsOf = async (pod: string) =>
    (
      await core.listNamespacedEvent({
        namespace: NAMESPACE,
        fieldSelector: `involvedObject.name=${pod}`,
      })
    ).items.sort(
      (a, b) =>
        Number(a.metadata?.resourceVersion) -
        Number(b.metadata?.resourceVersion),
    );

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await cluster.kubectl(['create', 'namespace', NAMESPACE]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('runs `kubectl run --image=busybox -- <args>` as the image would: the args on an empty entrypoint', async () => {
    const run = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'run',
      'hello',
      '--image=alpine:3.20',
      '--restart=Never',
      '--',
      'sh',
      '-c',
      'echo hello from $HOSTNAME',
    ]);
    expect(run.code).toBe(0);
    const pod = await podWhere('hello', p => p.status?.phase === 'Succeeded');
    expect(statusOf(pod, 'hello')).toMatchObject({
      image: 'docker.io/library/alpine:3.20',
      imageID: imageIdOf('alpine:3.20'),
    });
    const logs = await cluster.kubectl(['-n', NAMESPACE, 'logs', 'hello']);
    expect(logs.stdout).toBe('hello from hello\n');

    await cluster.kubectl([
      '-n',
      NAMESPACE,
      'run',
      'sleeper',
      '--image=busybox',
      '--',
      'sleep',
      '1d',
    ]);
    const sleeper = await podWhere(
      'sleeper',
      p => p.status?.phase === 'Running',
    );
    expect(statusOf(sleeper, 'sleeper')?.imageID).toMatch(
      /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/,
    );
    // A real process: what it runs is visible to exec.
    const ps = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'exec',
      'sleeper',
      '--',
      'sh',
      '-c',
      'echo alive',
    ]);
    expect(ps.stdout).toBe('alive\n');
  });

  it('fails an unknown tag of a known image with ErrImagePull, then ImagePullBackOff', async () => {
    await cluster.kubectl([
      '-n',
      NAMESPACE,
      'run',
      'no-such-tag',
      '--image=busybox:9.99',
      '--',
      'sleep',
      '1d',
    ]);
    const pod = await podWhere(
      'no-such-tag',
      p =>
        statusOf(p, 'no-such-tag')?.state?.waiting?.reason ===
        'ImagePullBackOff',
    );
    expect(pod.status?.phase).toBe('Pending');
    expect(statusOf(pod, 'no-such-tag')?.state?.waiting?.message).toContain(
      'docker.io/library/busybox:9.99: not found',
    );
    const events = await eventsOf('no-such-tag');
    expect(events.map(e => [e.reason, e.message])).toEqual(
      expect.arrayContaining([
        ['Pulling', 'Pulling image "busybox:9.99"'],
        [
          'Failed',
          expect.stringMatching(
            /^Failed to pull image "busybox:9.99": rpc error: code = NotFound/,
          ),
        ],
        ['Failed', 'Error: ErrImagePull'],
        ['BackOff', 'Back-off pulling image "busybox:9.99"'],
        ['Failed', 'Error: ImagePullBackOff'],
      ]),
    );
  });

  it('replaces a patched image in place: only that container restarts, the pod keeps its UID, IP, node and volumes', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'web' },
        spec: {
          volumes: [{ name: 'data', emptyDir: {} }],
          containers: [
            {
              name: 'app',
              image: 'busybox:1.36',
              command: ['sh', '-c', 'echo started >> data/starts; sleep 1d'],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
            {
              name: 'side',
              image: 'alpine:3.20',
              args: ['sleep', '1d'],
            },
          ],
        },
      },
    });
    const before = await podWhere(
      'web',
      p =>
        p.status?.phase === 'Running' &&
        Boolean(p.status.containerStatuses?.every(c => c.ready)),
    );
    expect(statusOf(before, 'app')?.imageID).toBe(imageIdOf('busybox:1.36'));

    await core.patchNamespacedPod(
      {
        name: 'web',
        namespace: NAMESPACE,
        body: {
          spec: { containers: [{ name: 'app', image: 'busybox:1.37' }] },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const after = await podWhere(
      'web',
      p =>
        statusOf(p, 'app')?.imageID === imageIdOf('busybox:1.37') &&
        Boolean(statusOf(p, 'app')?.ready),
    );
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.status?.podIP).toBe(before.status?.podIP);
    expect(after.spec?.nodeName).toBe(before.spec?.nodeName);
    expect(statusOf(after, 'app')).toMatchObject({
      image: 'docker.io/library/busybox:1.37',
      restartCount: 1,
      // SIGTERM ended the old instance (a shell that is not PID 1 obeys it).
      lastState: { terminated: { exitCode: 143, reason: 'Error' } },
    });
    expect(statusOf(after, 'app')?.containerID).not.toBe(
      statusOf(before, 'app')?.containerID,
    );
    expect(statusOf(after, 'side')).toEqual(statusOf(before, 'side'));
    // The emptyDir kept what the first instance wrote.
    const starts = await eventually(async () => {
      const read = await cluster.kubectl([
        '-n',
        NAMESPACE,
        'exec',
        'web',
        '-c',
        'app',
        '--',
        'cat',
        'data/starts',
      ]);
      return read.stdout.length > 'started\n'.length ? read.stdout : undefined;
    });
    expect(starts).toBe('started\nstarted\n');

    const events = (await eventsOf('web'))
      .filter(e => e.involvedObject.fieldPath === 'spec.containers{app}')
      .map(e => [e.reason, e.message]);
    expect(events.slice(-5)).toEqual([
      ['Killing', 'Container app definition changed, will be restarted'],
      ['Pulling', 'Pulling image "busybox:1.37"'],
      [
        'Pulled',
        expect.stringMatching(
          /^Successfully pulled image "busybox:1.37" in \d+ms \(\d+ms including waiting\)\. Image size: \d+ bytes\.$/,
        ),
      ],
      ['Created', 'Created container: app'],
      ['Started', 'Started container app'],
    ]);
  });

  it('holds Ready until every readiness gate condition is True, and ContainersReady apart from them', async () => {
    const gate = 'example.com/in-place-ready';
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'gated' },
        spec: {
          readinessGates: [{ conditionType: gate }],
          containers: [
            { name: 'app', image: 'busybox:1.36', args: ['sleep', '1d'] },
          ],
        },
      },
    });
    const condition = (pod: V1Pod, type: string) =>
      pod.status?.conditions?.find(c => c.type === type);
    const waiting = await podWhere(
      'gated',
      p => condition(p, 'ContainersReady')?.status === 'True',
    );
    expect(condition(waiting, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: `corresponding condition of pod readiness gate "${gate}" does not exist.`,
    });

    const setGate = (status: string) =>
      core.patchNamespacedPodStatus(
        {
          name: 'gated',
          namespace: NAMESPACE,
          body: {
            status: {
              conditions: [
                {
                  type: gate,
                  status,
                  lastTransitionTime: new Date(),
                },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    await setGate('True');
    const ready = await podWhere(
      'gated',
      p => condition(p, 'Ready')?.status === 'True',
    );
    expect(condition(ready, gate)?.status).toBe('True');

    await setGate('False');
    const unready = await podWhere(
      'gated',
      p => condition(p, 'Ready')?.status === 'False',
    );
    expect(condition(unready, 'Ready')).toMatchObject({
      reason: 'ReadinessGatesNotReady',
      message: `the status of pod readiness gate "${gate}" is not "True", but False`,
    });
    expect(condition(unready, 'ContainersReady')?.status).toBe('True');
  });

  it('writes no status once a pod whose readiness gate a controller set is stable', async () => {
    const gate = 'example.com/settled';
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'settled' },
        spec: {
          readinessGates: [{ conditionType: gate }],
          containers: [
            { name: 'app', image: 'busybox:1.36', args: ['sleep', '1d'] },
          ],
        },
      },
    });
    // As a controller sets its gate: a strategic merge patch of one condition.
    const setGate = (status: string) =>
      core.patchNamespacedPodStatus(
        {
          name: 'settled',
          namespace: NAMESPACE,
          body: {
            status: {
              conditions: [
                {
                  type: gate,
                  status,
                  reason: 'Set',
                  lastTransitionTime: new Date(),
                },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    await setGate('False');
    await setGate('True');
    const ready = await podWhere(
      'settled',
      p =>
        p.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True',
    );
    // A metadata change makes the kubelet sync the pod again; with nothing
    // of its own to change, it writes nothing.
    await core.patchNamespacedPod(
      {
        name: 'settled',
        namespace: NAMESPACE,
        body: { metadata: { labels: { synced: 'again' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const labelled = await readPod('settled');
    // Long enough for hundreds of writes of a status that flips back and forth.
    await new Promise(resolve => setTimeout(resolve, 2000));
    const settled = await readPod('settled');
    expect(settled.metadata?.resourceVersion).toBe(
      labelled.metadata?.resourceVersion,
    );
    expect(settled.status).toEqual(ready.status);
  });
});
