import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { Backoff, formatGoDuration } from './backoff';
import { CreateContainerConfigError, resolveContainerEnv } from './env';
import { containerIdForLogs, requestedContainerName } from './logRequests';
import { heartbeatNodeStatus } from './node';
import { admitPod, sumRequests } from './admission';
import { defaultNodes } from '../topology';
import {
  crashLoopMessage,
  eventSubject,
  imagePullBackOffMessage,
  kubeletEvents,
} from './events';
import { decideImagePull, normalizedImage } from './images';
import {
  buildPodStatus,
  containersToRestartForUpdate,
  podConditions,
  podPhase,
  qosClass,
} from './podStatus';

const pod: V1Pod = {
  metadata: {
    name: 'web',
    namespace: 'default',
    uid: 'u-1',
    labels: { app: 'web' },
  },
  spec: {
    nodeName: 'node-a1-1',
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  },
};

describe('images', () => {
  it('normalises references as containerd reports them', () => {
    expect(normalizedImage('busybox')).toBe('docker.io/library/busybox:latest');
    expect(normalizedImage('ghcr.io/org/app:2')).toBe('ghcr.io/org/app:2');
  });

  it('decides pulls from the pull policy', () => {
    expect(decideImagePull({ image: 'busybox' }, true)).toEqual({
      action: 'pull',
    });
    expect(decideImagePull({ image: 'busybox:1.36' }, true)).toEqual({
      action: 'present',
    });
    expect(decideImagePull({ image: 'busybox:1.36' }, false)).toEqual({
      action: 'pull',
    });
    expect(
      decideImagePull({ image: 'app:1', imagePullPolicy: 'Never' }, false),
    ).toEqual({
      action: 'never',
      message:
        'Container image "app:1" is not present with pull policy of Never',
    });
  });
});

describe('back-off', () => {
  it('doubles from 10s to a 5m cap and resets after 10 quiet minutes', () => {
    const backoff = new Backoff();
    const delays: string[] = [];
    let now = 0;
    for (let i = 0; i < 7; i++) {
      backoff.next('k', now, now);
      delays.push(formatGoDuration(backoff.get('k')));
      now += 1000;
    }
    expect(delays).toEqual([
      '10s',
      '20s',
      '40s',
      '1m20s',
      '2m40s',
      '5m0s',
      '5m0s',
    ]);
    expect(backoff.isInBackOffSince('k', now, now + 299_000)).toBe(true);
    expect(backoff.isInBackOffSince('k', now, now + 300_000)).toBe(false);
    const later = now + 10 * 60_000 + 1;
    expect(backoff.isInBackOffSince('k', later, later)).toBe(false);
    backoff.next('k', later, later);
    expect(backoff.get('k')).toBe(10_000);
  });

  it('words CrashLoopBackOff and ImagePullBackOff as the kubelet does', () => {
    expect(crashLoopMessage(20_000, 'app', pod)).toBe(
      'back-off 20s restarting failed container=app pod=web_default(u-1)',
    );
    expect(imagePullBackOffMessage('registry.invalid/app:1', 'boom')).toBe(
      'Back-off pulling image "registry.invalid/app:1": ErrImagePull: boom',
    );
  });
});

describe('events', () => {
  it('builds the kubelet events with container field paths', () => {
    const subject = eventSubject(pod, { name: 'app' });
    expect(subject).toMatchObject({
      kind: 'Pod',
      name: 'web',
      namespace: 'default',
      uid: 'u-1',
      fieldPath: 'spec.containers{app}',
    });
    expect(kubeletEvents.created(subject, 'app')).toMatchObject({
      type: 'Normal',
      reason: 'Created',
      message: 'Created container: app',
    });
    expect(kubeletEvents.started(subject, 'app').message).toBe(
      'Started container app',
    );
    expect(kubeletEvents.pulled(subject, 'busybox', 1.2345, 2048).message).toBe(
      'Successfully pulled image "busybox" in 1.234s (1.234s including waiting). Image size: 2048 bytes.',
    );
    expect(kubeletEvents.definitionChanged(subject, 'app').message).toBe(
      'Container app definition changed, will be restarted',
    );
    expect(kubeletEvents.backOffRestarting(subject, 'app', pod)).toMatchObject({
      type: 'Warning',
      reason: 'BackOff',
      message:
        'Back-off restarting failed container app in pod web_default(u-1)',
    });
    expect(kubeletEvents.failed(subject, 'ImagePullBackOff')).toMatchObject({
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ImagePullBackOff',
    });
  });
});

const running = (
  name: string,
  extra: Partial<V1ContainerStatus> = {},
): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: true,
  started: true,
  restartCount: 0,
  state: { running: { startedAt: new Date(0) } },
  ...extra,
});
const terminated = (
  name: string,
  exitCode: number,
  extra: Partial<V1ContainerStatus> = {},
): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: false,
  started: false,
  restartCount: 0,
  state: { terminated: { exitCode } },
  ...extra,
});
const waiting = (
  name: string,
  reason: string,
  extra: Partial<V1ContainerStatus> = {},
): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: false,
  started: false,
  restartCount: 0,
  state: { waiting: { reason } },
  ...extra,
});

function withSpec(spec: Partial<NonNullable<V1Pod['spec']>>): V1Pod {
  return { ...pod, spec: { ...pod.spec!, ...spec } };
}

describe('pod phase', () => {
  const two = withSpec({ containers: [{ name: 'a' }, { name: 'b' }] });

  it('is Pending until every container has started', () => {
    expect(
      podPhase(two, [running('a'), waiting('b', 'ContainerCreating')]),
    ).toBe('Pending');
    expect(podPhase(two, [running('a')])).toBe('Pending');
    expect(podPhase(two, [running('a'), running('b')])).toBe('Running');
  });

  it('follows restartPolicy once containers have stopped', () => {
    const done = [terminated('a', 0), terminated('b', 0)];
    const failed = [terminated('a', 0), terminated('b', 1)];
    expect(podPhase(two, done)).toBe('Running');
    expect(
      podPhase(withSpec({ ...two.spec, restartPolicy: 'OnFailure' }), done),
    ).toBe('Succeeded');
    expect(
      podPhase(withSpec({ ...two.spec, restartPolicy: 'OnFailure' }), failed),
    ).toBe('Running');
    expect(
      podPhase(withSpec({ ...two.spec, restartPolicy: 'Never' }), failed),
    ).toBe('Failed');
    expect(podPhase(two, failed, { podIsTerminal: true })).toBe('Failed');
    const crashLooping = waiting('b', 'CrashLoopBackOff', {
      lastState: { terminated: { exitCode: 1 } },
    });
    expect(podPhase(two, [running('a'), crashLooping])).toBe('Running');
  });

  it('waits for init containers and fails on a failed one with restartPolicy Never', () => {
    const withInit = withSpec({
      initContainers: [{ name: 'init' }],
      restartPolicy: 'Never',
    });
    expect(podPhase(withInit, [running('init')])).toBe('Pending');
    expect(podPhase(withInit, [terminated('init', 1)])).toBe('Failed');
    expect(
      podPhase(withInit, [
        terminated('init', 0, { ready: true }),
        running('app'),
      ]),
    ).toBe('Running');
  });
});

describe('pod conditions', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('reports unready and uninitialised containers by name', () => {
    const withInit = withSpec({
      initContainers: [{ name: 'i1' }, { name: 'i2' }],
      containers: [{ name: 'a' }, { name: 'b' }],
    });
    const conditions = podConditions(
      withInit,
      [terminated('i1', 0, { ready: true }), running('i2', { ready: false })],
      'Pending',
      {
        sandboxReady: true,
        now,
      },
    );
    expect(conditions).toEqual([
      {
        type: 'PodReadyToStartContainers',
        status: 'True',
        lastTransitionTime: now,
      },
      {
        type: 'Initialized',
        status: 'False',
        reason: 'ContainersNotInitialized',
        message: 'containers with incomplete status: [i2]',
        lastTransitionTime: now,
      },
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unknown status: [a b]',
        lastTransitionTime: now,
      },
      {
        type: 'ContainersReady',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unknown status: [a b]',
        lastTransitionTime: now,
      },
    ]);
  });

  it('holds Ready back until readiness gates are True, keeping other conditions and transition times', () => {
    const earlier = new Date('2025-12-31T00:00:00Z');
    const gated: V1Pod = {
      ...withSpec({
        readinessGates: [
          { conditionType: 'example.com/lb' },
          { conditionType: 'example.com/dns' },
        ],
      }),
      status: {
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: earlier },
          {
            type: 'example.com/lb',
            status: 'False',
            lastTransitionTime: earlier,
          },
          {
            type: 'ContainersReady',
            status: 'True',
            lastTransitionTime: earlier,
          },
        ],
      },
    };
    const conditions = podConditions(gated, [running('app')], 'Running', {
      sandboxReady: true,
      now,
    });
    expect(conditions.find(c => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message:
        'the status of pod readiness gate "example.com/lb" is not "True", but False, corresponding condition of pod readiness gate "example.com/dns" does not exist.',
      lastTransitionTime: now,
    });
    expect(
      conditions.find(c => c.type === 'ContainersReady')!.lastTransitionTime,
    ).toBe(earlier);
    expect(conditions.map(c => c.type)).toEqual([
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
      'example.com/lb',
    ]);
  });

  it('marks completed pods', () => {
    const job = withSpec({ restartPolicy: 'Never' });
    const status = buildPodStatus(job, {
      initContainerStatuses: [],
      containerStatuses: [terminated('app', 0)],
      hostIP: '127.0.1.1',
      podIP: '10.244.0.5',
      startTime: now,
      sandboxReady: false,
      now,
    });
    expect(status.phase).toBe('Succeeded');
    expect(status.conditions!.map(c => [c.type, c.status, c.reason])).toEqual([
      ['PodReadyToStartContainers', 'False', undefined],
      ['Initialized', 'True', 'PodCompleted'],
      ['Ready', 'False', 'PodCompleted'],
      ['ContainersReady', 'False', 'PodCompleted'],
    ]);
    expect(status).toMatchObject({
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
      qosClass: 'BestEffort',
    });
  });

  it('computes the QoS class', () => {
    const resources = (
      requests: Record<string, string>,
      limits: Record<string, string>,
    ) =>
      withSpec({
        containers: [{ name: 'a', resources: { requests, limits } }],
      });
    expect(qosClass(resources({}, { cpu: '1', memory: '1Gi' }))).toBe(
      'Guaranteed',
    );
    expect(qosClass(resources({ cpu: '100m' }, {}))).toBe('Burstable');
  });
});

describe('in-place image updates', () => {
  it('restarts only containers whose image changed', () => {
    const before = withSpec({
      containers: [
        { name: 'a', image: 'app:1' },
        { name: 'b', image: 'side:1' },
      ],
    });
    const after = withSpec({
      containers: [
        { name: 'a', image: 'app:2' },
        { name: 'b', image: 'side:1' },
      ],
    });
    expect(containersToRestartForUpdate(before, after)).toEqual(['a']);
    expect(containersToRestartForUpdate(before, before)).toEqual([]);
  });
});

describe('container environment', () => {
  const sources = {
    configMap: (_ns: string, name: string) =>
      name === 'cfg' ? { data: { MODE: 'fast', LEVEL: '3' } } : undefined,
    secret: (_ns: string, name: string) =>
      name === 'creds'
        ? { data: { PASSWORD: Buffer.from('s3cret').toString('base64') } }
        : undefined,
  };
  const facts = { hostIP: '127.0.1.1', podIP: '10.244.0.7' };

  it('resolves values, references, fieldRefs and keys', () => {
    const container = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'GREETING', value: 'hello' },
        { name: 'MESSAGE', value: '$(GREETING) from $(POD_NAME) $(UNSET)' },
        {
          name: 'POD_NAME',
          valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
        },
        {
          name: 'POD_IP',
          valueFrom: { fieldRef: { fieldPath: 'status.podIP' } },
        },
        {
          name: 'APP',
          valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } },
        },
        {
          name: 'MODE',
          valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } },
        },
        {
          name: 'PASSWORD',
          valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } },
        },
        {
          name: 'OPTIONAL',
          valueFrom: {
            secretKeyRef: { name: 'absent', key: 'x', optional: true },
          },
        },
      ],
    };
    expect(resolveContainerEnv(pod, container, sources, facts)).toEqual({
      CFG_MODE: 'fast',
      CFG_LEVEL: '3',
      GREETING: 'hello',
      MESSAGE: 'hello from $(POD_NAME) $(UNSET)',
      POD_NAME: 'web',
      POD_IP: '10.244.0.7',
      APP: 'web',
      MODE: 'fast',
      PASSWORD: 's3cret',
    });
  });

  it('fails with the kubelet messages for missing sources', () => {
    const missingKey = {
      name: 'app',
      env: [
        {
          name: 'X',
          valueFrom: { configMapKeyRef: { name: 'cfg', key: 'NOPE' } },
        },
      ],
    };
    expect(() => resolveContainerEnv(pod, missingKey, sources, facts)).toThrow(
      new CreateContainerConfigError(
        "couldn't find key NOPE in ConfigMap default/cfg",
      ),
    );
    const missingSecret = {
      name: 'app',
      env: [
        { name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } },
      ],
    };
    expect(() =>
      resolveContainerEnv(pod, missingSecret, sources, facts),
    ).toThrow('secret "gone" not found');
  });
});

describe('node heartbeat', () => {
  it('refreshes heartbeats and keeps transition times of unchanged conditions', () => {
    const then = new Date('2026-01-01T00:00:00Z');
    const now = new Date('2026-01-01T00:01:00Z');
    const status = heartbeatNodeStatus(
      {
        status: {
          conditions: [
            {
              type: 'MemoryPressure',
              status: 'False',
              lastHeartbeatTime: then,
              lastTransitionTime: then,
            },
            {
              type: 'Ready',
              status: 'True',
              lastHeartbeatTime: then,
              lastTransitionTime: then,
            },
          ],
        },
      },
      now,
    );
    expect(status!.conditions).toEqual([
      {
        type: 'MemoryPressure',
        status: 'False',
        lastHeartbeatTime: now,
        lastTransitionTime: then,
      },
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: now,
        lastTransitionTime: then,
      },
    ]);
  });
});

describe('log requests', () => {
  const twoContainers = withSpec({
    containers: [{ name: 'a' }, { name: 'b' }],
    initContainers: [{ name: 'init' }],
  });

  it('picks the container as the API server does', () => {
    expect(requestedContainerName(pod)).toEqual({ name: 'app' });
    expect(requestedContainerName(twoContainers, 'init')).toEqual({
      name: 'init',
    });
    expect(requestedContainerName(twoContainers)).toEqual({
      error:
        'a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [init]',
    });
    expect(requestedContainerName(pod, 'nope')).toEqual({
      error: 'container nope is not valid for pod web',
    });
  });

  it('finds the instance to read, or says why not, as the kubelet does', () => {
    const status = (s: V1ContainerStatus) => ({ containerStatuses: [s] });
    expect(
      containerIdForLogs(
        'web',
        status(running('app', { containerID: 'cairn://1' })),
        'app',
        false,
      ),
    ).toEqual({
      containerID: 'cairn://1',
    });
    expect(
      containerIdForLogs('web', status(running('app')), 'app', true),
    ).toEqual({
      error: 'previous terminated container "app" in pod "web" not found',
    });
    const crashed = waiting('app', 'CrashLoopBackOff', {
      lastState: { terminated: { exitCode: 1, containerID: 'cairn://0' } },
    });
    expect(containerIdForLogs('web', status(crashed), 'app', false)).toEqual({
      containerID: 'cairn://0',
    });
    expect(
      containerIdForLogs(
        'web',
        status(waiting('app', 'ImagePullBackOff')),
        'app',
        false,
      ),
    ).toEqual({
      error:
        'container "app" in pod "web" is waiting to start: trying and failing to pull image',
    });
    expect(
      containerIdForLogs(
        'web',
        status(waiting('app', 'ContainerCreating')),
        'app',
        false,
      ),
    ).toEqual({
      error:
        'container "app" in pod "web" is waiting to start: ContainerCreating',
    });
    expect(containerIdForLogs('web', {}, 'app', false)).toEqual({
      error: 'container "app" in pod "web" is not available',
    });
  });
});

describe('kubelet admission', () => {
  const node = defaultNodes()[0];
  const requesting = (cpu: string): V1Pod =>
    withSpec({
      containers: [{ name: 'app', resources: { requests: { cpu } } }],
    });

  it('admits what fits and rejects what does not, with the kubelet reasons', () => {
    expect(admitPod(requesting('1'), node, [])).toBeUndefined();
    expect(admitPod(requesting('4'), node, [requesting('4')])).toEqual({
      reason: 'OutOfcpu',
      message:
        "Node didn't have enough resource: cpu, requested: 4000, used: 4000, capacity: 7800",
    });
    expect(
      admitPod(withSpec({ nodeSelector: { disk: 'ssd' } }), node, []),
    ).toEqual({
      reason: 'NodeAffinity',
      message:
        "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
    });
    const tainted = {
      ...node,
      spec: {
        ...node.spec,
        taints: [{ key: 'evict', value: 'now', effect: 'NoExecute' }],
      },
    };
    expect(admitPod(pod, tainted, [])).toEqual({
      reason: 'TaintToleration',
      message:
        'Predicate TaintToleration failed: node(s) had untolerated taint {evict: now}',
    });
  });

  it('decides the same from the active pods or from their count and summed requests (what the kubelet keeps)', () => {
    const active = [requesting('2'), requesting('1500m'), requesting('3')];
    for (const cpu of ['1', '1300m', '1301m', '8']) {
      expect(admitPod(requesting(cpu), node, sumRequests(active))).toEqual(
        admitPod(requesting(cpu), node, active),
      );
    }
    expect(sumRequests(active)).toEqual({ count: 3, used: { cpu: 6500 } });
  });
});
