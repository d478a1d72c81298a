import type {
  V1ContainerStatus,
  V1EphemeralContainer,
  V1Pod,
} from '@kubernetes/client-node';
import { DEBUG_SESSION_FINALIZER } from './constants';
import {
  buildCopyPod,
  buildEphemeralContainer,
  copyPodName,
  debugContainerName,
  endProcessCommand,
  resolveDebugSession,
} from './objects';
import type { DebugSessionConfig } from './toolkits';
import type {
  DebugPhase,
  DebugSession,
  DebugSessionCondition,
  DebugSessionStatus,
} from './types';

/*
 * The DebugSession's reconcile as a pure function: from the session, its
 * pod and its copy as the cluster holds them now, the writes that move it
 * one step on. Every decision is made from observed state, so a controller
 * that stopped between two writes carries on where it was.
 */

/** One write; the controller performs them in order. @public */
export type DebugSessionAction =
  | { type: 'addFinalizer' }
  | { type: 'removeFinalizer' }
  /** Appends the container through the pods/ephemeralcontainers subresource. */
  | {
      type: 'addEphemeralContainer';
      podName: string;
      container: V1EphemeralContainer;
    }
  | { type: 'createPod'; pod: V1Pod }
  | { type: 'deletePod'; name: string; uid: string }
  /** Ends the debug container's processes by exec (see endProcessCommand); a failure is reported, not retried. */
  | {
      type: 'endProcess';
      podName: string;
      containerName: string;
      command: string[];
    }
  | { type: 'updateStatus'; status: DebugSessionStatus }
  | {
      type: 'event';
      eventType: 'Normal' | 'Warning';
      reason: string;
      message: string;
    };

/** What the cluster holds of a session. @public */
export interface DebugSessionObservation {
  session: DebugSession;
  /** The session's pod (`status.podName` once started, `spec.podName` before), if it exists. */
  pod?: V1Pod;
  /** The session's copy (named copyPodName, owned by the session), if it exists. */
  copy?: V1Pod;
  now: Date;
  config: DebugSessionConfig;
}

/** @public */
export interface DebugSessionPlan {
  actions: DebugSessionAction[];
  /** Look again after this long (the expiry), unless an event comes first. */
  requeueAfterSeconds?: number;
}

const ENDED_PHASES: readonly DebugPhase[] = ['Expired', 'Failed', 'Ended'];

/** A session in one of these phases is over for good. @public */
export function isDebugSessionOver(phase: DebugPhase | undefined): boolean {
  return phase !== undefined && ENDED_PHASES.includes(phase);
}

/** A time as Kubernetes writes metav1.Time: RFC 3339 in UTC, whole seconds. @public */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** When a session started at `startedAt` with this TTL expires. @public */
export function debugSessionExpiry(startedAt: Date, ttlSeconds: number): Date {
  return new Date(startedAt.getTime() + ttlSeconds * 1000);
}

/** The debug container's status, in the pod (ephemeral) or its copy. */
function debugContainerStatus(
  pod: V1Pod | undefined,
  name: string,
): V1ContainerStatus | undefined {
  return [
    ...(pod?.status?.ephemeralContainerStatuses ?? []),
    ...(pod?.status?.containerStatuses ?? []),
  ].find(s => s.name === name);
}

/** The generation the status speaks for: the started one, once the session has started. */
function generationOf(session: DebugSession): number | undefined {
  return session.status?.startedAt
    ? session.status.observedGeneration
    : session.metadata.generation;
}

function readyCondition(
  session: DebugSession,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): DebugSessionCondition {
  const previous = session.status?.conditions?.find(c => c.type === 'Ready');
  return {
    type: 'Ready',
    status,
    observedGeneration: generationOf(session),
    // Only a change of status moves the transition time, as metav1 conditions do.
    lastTransitionTime:
      previous && previous.status === status
        ? previous.lastTransitionTime
        : kubeTime(now),
    reason,
    message,
  };
}

/** The status with phase and Ready condition set; undefined when nothing changes. */
function nextStatus(
  session: DebugSession,
  change: Partial<DebugSessionStatus> & {
    phase: DebugPhase;
    ready: ['True' | 'False', string, string];
  },
  now: Date,
): DebugSessionStatus | undefined {
  const { ready, ...fields } = change;
  const current = session.status ?? {};
  const condition = readyCondition(session, ...ready, now);
  const previous = current.conditions?.find(c => c.type === 'Ready');
  const status: DebugSessionStatus = {
    ...current,
    ...fields,
    observedGeneration: generationOf(session),
    conditions: [condition],
  };
  if (isDebugSessionOver(change.phase) && !isDebugSessionOver(current.phase))
    status.endedAt = kubeTime(now);
  const unchanged =
    current.phase === status.phase &&
    previous?.status === condition.status &&
    previous?.reason === condition.reason &&
    previous?.message === condition.message &&
    Object.entries(fields).every(
      ([key, value]) => (current as Record<string, unknown>)[key] === value,
    );
  return unchanged ? undefined : status;
}

/** The writes that end the session's debug container, whichever mode. */
function endActions(
  session: DebugSession,
  pod: V1Pod | undefined,
  copy: V1Pod | undefined,
): DebugSessionAction[] {
  const name = session.status?.containerName;
  if (session.status?.copyPodName) {
    return copy?.metadata?.uid && !copy.metadata.deletionTimestamp
      ? [
          {
            type: 'deletePod',
            name: copy.metadata.name!,
            uid: copy.metadata.uid,
          },
        ]
      : [];
  }
  if (!name || !pod) return [];
  if (!debugContainerStatus(pod, name)?.state?.running) return [];
  return [
    {
      type: 'endProcess',
      podName: pod.metadata!.name!,
      containerName: name,
      command: endProcessCommand(session),
    },
  ];
}

/** Waiting reasons the kubelet does not get past without a change of the container. */
const CANNOT_START = new Set([
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);
const PULL_FAILING = new Set(['ErrImagePull', 'ImagePullBackOff']);

/**
 * The writes that fail a session: Failed with the reason and message in its
 * Ready condition, and a Warning event. The controller uses them too when
 * the API server refuses the debug container or the copy (e.g. PodSecurity
 * admission refusing a privileged profile, an exceeded quota).
 * @public
 */
export function failDebugSession(
  session: DebugSession,
  reason: string,
  message: string,
  now: Date,
): DebugSessionAction[] {
  const failed = nextStatus(
    session,
    { phase: 'Failed', ready: ['False', reason, message] },
    now,
  );
  return [
    ...(failed ? [{ type: 'updateStatus' as const, status: failed }] : []),
    { type: 'event', eventType: 'Warning', reason, message },
  ];
}

/**
 * The session's next writes: the finalizer first; then the start (status
 * with startedAt and expiresAt, then the ephemeral container or the copy);
 * then the phase the debug container's status shows; at expiry or deletion
 * the end of the container (an exec ending its processes, or the copy's
 * deletion), Expired, and the finalizer's removal.
 * @public
 */
export function planDebugSession(
  observation: DebugSessionObservation,
): DebugSessionPlan {
  const { session, now, config } = observation;
  const { pod, copy } = observation;
  const status = session.status ?? {};
  const finalizers = session.metadata.finalizers ?? [];
  const hasFinalizer = finalizers.includes(DEBUG_SESSION_FINALIZER);

  if (session.metadata.deletionTimestamp) {
    if (!hasFinalizer) return { actions: [] };
    const actions = isDebugSessionOver(status.phase)
      ? []
      : endActions(session, pod, copy);
    return { actions: [...actions, { type: 'removeFinalizer' }] };
  }
  if (!hasFinalizer) return { actions: [{ type: 'addFinalizer' }] };

  if (isDebugSessionOver(status.phase)) {
    // A copy outlives its session's end only until it is seen, and so does
    // an ephemeral container that started after it (its image was still
    // pulling at the expiry).
    if (status.copyPodName) return { actions: endActions(session, pod, copy) };
    const running = debugContainerStatus(pod, status.containerName ?? '')?.state
      ?.running;
    const startedLate =
      running?.startedAt !== undefined &&
      status.endedAt !== undefined &&
      new Date(running.startedAt).getTime() > Date.parse(status.endedAt);
    return { actions: startedLate ? endActions(session, pod, copy) : [] };
  }

  const fail = (reason: string, message: string): DebugSessionPlan => ({
    actions: failDebugSession(session, reason, message, now),
  });

  const resolved = resolveDebugSession(session, config);
  if ('error' in resolved) return fail('InvalidSpec', resolved.error);

  if (!status.startedAt) {
    if (!pod)
      return fail('PodNotFound', `pod "${session.spec.podName}" not found`);
    const containers = pod.spec?.containers.map(c => c.name) ?? [];
    if (!containers.includes(session.spec.targetContainer))
      return fail(
        'TargetNotFound',
        `pod "${session.spec.podName}" has no container "${
          session.spec.targetContainer
        }" (it has ${containers.join(', ')})`,
      );
    if (resolved.mode === 'ephemeral' && pod.status?.phase !== 'Running')
      return fail(
        'PodNotRunning',
        `pod "${session.spec.podName}" is ${
          pod.status?.phase ?? 'not running'
        }; an ephemeral container needs a running pod (copy mode debugs a pod that cannot run)`,
      );
    // The deadline is fixed before anything runs, so a slow start cannot stretch it.
    const started: DebugSessionStatus = {
      ...nextStatus(
        session,
        {
          phase: 'Pending',
          ready: ['False', 'Starting', 'adding the debug container'],
          podName: session.spec.podName,
          containerName: debugContainerName(session),
          image: resolved.image,
          startedAt: kubeTime(now),
          expiresAt: kubeTime(
            debugSessionExpiry(new Date(kubeTime(now)), resolved.ttlSeconds),
          ),
          ...(resolved.mode === 'copy'
            ? { copyPodName: copyPodName(session) }
            : {}),
        },
        now,
      )!,
    };
    return {
      actions: [{ type: 'updateStatus', status: started }],
      requeueAfterSeconds: resolved.ttlSeconds,
    };
  }

  const podName = status.podName ?? session.spec.podName;
  if (
    session.metadata.generation !== undefined &&
    status.observedGeneration !== undefined &&
    session.metadata.generation !== status.observedGeneration
  ) {
    // Another pod, container, image or profile would be a new session
    // (and one the portal's permission check never saw).
    return {
      actions: [
        ...endActions(session, pod, copy),
        ...failDebugSession(
          session,
          'SpecChanged',
          "the spec changed after the session started; a session's spec cannot change: create another session",
          now,
        ),
      ],
    };
  }

  const expiresAt = new Date(status.expiresAt!);
  const secondsLeft = Math.ceil((expiresAt.getTime() - now.getTime()) / 1000);
  const target = status.copyPodName ? copy : pod;
  const containerName = status.containerName!;

  if (secondsLeft <= 0) {
    const expired = nextStatus(
      session,
      {
        phase: 'Expired',
        ready: [
          'False',
          'Expired',
          `the session's TTL ran out at ${status.expiresAt}`,
        ],
      },
      now,
    )!;
    return {
      actions: [
        ...endActions(session, pod, copy),
        { type: 'updateStatus', status: expired },
        {
          type: 'event',
          eventType: 'Normal',
          reason: 'Expired',
          message: `TTL ran out; ${
            status.copyPodName
              ? `copy ${status.copyPodName} deleted`
              : `debug container ${containerName} ended`
          }`,
        },
      ],
    };
  }
  const requeueAfterSeconds = secondsLeft;
  const withStatus = (
    change: Parameters<typeof nextStatus>[1],
    event?: Omit<Extract<DebugSessionAction, { type: 'event' }>, 'type'>,
  ): DebugSessionPlan => {
    const next = nextStatus(session, change, now);
    const actions: DebugSessionAction[] = next
      ? [{ type: 'updateStatus', status: next }]
      : [];
    if (next && event) actions.push({ type: 'event', ...event });
    return { actions, requeueAfterSeconds };
  };

  if (status.copyPodName && status.phase === 'Pending' && !copy && pod) {
    return {
      actions: [
        { type: 'createPod', pod: buildCopyPod(session, pod, resolved) },
      ],
      requeueAfterSeconds,
    };
  }
  if (!target || target.metadata?.deletionTimestamp) {
    const what = status.copyPodName
      ? `copy ${status.copyPodName}`
      : `pod ${podName}`;
    return withStatus(
      { phase: 'Ended', ready: ['False', 'PodGone', `${what} is gone`] },
      { eventType: 'Normal', reason: 'Ended', message: `${what} is gone` },
    );
  }

  if (
    !status.copyPodName &&
    !(target.spec?.ephemeralContainers ?? []).some(
      c => c.name === containerName,
    )
  ) {
    return {
      actions: [
        {
          type: 'addEphemeralContainer',
          podName: target.metadata!.name!,
          container: buildEphemeralContainer(session, resolved),
        },
      ],
      requeueAfterSeconds,
    };
  }

  const container = debugContainerStatus(target, containerName);
  const state = container?.state;
  if (state?.running) {
    return withStatus(
      {
        phase: 'Active',
        ready: [
          'True',
          'ContainerRunning',
          `debug container ${containerName} runs`,
        ],
      },
      {
        eventType: 'Normal',
        reason: 'Started',
        message: `debug container ${containerName} (${
          resolved.image
        }) runs in ${
          status.copyPodName ? `copy ${status.copyPodName}` : `pod ${podName}`
        }, targeting ${session.spec.targetContainer}; expires at ${
          status.expiresAt
        }`,
      },
    );
  }
  if (state?.terminated) {
    const { exitCode, reason } = state.terminated;
    const neverRan = reason === 'StartError' || reason === 'ContainerCannotRun';
    const message = `debug container ${containerName} ${
      neverRan ? 'could not start' : 'exited'
    }: ${reason ?? 'Terminated'}, exit code ${exitCode}${
      state.terminated.message ? ` (${state.terminated.message.trim()})` : ''
    }`;
    return withStatus(
      {
        phase: neverRan ? 'Failed' : 'Ended',
        ready: [
          'False',
          neverRan ? 'ContainerFailed' : 'ContainerExited',
          message,
        ],
      },
      {
        eventType: neverRan ? 'Warning' : 'Normal',
        reason: neverRan ? 'Failed' : 'Ended',
        message,
      },
    );
  }
  const waiting = state?.waiting;
  const reason = waiting?.reason ?? 'ContainerCreating';
  const message = `debug container ${containerName} is waiting: ${reason}${
    waiting?.message ? ` (${waiting.message})` : ''
  }`;
  if (CANNOT_START.has(reason))
    return withStatus(
      { phase: 'Failed', ready: ['False', reason, message] },
      { eventType: 'Warning', reason: 'Failed', message },
    );
  // The kubelet retries pulls; the session waits for them until its TTL.
  return withStatus(
    { phase: 'Pending', ready: ['False', reason, message] },
    PULL_FAILING.has(reason)
      ? { eventType: 'Warning', reason, message }
      : undefined,
  );
}
