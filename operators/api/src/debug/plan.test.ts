import type { V1ContainerState, V1Pod } from '@kubernetes/client-node';
import {
  failDebugSession,
  kubeTime,
  planDebugSession,
  DebugSessionObservation,
  debugSessionExpiry,
} from './plan';
import { DEFAULT_DEBUG_SESSION_CONFIG } from './toolkits';
import type { DebugSession, DebugSessionStatus } from './types';

const NOW = new Date('2026-01-01T10:00:00Z');
const UID = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const CONTAINER = 'debugger-0a1b2c3d4e';
const FINALIZER = 'debug.cairn.dev/end-session';

const session = (
  spec: Partial<DebugSession['spec']> = {},
  status?: DebugSessionStatus,
  metadata: Partial<DebugSession['metadata']> = {},
): DebugSession => ({
  metadata: {
    name: 'look',
    namespace: 'shop',
    uid: UID,
    generation: 1,
    finalizers: [FINALIZER],
    ...metadata,
  },
  spec: {
    podName: 'web-0',
    targetContainer: 'app',
    toolkit: 'busybox',
    ...spec,
  },
  ...(status ? { status } : {}),
});

const pod = (debugState?: V1ContainerState, phase = 'Running'): V1Pod => ({
  metadata: { name: 'web-0', namespace: 'shop', uid: 'pod-uid' },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        readinessProbe: { exec: { command: ['true'] } },
      },
    ],
    ...(debugState
      ? { ephemeralContainers: [{ name: CONTAINER, image: 'busybox' }] }
      : {}),
  },
  status: {
    phase,
    ...(debugState
      ? {
          ephemeralContainerStatuses: [
            { name: CONTAINER, state: debugState } as any,
          ],
        }
      : {}),
  },
});

const copy = (debugState: V1ContainerState): V1Pod => ({
  metadata: { name: 'web-0-debug-0a1b2', namespace: 'shop', uid: 'copy-uid' },
  spec: {
    containers: [
      { name: 'app', image: 'app:1' },
      { name: CONTAINER, image: 'busybox' },
    ],
  },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: CONTAINER, state: debugState } as any],
  },
});

const started = (
  extra: Partial<DebugSessionStatus> = {},
): DebugSessionStatus => ({
  phase: 'Pending',
  podName: 'web-0',
  observedGeneration: 1,
  containerName: CONTAINER,
  image: 'docker.io/library/busybox:1.37',
  startedAt: '2026-01-01T09:50:00Z',
  expiresAt: '2026-01-01T10:50:00Z',
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'Starting',
      message: 'adding the debug container',
      lastTransitionTime: '2026-01-01T09:50:00Z',
      observedGeneration: 1,
    },
  ],
  ...extra,
});

const plan = (
  observation: Partial<DebugSessionObservation> & { session: DebugSession },
) =>
  planDebugSession({
    now: NOW,
    config: DEFAULT_DEBUG_SESSION_CONFIG,
    ...observation,
  });

const types = (p: ReturnType<typeof plan>) => p.actions.map(a => a.type);
const statusOf = (p: ReturnType<typeof plan>) =>
  (
    p.actions.find(a => a.type === 'updateStatus') as
      | { status: DebugSessionStatus }
      | undefined
  )?.status;
const eventOf = (p: ReturnType<typeof plan>) =>
  p.actions.find(a => a.type === 'event');

describe('planDebugSession: the start', () => {
  it('adds the finalizer before anything else', () => {
    expect(
      types(
        plan({
          session: session({}, undefined, { finalizers: [] }),
          pod: pod(),
        }),
      ),
    ).toEqual(['addFinalizer']);
  });

  it('fixes the deadline first: Pending, startedAt now, expiresAt = now + ttl', () => {
    const result = plan({ session: session({ ttlSeconds: 120 }), pod: pod() });
    expect(types(result)).toEqual(['updateStatus']);
    expect(statusOf(result)).toMatchObject({
      phase: 'Pending',
      containerName: CONTAINER,
      image: 'docker.io/library/busybox:1.37',
      startedAt: '2026-01-01T10:00:00Z',
      expiresAt: '2026-01-01T10:02:00Z',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Starting',
          lastTransitionTime: '2026-01-01T10:00:00Z',
        },
      ],
    });
    expect(statusOf(result)).not.toHaveProperty('copyPodName');
    expect(result.requeueAfterSeconds).toBe(120);
  });

  it('caps the TTL by the configuration', () => {
    const result = planDebugSession({
      session: session({ ttlSeconds: 7200 }),
      pod: pod(),
      now: NOW,
      config: { ...DEFAULT_DEBUG_SESSION_CONFIG, maxTtlSeconds: 900 },
    });
    expect(statusOf(result)?.expiresAt).toBe('2026-01-01T10:15:00Z');
  });

  it('names the copy in copy mode', () => {
    expect(
      statusOf(plan({ session: session({ mode: 'copy' }), pod: pod() }))
        ?.copyPodName,
    ).toBe('web-0-debug-0a1b2');
  });

  it.each([
    [
      'a missing pod',
      session(),
      undefined,
      'PodNotFound',
      'pod "web-0" not found',
    ],
    [
      'a missing target',
      session({ targetContainer: 'db' }),
      pod(),
      'TargetNotFound',
      'pod "web-0" has no container "db" (it has app)',
    ],
    [
      'a pod not running (ephemeral)',
      session(),
      pod(undefined, 'Pending'),
      'PodNotRunning',
      'pod "web-0" is Pending',
    ],
    [
      'an unknown toolkit',
      session({ toolkit: 'gdb' }),
      pod(),
      'InvalidSpec',
      'unknown toolkit "gdb"',
    ],
  ])(
    'fails on %s with the reason, in the status and an event',
    (_what, s, p, reason, message) => {
      const result = plan({ session: s, pod: p });
      expect(statusOf(result)).toMatchObject({
        phase: 'Failed',
        endedAt: '2026-01-01T10:00:00Z',
        conditions: [
          {
            status: 'False',
            reason,
            message: expect.stringContaining(message),
          },
        ],
      });
      expect(eventOf(result)).toMatchObject({
        eventType: 'Warning',
        reason,
        message: expect.stringContaining(message),
      });
    },
  );

  it('starts a copy of a pod that is not running (copy mode is for crash loops)', () => {
    expect(
      statusOf(
        plan({
          session: session({ mode: 'copy' }),
          pod: pod(undefined, 'Pending'),
        }),
      )?.phase,
    ).toBe('Pending');
  });

  it('then adds the ephemeral container to the pod, and requeues at the expiry', () => {
    const result = plan({ session: session({}, started()), pod: pod() });
    expect(result.actions).toEqual([
      {
        type: 'addEphemeralContainer',
        podName: 'web-0',
        container: expect.objectContaining({
          name: CONTAINER,
          targetContainerName: 'app',
          stdin: true,
          tty: true,
        }),
      },
    ]);
    expect(result.requeueAfterSeconds).toBe(50 * 60);
  });

  it('or creates the copy, once', () => {
    const s = session(
      { mode: 'copy' },
      started({ copyPodName: 'web-0-debug-0a1b2' }),
    );
    const result = plan({ session: s, pod: pod() });
    expect(result.actions).toEqual([
      {
        type: 'createPod',
        pod: expect.objectContaining({
          metadata: expect.objectContaining({ name: 'web-0-debug-0a1b2' }),
        }),
      },
    ]);
    expect(
      types(
        plan({
          session: s,
          pod: pod(),
          copy: copy({ waiting: { reason: 'ContainerCreating' } }),
        }),
      ),
    ).toEqual(['updateStatus']);
  });
});

describe('planDebugSession: while it runs', () => {
  it('is Active once the debug container runs, with a Started event, once', () => {
    const result = plan({
      session: session({}, started()),
      pod: pod({ running: { startedAt: NOW } }),
    });
    expect(statusOf(result)).toMatchObject({
      phase: 'Active',
      conditions: [
        {
          status: 'True',
          reason: 'ContainerRunning',
          lastTransitionTime: '2026-01-01T10:00:00Z',
        },
      ],
    });
    expect(eventOf(result)).toMatchObject({
      eventType: 'Normal',
      reason: 'Started',
    });
    const again = plan({
      session: session({}, statusOf(result)),
      pod: pod({ running: { startedAt: NOW } }),
    });
    expect(again.actions).toEqual([]);
    expect(again.requeueAfterSeconds).toBe(50 * 60);
  });

  it('is Active in copy mode when the copy’s debug container runs', () => {
    const s = session(
      { mode: 'copy' },
      started({ copyPodName: 'web-0-debug-0a1b2' }),
    );
    expect(
      statusOf(plan({ session: s, pod: pod(), copy: copy({ running: {} }) }))
        ?.phase,
    ).toBe('Active');
  });

  it('stays Pending while the image pulls, warning when the pull fails', () => {
    const pulling = plan({
      session: session({}, started()),
      pod: pod({ waiting: { reason: 'ContainerCreating' } }),
    });
    expect(statusOf(pulling)).toMatchObject({
      phase: 'Pending',
      conditions: [{ reason: 'ContainerCreating' }],
    });
    expect(eventOf(pulling)).toBeUndefined();
    const backOff = plan({
      session: session({}, started()),
      pod: pod({
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image',
        },
      }),
    });
    expect(statusOf(backOff)).toMatchObject({
      phase: 'Pending',
      conditions: [
        {
          reason: 'ImagePullBackOff',
          message: expect.stringContaining('Back-off pulling image'),
        },
      ],
    });
    expect(eventOf(backOff)).toMatchObject({
      eventType: 'Warning',
      reason: 'ImagePullBackOff',
    });
  });

  it('fails when the container cannot be created (e.g. restricted on an image running as root)', () => {
    const result = plan({
      session: session({}, started()),
      pod: pod({
        waiting: {
          reason: 'CreateContainerConfigError',
          message: 'container has runAsNonRoot and image will run as root',
        },
      }),
    });
    expect(statusOf(result)).toMatchObject({
      phase: 'Failed',
      conditions: [{ reason: 'CreateContainerConfigError' }],
    });
  });

  it('is Ended when the shell exits (the user typed exit), Failed when it never started', () => {
    const exited = plan({
      session: session({}, started({ phase: 'Active' })),
      pod: pod({ terminated: { exitCode: 0, reason: 'Completed' } }),
    });
    expect(statusOf(exited)).toMatchObject({
      phase: 'Ended',
      endedAt: '2026-01-01T10:00:00Z',
      conditions: [{ reason: 'ContainerExited' }],
    });
    const never = plan({
      session: session({}, started()),
      pod: pod({
        terminated: {
          exitCode: 128,
          reason: 'StartError',
          message: 'exec: "zsh": executable file not found',
        },
      }),
    });
    expect(statusOf(never)).toMatchObject({
      phase: 'Failed',
      conditions: [
        {
          reason: 'ContainerFailed',
          message: expect.stringContaining('executable file not found'),
        },
      ],
    });
  });

  it('is Ended when its pod goes', () => {
    const result = plan({ session: session({}, started({ phase: 'Active' })) });
    expect(statusOf(result)).toMatchObject({
      phase: 'Ended',
      conditions: [{ reason: 'PodGone', message: 'pod web-0 is gone' }],
    });
  });
});

describe('planDebugSession: the end', () => {
  const active = (extra: Partial<DebugSessionStatus> = {}) =>
    started({ phase: 'Active', ...extra });
  const late = new Date('2026-01-01T10:50:00Z');

  it('at the expiry ends the running ephemeral container by exec, then says Expired', () => {
    const result = plan({
      session: session({}, active()),
      pod: pod({ running: {} }),
      now: late,
    });
    expect(types(result)).toEqual(['endProcess', 'updateStatus', 'event']);
    expect(result.actions[0]).toMatchObject({
      podName: 'web-0',
      containerName: CONTAINER,
      command: [
        'sh',
        '-c',
        expect.stringContaining(`CAIRN_DEBUG_SESSION=${UID}`),
      ],
    });
    expect(statusOf(result)).toMatchObject({
      phase: 'Expired',
      endedAt: '2026-01-01T10:50:00Z',
      conditions: [{ reason: 'Expired' }],
    });
    expect(eventOf(result)).toMatchObject({
      reason: 'Expired',
      message: `TTL ran out; debug container ${CONTAINER} ended`,
    });
    expect(result.requeueAfterSeconds).toBeUndefined();
  });

  it('at the expiry deletes the copy (by UID), then says Expired', () => {
    const s = session(
      { mode: 'copy' },
      active({ copyPodName: 'web-0-debug-0a1b2' }),
    );
    const result = plan({
      session: s,
      pod: pod(),
      copy: copy({ running: {} }),
      now: late,
    });
    expect(result.actions[0]).toEqual({
      type: 'deletePod',
      name: 'web-0-debug-0a1b2',
      uid: 'copy-uid',
    });
    expect(statusOf(result)?.phase).toBe('Expired');
  });

  it('does not exec into a container that is no longer running', () => {
    const result = plan({
      session: session({}, active()),
      pod: pod({ terminated: { exitCode: 0 } }),
      now: late,
    });
    expect(types(result)).toEqual(['updateStatus', 'event']);
  });

  it('does nothing more once over, but deletes a copy still there', () => {
    expect(
      plan({
        session: session({}, active({ phase: 'Expired' })),
        pod: pod({ running: {} }),
        now: late,
      }).actions,
    ).toEqual([]);
    const s = session(
      { mode: 'copy' },
      active({ phase: 'Expired', copyPodName: 'web-0-debug-0a1b2' }),
    );
    expect(types(plan({ session: s, copy: copy({ running: {} }) }))).toEqual([
      'deletePod',
    ]);
  });

  it('ends a container that started after the session ended (its image still pulling at the expiry), once', () => {
    const over = active({
      phase: 'Expired',
      endedAt: '2026-01-01T10:50:00Z',
    });
    const startedLate = plan({
      session: session({}, over),
      pod: pod({ running: { startedAt: new Date('2026-01-01T10:51:00Z') } }),
    });
    expect(types(startedLate)).toEqual(['endProcess']);
    const startedBefore = plan({
      session: session({}, over),
      pod: pod({ running: { startedAt: new Date('2026-01-01T09:51:00Z') } }),
    });
    expect(startedBefore.actions).toEqual([]);
  });

  it('on deletion ends the container the same way, then removes the finalizer', () => {
    const deleting = { deletionTimestamp: NOW };
    expect(
      types(
        plan({
          session: session({}, active(), deleting),
          pod: pod({ running: {} }),
        }),
      ),
    ).toEqual(['endProcess', 'removeFinalizer']);
    const s = session(
      { mode: 'copy' },
      active({ copyPodName: 'web-0-debug-0a1b2' }),
      deleting,
    );
    expect(types(plan({ session: s, copy: copy({ running: {} }) }))).toEqual([
      'deletePod',
      'removeFinalizer',
    ]);
    expect(
      types(
        plan({
          session: session({}, active({ phase: 'Expired' }), deleting),
          pod: pod({ running: {} }),
        }),
      ),
    ).toEqual(['removeFinalizer']);
    expect(
      plan({ session: session({}, active(), { ...deleting, finalizers: [] }) })
        .actions,
    ).toEqual([]);
  });
});

describe('planDebugSession: a changed spec', () => {
  it('pins the pod at the start', () => {
    expect(statusOf(plan({ session: session(), pod: pod() }))).toMatchObject({
      podName: 'web-0',
      observedGeneration: 1,
    });
  });

  it('ends the session in the pod it started on and fails it, adding nothing elsewhere', () => {
    const changed = session({ podName: 'db-0' }, started({ phase: 'Active' }), {
      generation: 2,
    });
    const result = plan({ session: changed, pod: pod({ running: {} }) });
    expect(types(result)).toEqual(['endProcess', 'updateStatus', 'event']);
    expect(result.actions[0]).toMatchObject({ podName: 'web-0' });
    expect(statusOf(result)).toMatchObject({
      phase: 'Failed',
      podName: 'web-0',
      observedGeneration: 1,
      conditions: [{ reason: 'SpecChanged', observedGeneration: 1 }],
    });
  });

  it('keeps the started generation in later status writes', () => {
    const result = plan({
      session: session({}, started(), { generation: 1 }),
      pod: pod({ running: {} }),
    });
    expect(statusOf(result)).toMatchObject({
      phase: 'Active',
      observedGeneration: 1,
    });
  });
});

describe('failDebugSession', () => {
  it('fails a started session with the API server’s refusal, keeping its deadline', () => {
    const actions = failDebugSession(
      session({ profile: 'sysadmin' }, started()),
      'Refused',
      'pods "web-0" is forbidden: violates PodSecurity "baseline:latest": privileged',
      NOW,
    );
    expect(actions).toEqual([
      {
        type: 'updateStatus',
        status: expect.objectContaining({
          phase: 'Failed',
          expiresAt: '2026-01-01T10:50:00Z',
          endedAt: '2026-01-01T10:00:00Z',
          conditions: [
            expect.objectContaining({
              reason: 'Refused',
              message: expect.stringContaining('PodSecurity'),
            }),
          ],
        }),
      },
      {
        type: 'event',
        eventType: 'Warning',
        reason: 'Refused',
        message: expect.stringContaining('PodSecurity'),
      },
    ]);
  });
});

describe('kubeTime', () => {
  it('writes whole seconds, as metav1.Time', () => {
    expect(kubeTime(new Date('2026-01-01T10:00:00.999Z'))).toBe(
      '2026-01-01T10:00:00Z',
    );
  });

  it('starts a session at a whole second, so the TTL counts from what the status says', () => {
    const result = planDebugSession({
      session: session({ ttlSeconds: 60 }),
      pod: pod(),
      now: new Date('2026-01-01T10:00:00.750Z'),
      config: DEFAULT_DEBUG_SESSION_CONFIG,
    });
    expect(statusOf(result)).toMatchObject({
      startedAt: '2026-01-01T10:00:00Z',
      expiresAt: '2026-01-01T10:01:00Z',
    });
  });
});

describe('debugSessionExpiry', () => {
  it('adds the TTL to the start', () => {
    expect(kubeTime(debugSessionExpiry(NOW, 3600))).toBe(
      '2026-01-01T11:00:00Z',
    );
  });
});
