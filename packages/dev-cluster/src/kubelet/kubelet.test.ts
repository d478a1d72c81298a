import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { V1Pod, V1PodSpec, V1PodStatus } from '@kubernetes/client-node';
import { ProcessRuntime } from '../runtime/processRuntime';
import { KubeletEvent } from './events';
import { defaultNodes } from '../topology';
import { Kubelet } from './kubelet';

let stateDir: string;
let runtime: ProcessRuntime;
let kubelet: Kubelet;
let statuses: V1PodStatus[];
let events: KubeletEvent[];
let waiters: Array<() => void>;
let terminated: string[];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'kubelet-'));
  runtime = new ProcessRuntime({ stateDir });
  statuses = [];
  events = [];
  waiters = [];
  terminated = [];
  const notify = () => waiters.forEach(check => check());
  kubelet = new Kubelet({
    nodeName: 'node-a1-1',
    hostIP: '127.0.1.1',
    podCIDR: '127.244.0.0/24',
    runtime,
    backoff: { initialMs: 100, maxMs: 400 },
    serviceEnv: {
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: '6443',
    },
    onPodStatus: (_pod, status) => {
      statuses.push(status);
      notify();
    },
    onEvent: event => {
      events.push(event);
      notify();
    },
    onPodTerminated: pod => {
      terminated.push(pod.metadata!.name!);
      notify();
    },
  });
});

afterEach(async () => {
  await kubelet.stop();
  await runtime.shutdown();
  rmSync(stateDir, { recursive: true, force: true });
});

let uid = 0;
function makePod(spec: Partial<V1PodSpec>, name = 'web'): V1Pod {
  uid++;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${uid}` },
    spec: {
      nodeName: 'node-a1-1',
      containers: [{ name: 'app', image: 'busybox:1.36' }],
      ...spec,
    },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
    },
  };
}

/** Resolves with the first reported status (from now on or already) that satisfies the predicate. */
function statusWhere(
  predicate: (status: V1PodStatus) => boolean,
): Promise<V1PodStatus> {
  return new Promise(resolve => {
    const check = () => {
      const found = statuses.find(predicate);
      if (found) {
        waiters = waiters.filter(w => w !== check);
        resolve(found);
      }
    };
    waiters.push(check);
    check();
  });
}

function eventWhere(
  predicate: (event: KubeletEvent) => boolean,
): Promise<KubeletEvent> {
  return new Promise(resolve => {
    const check = () => {
      const found = events.find(predicate);
      if (found) {
        waiters = waiters.filter(w => w !== check);
        resolve(found);
      }
    };
    waiters.push(check);
    check();
  });
}

const appStatus = (status: V1PodStatus) =>
  status.containerStatuses?.find(c => c.name === 'app');
const condition = (status: V1PodStatus, type: string) =>
  status.conditions?.find(c => c.type === type);

describe('Kubelet', () => {
  it('runs a pod to completion with the kubelet events and a Succeeded phase', async () => {
    const pod = makePod({
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'echo done'],
        },
      ],
    });
    kubelet.syncPod(pod);
    const done = await statusWhere(s => s.phase === 'Succeeded');
    expect(appStatus(done)).toMatchObject({
      ready: false,
      restartCount: 0,
      image: 'docker.io/library/busybox:1.36',
      imageID: expect.stringMatching(/^docker\.io\/library\/busybox@sha256:/),
      containerID: expect.stringMatching(/^cairn:\/\//),
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(statuses[0]).toMatchObject({
      phase: 'Pending',
      podIP: '127.244.0.2',
      hostIP: '127.0.1.1',
      containerStatuses: [
        { name: 'app', state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    expect(events.map(e => [e.reason, e.message])).toEqual([
      ['Pulling', 'Pulling image "busybox:1.36"'],
      [
        'Pulled',
        expect.stringMatching(
          /^Successfully pulled image "busybox:1.36" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.$/,
        ),
      ],
      ['Created', 'Created container: app'],
      ['Started', 'Started container app'],
    ]);
    expect(events[0].involvedObject).toMatchObject({
      kind: 'Pod',
      name: 'web',
      fieldPath: 'spec.containers{app}',
    });
    expect(condition(done, 'PodScheduled')).toMatchObject({ status: 'True' });
    expect(runtime.readLogs(pod.metadata!.uid!, 'app')).toBe('done\n');
  });

  it('keeps an idle pod Running and Ready, and restarts only a container whose image changed', async () => {
    const pod = makePod({
      containers: [
        { name: 'app', image: 'busybox:1.36' },
        { name: 'side', image: 'busybox:1.36' },
      ],
    });
    kubelet.syncPod(pod);
    const ready = await statusWhere(
      s => condition(s, 'Ready')?.status === 'True',
    );
    expect(ready.phase).toBe('Running');
    const before = appStatus(ready)!;
    const sideBefore = ready.containerStatuses!.find(c => c.name === 'side')!;
    expect(
      events.filter(e => e.reason === 'Pulled').map(e => e.message)[1],
    ).toBe('Container image "busybox:1.36" already present on machine');

    const updated: V1Pod = {
      ...pod,
      spec: {
        ...pod.spec!,
        containers: [
          { name: 'app', image: 'busybox:1.37' },
          { name: 'side', image: 'busybox:1.36' },
        ],
      },
    };
    kubelet.syncPod(updated);
    const restarted = await statusWhere(
      s =>
        appStatus(s)?.restartCount === 1 &&
        Boolean(appStatus(s)?.state?.running),
    );
    const after = appStatus(restarted)!;
    expect(after.containerID).not.toBe(before.containerID);
    expect(after.imageID).not.toBe(before.imageID);
    expect(after.image).toBe('docker.io/library/busybox:1.37');
    expect(after.lastState).toMatchObject({
      terminated: { containerID: before.containerID },
    });
    expect(restarted.podIP).toBe(ready.podIP);
    expect(
      restarted.containerStatuses!.find(c => c.name === 'side'),
    ).toMatchObject({
      containerID: sideBefore.containerID,
      restartCount: 0,
    });
    expect(events.map(e => e.message)).toContain(
      'Container app definition changed, will be restarted',
    );
  });

  it('backs off restarting a crashing container', async () => {
    const pod = makePod({
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'echo crash; exit 2'],
        },
      ],
    });
    kubelet.syncPod(pod);
    const looping = await statusWhere(
      s => appStatus(s)?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(looping.phase).toBe('Running');
    expect(appStatus(looping)).toMatchObject({
      ready: false,
      lastState: { terminated: { exitCode: 2, reason: 'Error' } },
      state: {
        waiting: {
          message: expect.stringMatching(
            new RegExp(
              `^back-off \\d+ms restarting failed container=app pod=web_default\\(${
                pod.metadata!.uid
              }\\)$`,
            ),
          ),
        },
      },
    });
    expect(condition(looping, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
    await eventWhere(
      e =>
        e.reason === 'BackOff' &&
        e.message ===
          `Back-off restarting failed container app in pod web_default(${
            pod.metadata!.uid
          })`,
    );
    await statusWhere(s => (appStatus(s)?.restartCount ?? 0) >= 2);
    expect(
      runtime.readLogs(pod.metadata!.uid!, 'app', { previous: true }),
    ).toBe('crash\n');
  });

  it('fails to pull images from the .invalid domain, then backs off', async () => {
    const pod = makePod({
      containers: [{ name: 'app', image: 'registry.invalid/app:1' }],
    });
    kubelet.syncPod(pod);
    const backingOff = await statusWhere(
      s => appStatus(s)?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(backingOff.phase).toBe('Pending');
    const pullError =
      'rpc error: code = Unknown desc = failed to pull and unpack image "registry.invalid/app:1": failed to resolve reference "registry.invalid/app:1": failed to do request: Head "https://registry.invalid/v2/app/manifests/1": dial tcp: lookup registry.invalid: no such host';
    expect(appStatus(backingOff)!.state!.waiting!.message).toBe(
      `Back-off pulling image "registry.invalid/app:1": ErrImagePull: ${pullError}`,
    );
    expect(
      statuses.some(
        s => appStatus(s)?.state?.waiting?.reason === 'ErrImagePull',
      ),
    ).toBe(true);
    expect(events.slice(0, 5).map(e => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'Pulling', 'Pulling image "registry.invalid/app:1"'],
      [
        'Warning',
        'Failed',
        `Failed to pull image "registry.invalid/app:1": ${pullError}`,
      ],
      ['Warning', 'Failed', 'Error: ErrImagePull'],
      ['Normal', 'BackOff', 'Back-off pulling image "registry.invalid/app:1"'],
      ['Warning', 'Failed', 'Error: ImagePullBackOff'],
    ]);
  });

  it('reports ErrImagePull, then ImagePullBackOff (never CrashLoopBackOff) for a running container patched to an unknown tag', async () => {
    const pod = makePod({});
    kubelet.syncPod(pod);
    await statusWhere(s => condition(s, 'Ready')?.status === 'True');
    kubelet.syncPod({
      ...pod,
      spec: {
        ...pod.spec!,
        containers: [{ name: 'app', image: 'busybox:0.0.0-no-such-tag' }],
      },
    });
    const from = statuses.length;
    await statusWhere(
      s =>
        statuses.indexOf(s) >= from &&
        appStatus(s)?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    // Several pull back-offs: the old container's exit never counts as a crash.
    await statusWhere(
      () =>
        events.filter(
          e => e.reason === 'Failed' && e.message === 'Error: ImagePullBackOff',
        ).length >= 3,
    );
    const reasons = statuses
      .slice(from)
      .map(s => appStatus(s)?.state?.waiting?.reason)
      .filter(Boolean);
    expect(reasons[0]).toBe('ErrImagePull');
    expect(new Set(reasons)).toEqual(
      new Set(['ErrImagePull', 'ImagePullBackOff']),
    );
    expect(
      events.some(e => e.message.startsWith('Back-off restarting failed')),
    ).toBe(false);
  });

  it('starts the back-off of a crash-looping container afresh when its image changes', async () => {
    const crashing = (image: string) => [
      { name: 'app', image, command: ['sh', '-c', 'exit 2'] },
    ];
    const pod = makePod({ containers: crashing('busybox:1.36') });
    kubelet.syncPod(pod);
    // The back-off has grown to its cap (400ms in these tests).
    await statusWhere(s =>
      Boolean(
        appStatus(s)?.state?.waiting?.message?.startsWith('back-off 400ms'),
      ),
    );
    kubelet.syncPod({
      ...pod,
      spec: { ...pod.spec!, containers: crashing('busybox:1.37') },
    });
    const from = statuses.length;
    const looping = await statusWhere(
      s =>
        statuses.indexOf(s) >= from &&
        appStatus(s)?.image === 'docker.io/library/busybox:1.37' &&
        appStatus(s)?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(appStatus(looping)?.state?.waiting?.message).toMatch(
      /^back-off 100ms /,
    );
  });

  it('runs init containers first, sharing volumes, then the app', async () => {
    const mounts = [{ name: 'work', mountPath: '/work' }];
    const pod = makePod({
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        {
          name: 'init',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'echo prepared > work/state'],
          volumeMounts: mounts,
        },
      ],
      containers: [
        { name: 'app', image: 'busybox:1.36', volumeMounts: mounts },
      ],
    });
    kubelet.syncPod(pod);
    expect(statuses[0].containerStatuses![0].state!.waiting!.reason).toBe(
      'PodInitializing',
    );
    expect(statuses[0].initContainerStatuses![0].state!.waiting!.reason).toBe(
      'PodInitializing',
    );
    const running = await statusWhere(s => s.phase === 'Running');
    expect(condition(running, 'Initialized')).toMatchObject({ status: 'True' });
    expect(running.initContainerStatuses![0]).toMatchObject({
      ready: true,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    const app = kubelet.containerOf(pod.metadata!.uid!, 'app')!;
    let output = '';
    const session = runtime.exec(app.id, { command: ['cat', 'work/state'] });
    session.on('stdout', (d: Buffer) => (output += d.toString()));
    await session.finished();
    expect(output).toBe('prepared\n');
  });

  it('fails the pod when an init container fails with restartPolicy Never', async () => {
    const pod = makePod({
      restartPolicy: 'Never',
      initContainers: [
        {
          name: 'init',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'exit 1'],
        },
      ],
    });
    kubelet.syncPod(pod);
    const failed = await statusWhere(s => s.phase === 'Failed');
    expect(condition(failed, 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init]',
    });
  });

  it('terminates a pod that gets a deletionTimestamp, then says it may be removed', async () => {
    const pod = makePod(
      { hostNetwork: true, terminationGracePeriodSeconds: 5 },
      'host-net',
    );
    kubelet.syncPod(pod);
    const running = await statusWhere(s => s.phase === 'Running');
    expect(running.podIP).toBe('127.0.1.1');
    kubelet.syncPod({
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: new Date() },
    });
    await new Promise<void>(resolve => {
      const check = () => {
        if (terminated.includes('host-net')) resolve();
      };
      waiters.push(check);
      check();
    });
    expect(statuses[statuses.length - 1].phase).toBe('Succeeded');
    expect(kubelet.containerOf(pod.metadata!.uid!, 'app')).toBeUndefined();
  });

  it('rejects a pod that does not fit the node', async () => {
    const node = defaultNodes()[0];
    const admitting = new Kubelet({
      nodeName: node.metadata!.name!,
      hostIP: '127.0.1.1',
      runtime,
      node: () => node,
      onPodStatus: (_pod, status) => {
        statuses.push(status);
      },
      onEvent: event => events.push(event),
    });
    admitting.syncPod(
      makePod({
        containers: [
          {
            name: 'app',
            image: 'busybox',
            resources: { requests: { cpu: '9' } },
          },
        ],
      }),
    );
    expect(statuses).toEqual([
      {
        phase: 'Failed',
        reason: 'OutOfcpu',
        message:
          "Pod was rejected: Node didn't have enough resource: cpu, requested: 9000, used: 0, capacity: 7800",
        qosClass: 'Burstable',
      },
    ]);
    expect(events).toMatchObject([
      {
        type: 'Warning',
        reason: 'OutOfcpu',
        involvedObject: { kind: 'Pod', name: 'web' },
      },
    ]);
    await admitting.stop();
  });

  it('does not run again a pod that already finished', () => {
    kubelet.syncPod({ ...makePod({}), status: { phase: 'Succeeded' } });
    expect(statuses).toEqual([]);
  });

  it('stops containers on deletion and reports the terminal status', async () => {
    const pod = makePod({ terminationGracePeriodSeconds: 5 });
    kubelet.syncPod(pod);
    await statusWhere(s => s.phase === 'Running');
    await kubelet.deletePod(pod);
    const last = statuses[statuses.length - 1];
    expect(last.phase).toBe('Succeeded');
    expect(condition(last, 'PodReadyToStartContainers')).toMatchObject({
      status: 'False',
    });
    expect(events.map(e => e.message)).toContain('Stopping container app');
    expect(kubelet.containerOf(pod.metadata!.uid!, 'app')).toBeUndefined();
  });

  it('starts ephemeral containers added to a running pod, once', async () => {
    const pod = makePod({});
    kubelet.syncPod(pod);
    await statusWhere(s => s.phase === 'Running');
    kubelet.syncPod({
      ...pod,
      spec: {
        ...pod.spec!,
        ephemeralContainers: [
          {
            name: 'debugger',
            image: 'busybox:1.36',
            command: ['sh', '-c', 'exit 3'],
            targetContainerName: 'app',
          },
        ],
      },
    });
    const debugged = await statusWhere(
      s => s.ephemeralContainerStatuses?.[0]?.state?.terminated?.exitCode === 3,
    );
    expect(debugged.phase).toBe('Running');
    expect(debugged.ephemeralContainerStatuses![0]).toMatchObject({
      name: 'debugger',
      restartCount: 0,
    });
    expect(
      events.find(
        e =>
          e.reason === 'Started' && e.message === 'Started container debugger',
      )!.involvedObject.fieldPath,
    ).toBe('spec.ephemeralContainers{debugger}');
  });

  it('puts the end of the log in the termination message with FallbackToLogsOnError, and service env first', async () => {
    const pod = makePod({
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: [
            'sh',
            '-c',
            'echo "api at $KUBERNETES_SERVICE_HOST"; echo fatal: no config; exit 1',
          ],
          terminationMessagePolicy: 'FallbackToLogsOnError',
        },
      ],
    });
    kubelet.syncPod(pod);
    const failed = await statusWhere(s => s.phase === 'Failed');
    expect(appStatus(failed)!.state!.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
      message: 'api at 127.0.0.1\nfatal: no config\n',
    });
  });

  describe('probes', () => {
    it('holds Ready until an exec readiness probe passes', async () => {
      const pod = makePod({
        containers: [
          {
            name: 'app',
            image: 'busybox:1.36',
            readinessProbe: {
              exec: { command: ['test', '-f', 'ready'] },
              periodSeconds: 1,
            },
          },
        ],
      });
      kubelet.syncPod(pod);
      const unready = await statusWhere(s => s.phase === 'Running');
      expect(condition(unready, 'Ready')).toMatchObject({
        status: 'False',
        message: 'containers with unready status: [app]',
      });
      expect(appStatus(unready)).toMatchObject({ started: true, ready: false });
      await eventWhere(
        e =>
          e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: ',
      );
      const container = kubelet.containerOf(pod.metadata!.uid!, 'app')!;
      await runtime
        .exec(container.id, { command: ['touch', 'ready'] })
        .finished();
      await statusWhere(s => condition(s, 'Ready')?.status === 'True');
    });

    it('restarts a container whose liveness probe fails', async () => {
      const pod = makePod({
        containers: [
          {
            name: 'app',
            image: 'busybox:1.36',
            livenessProbe: {
              exec: { command: ['sh', '-c', 'echo sick; exit 1'] },
              periodSeconds: 1,
              failureThreshold: 1,
            },
          },
        ],
        terminationGracePeriodSeconds: 5,
      });
      kubelet.syncPod(pod);
      await eventWhere(
        e =>
          e.reason === 'Unhealthy' &&
          e.message === 'Liveness probe failed: sick\n',
      );
      await eventWhere(
        e =>
          e.reason === 'Killing' &&
          e.message ===
            'Container app failed liveness probe, will be restarted',
      );
      const restarted = await statusWhere(
        s =>
          appStatus(s)?.restartCount === 1 &&
          Boolean(appStatus(s)?.state?.running),
      );
      expect(appStatus(restarted)!.lastState!.terminated).toBeDefined();
    });

    it('probes HTTP and TCP endpoints on the pod IP', async () => {
      // The first IP of the pod CIDR, the pod's.
      const POD_IP = '127.244.0.2';
      const server = createServer((_req, res) => res.end('ok'));
      await new Promise<void>(resolve => server.listen(0, POD_IP, resolve));
      const port = (server.address() as AddressInfo).port;
      const closed = createServer();
      await new Promise<void>(resolve => closed.listen(0, POD_IP, resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise(resolve => closed.close(resolve));
      try {
        const pod = makePod({
          containers: [
            {
              name: 'app',
              image: 'busybox:1.36',
              ports: [{ name: 'http', containerPort: port }],
              startupProbe: {
                tcpSocket: { port: closedPort },
                periodSeconds: 1,
                failureThreshold: 100,
              },
              readinessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                periodSeconds: 1,
              },
            },
          ],
        });
        kubelet.syncPod(pod);
        await eventWhere(
          e =>
            e.message ===
            `Startup probe failed: dial tcp ${POD_IP}:${closedPort}: connect: connection refused`,
        );
        const notStarted = statuses[statuses.length - 1];
        expect(appStatus(notStarted)).toMatchObject({
          started: false,
          ready: false,
        });
        const reopened = createServer();
        await new Promise<void>(resolve =>
          reopened.listen(closedPort, POD_IP, resolve),
        );
        try {
          const ready = await statusWhere(
            s => condition(s, 'Ready')?.status === 'True',
          );
          expect(appStatus(ready)).toMatchObject({
            started: true,
            ready: true,
          });
        } finally {
          await new Promise(resolve => reopened.close(resolve));
        }
      } finally {
        await new Promise(resolve => server.close(resolve));
      }
    });
  });

  it('fails a pod that outlives activeDeadlineSeconds', async () => {
    const pod = makePod({
      activeDeadlineSeconds: 0,
      terminationGracePeriodSeconds: 5,
    });
    kubelet.syncPod(pod);
    const failed = await statusWhere(s => s.phase === 'Failed');
    expect(failed).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
    expect(events.find(e => e.reason === 'DeadlineExceeded')).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'Pod', name: 'web' },
    });
  });

  it('holds Ready until readiness gates pass', async () => {
    const pod = makePod({
      readinessGates: [{ conditionType: 'example.com/ready' }],
    });
    kubelet.syncPod(pod);
    const gated = await statusWhere(
      s => condition(s, 'ContainersReady')?.status === 'True',
    );
    expect(condition(gated, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message:
        'corresponding condition of pod readiness gate "example.com/ready" does not exist.',
    });
    kubelet.syncPod({
      ...pod,
      status: {
        ...gated,
        conditions: [
          ...gated.conditions!,
          { type: 'example.com/ready', status: 'True' },
        ],
      },
    });
    await statusWhere(s => condition(s, 'Ready')?.status === 'True');
  });

  it('reports a container whose program cannot start', async () => {
    const pod = makePod({
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: ['no-such-binary-here'],
        },
      ],
    });
    kubelet.syncPod(pod);
    const failed = await statusWhere(s => s.phase === 'Failed');
    expect(appStatus(failed)!.state!.terminated).toMatchObject({
      exitCode: 128,
      reason: 'StartError',
    });
    expect(events.map(e => e.message)).toContain(
      'Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "no-such-binary-here": executable file not found in $PATH: unknown',
    );
  });
});

describe('Kubelet volumes', () => {
  let issued = 0;
  let volumeKubelet: Kubelet;
  beforeEach(() => {
    volumeKubelet = new Kubelet({
      nodeName: 'node-a1-1',
      hostIP: '127.0.1.1',
      podCIDR: '127.244.0.0/24',
      runtime,
      envSources: {
        configMap: (_namespace, name) =>
          name === 'settings' ? { data: { 'app.conf': 'on' } } : undefined,
        secret: () => undefined,
        serviceAccountToken: () => `token-${issued++}`,
      },
      onPodStatus: (_pod, status) => {
        statuses.push(status);
        waiters.forEach(check => check());
      },
      onEvent: event => {
        events.push(event);
        waiters.forEach(check => check());
      },
    });
  });
  afterEach(() => volumeKubelet.stop());

  it('writes configMap and projected token files, and renews the token before it expires', async () => {
    const pod = makePod({
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          volumeMounts: [
            { name: 'settings', mountPath: '/etc/app' },
            { name: 'token', mountPath: '/var/run/secrets/token' },
          ],
        },
      ],
      volumes: [
        { name: 'settings', configMap: { name: 'settings' } },
        {
          name: 'token',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 1 } },
            ],
          },
        },
      ],
    });
    volumeKubelet.syncPod(pod);
    await statusWhere(s => Boolean(appStatus(s)?.state?.running));
    const podUid = pod.metadata!.uid!;
    expect(
      readFileSync(
        join(runtime.volumeDir(podUid, 'settings'), 'app.conf'),
        'utf8',
      ),
    ).toBe('on');
    const tokenFile = join(runtime.volumeDir(podUid, 'token'), 'token');
    const first = readFileSync(tokenFile, 'utf8');
    expect(first).toMatch(/^token-\d+$/);
    // Renewed at 80 % of its second.
    while (readFileSync(tokenFile, 'utf8') === first)
      await new Promise(resolve => setTimeout(resolve, 100));
  });

  it("keeps a container waiting with FailedMount while its volume's Secret is missing", async () => {
    const pod = makePod({
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          volumeMounts: [{ name: 'keys', mountPath: '/keys' }],
        },
      ],
      volumes: [{ name: 'keys', secret: { secretName: 'absent' } }],
    });
    volumeKubelet.syncPod(pod);
    const failed = await eventWhere(e => e.reason === 'FailedMount');
    expect(failed.message).toBe(
      'MountVolume.SetUp failed for volume "keys" : secret "absent" not found',
    );
    expect(
      appStatus(statuses[statuses.length - 1])?.state?.waiting?.reason,
    ).toBe('ContainerCreating');
  });
});
