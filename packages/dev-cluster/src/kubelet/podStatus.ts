import type {
  V1Container,
  V1ContainerStatus,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
} from '@kubernetes/client-node';

/**
 * The kubelet's pod status rules (pkg/kubelet/status and kubelet_pods.go):
 * phase from container states and restartPolicy, and the PodReadyToStartContainers,
 * Initialized, Ready and ContainersReady conditions with their reasons and messages.
 */

function isSidecar(container: V1Container): boolean {
  return container.restartPolicy === 'Always';
}

function statusOf(
  statuses: V1ContainerStatus[],
  name: string,
): V1ContainerStatus | undefined {
  return statuses.find(s => s.name === name);
}

/**
 * The pod phase as the kubelet's getPhase computes it. `statuses` holds init
 * and regular container statuses; `podIsTerminal` is set once the kubelet
 * has decided the pod will not run again.
 */
export function podPhase(
  pod: V1Pod,
  statuses: V1ContainerStatus[],
  options: { podIsTerminal?: boolean; podHasInitialized?: boolean } = {},
): string {
  const spec = pod.spec!;
  const initContainers = spec.initContainers ?? [];
  let pendingInit = 0;
  let pendingSidecars = 0;
  let failedInitialization = 0;
  for (const container of initContainers) {
    if (isSidecar(container)) continue;
    const status = statusOf(statuses, container.name);
    if (!status?.state) {
      pendingInit++;
    } else if (status.state.running) {
      pendingInit++;
    } else if (status.state.terminated) {
      if (status.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (status.state.waiting) {
      if (status.lastState?.terminated) {
        if (status.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else {
        pendingInit++;
      }
    } else {
      pendingInit++;
    }
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const container of initContainers) {
    if (!isSidecar(container)) continue;
    const status = statusOf(statuses, container.name);
    if (!status?.state) {
      unknown++;
    } else if (status.state.running) {
      if (!status.started) pendingSidecars++;
      running++;
    } else if (status.state.terminated) {
      // Terminated sidecars do not count.
    } else if (status.state.waiting) {
      if (!status.lastState?.terminated) {
        pendingSidecars++;
        waiting++;
      }
    } else {
      pendingSidecars++;
      unknown++;
    }
  }
  for (const container of spec.containers) {
    const status = statusOf(statuses, container.name);
    if (!status?.state) {
      unknown++;
    } else if (status.state.running) {
      running++;
    } else if (status.state.terminated) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeeded++;
    } else if (status.state.waiting) {
      if (status.lastState?.terminated) stopped++;
      else waiting++;
    } else {
      unknown++;
    }
  }
  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if (
    pendingInit > 0 ||
    (pendingSidecars > 0 && !options.podHasInitialized) ||
    waiting > 0
  ) {
    return 'Pending';
  }
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (options.podIsTerminal)
      return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Go's `%s` of a string slice: `[a b]`. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

type Condition = Omit<V1PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

/** Whether any regular container has started (so the pod was initialized before). */
function anyRegularContainerStarted(
  pod: V1Pod,
  statuses: V1ContainerStatus[],
): boolean {
  return pod.spec!.containers.some(c => {
    const status = statusOf(statuses, c.name);
    return Boolean(
      status?.state?.running ||
        status?.state?.terminated ||
        status?.lastState?.terminated,
    );
  });
}

export function initializedCondition(
  pod: V1Pod,
  statuses: V1ContainerStatus[],
  phase: string,
): Condition {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const container of pod.spec!.initContainers ?? []) {
    const status = statusOf(statuses, container.name);
    if (!status) {
      unknown.push(container.name);
    } else if (isSidecar(container)) {
      if (!status.started) incomplete.push(container.name);
    } else if (!status.ready) {
      incomplete.push(container.name);
    }
  }
  if (phase === 'Succeeded' && unknown.length === 0) {
    return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  }
  if (anyRegularContainerStarted(pod, statuses))
    return { type: 'Initialized', status: 'True' };
  const messages: string[] = [];
  if (unknown.length > 0)
    messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length > 0)
    messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length > 0) {
    return {
      type: 'Initialized',
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: messages.join(', '),
    };
  }
  return { type: 'Initialized', status: 'True' };
}

export function containersReadyCondition(
  pod: V1Pod,
  statuses: V1ContainerStatus[],
  phase: string,
): Condition {
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (container: V1Container) => {
    const status = statusOf(statuses, container.name);
    if (!status) unknown.push(container.name);
    else if (!status.ready) unready.push(container.name);
  };
  (pod.spec!.initContainers ?? []).filter(isSidecar).forEach(check);
  pod.spec!.containers.forEach(check);
  if (phase === 'Succeeded' && unknown.length === 0) {
    return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  }
  if (phase === 'Failed')
    return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const messages: string[] = [];
  if (unknown.length > 0)
    messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0)
    messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length > 0) {
    return {
      type: 'ContainersReady',
      status: 'False',
      reason: 'ContainersNotReady',
      message: messages.join(', '),
    };
  }
  return { type: 'ContainersReady', status: 'True' };
}

/** Ready: ContainersReady, and every readiness gate's condition True. */
export function readyCondition(
  pod: V1Pod,
  containersReady: Condition,
  conditions: V1PodCondition[],
): Condition {
  if (containersReady.status !== 'True') {
    return {
      type: 'Ready',
      status: containersReady.status,
      reason: containersReady.reason,
      message: containersReady.message,
    };
  }
  const messages: string[] = [];
  for (const gate of pod.spec!.readinessGates ?? []) {
    const condition = conditions.find(c => c.type === gate.conditionType);
    if (!condition) {
      messages.push(
        `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`,
      );
    } else if (condition.status !== 'True') {
      messages.push(
        `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${condition.status}`,
      );
    }
  }
  if (messages.length > 0) {
    return {
      type: 'Ready',
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: messages.join(', '),
    };
  }
  return { type: 'Ready', status: 'True' };
}

/** The pod conditions the kubelet owns (kubetypes.PodConditionByKubelet). */
export const KUBELET_CONDITIONS = [
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
];

/**
 * The pod's conditions after a kubelet sync: its own four, in the order the
 * kubelet writes them, then the others (PodScheduled, readiness gates'
 * conditions, DisruptionTarget, …) as they were. A condition keeps its
 * lastTransitionTime while its status does not change.
 */
export function podConditions(
  pod: V1Pod,
  statuses: V1ContainerStatus[],
  phase: string,
  options: { sandboxReady: boolean; now: Date },
): V1PodCondition[] {
  const previous = pod.status?.conditions ?? [];
  const others = previous.filter(c => !KUBELET_CONDITIONS.includes(c.type));
  const containersReady = containersReadyCondition(pod, statuses, phase);
  const computed: Condition[] = [
    {
      type: 'PodReadyToStartContainers',
      status: options.sandboxReady ? 'True' : 'False',
    },
    initializedCondition(pod, statuses, phase),
    readyCondition(pod, containersReady, previous),
    containersReady,
  ];
  const stamped = computed.map(condition => {
    const old = previous.find(c => c.type === condition.type);
    const lastTransitionTime =
      old && old.status === condition.status && old.lastTransitionTime
        ? old.lastTransitionTime
        : options.now;
    const result: V1PodCondition = {
      type: condition.type,
      status: condition.status,
      lastTransitionTime,
    };
    if (condition.reason) result.reason = condition.reason;
    if (condition.message) result.message = condition.message;
    return result;
  });
  return [...stamped, ...others];
}

/** The QoS class of a pod (Guaranteed, Burstable or BestEffort). */
export function qosClass(pod: V1Pod): string {
  const containers = [
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.containers ?? []),
  ];
  let anySet = false;
  let guaranteed = true;
  for (const container of containers) {
    const requests = {
      ...container.resources?.limits,
      ...container.resources?.requests,
    };
    const limits = container.resources?.limits ?? {};
    for (const resource of ['cpu', 'memory']) {
      if (requests[resource] !== undefined || limits[resource] !== undefined)
        anySet = true;
      if (
        limits[resource] === undefined ||
        requests[resource] !== limits[resource]
      )
        guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Assembles a pod's status from what the kubelet knows. */
export function buildPodStatus(
  pod: V1Pod,
  input: {
    initContainerStatuses: V1ContainerStatus[];
    containerStatuses: V1ContainerStatus[];
    ephemeralContainerStatuses?: V1ContainerStatus[];
    hostIP: string;
    podIP?: string;
    startTime: Date;
    sandboxReady: boolean;
    podIsTerminal?: boolean;
    /** Set when the kubelet failed the pod itself (e.g. DeadlineExceeded). */
    failure?: { reason: string; message: string };
    now: Date;
  },
): V1PodStatus {
  const all = [...input.initContainerStatuses, ...input.containerStatuses];
  const podHasInitialized = anyRegularContainerStarted(
    pod,
    input.containerStatuses,
  );
  const phase = input.failure
    ? 'Failed'
    : podPhase(pod, all, {
        podIsTerminal: input.podIsTerminal,
        podHasInitialized,
      });
  const status: V1PodStatus = {
    phase,
    conditions: podConditions(pod, all, phase, {
      sandboxReady: input.sandboxReady,
      now: input.now,
    }),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: input.startTime,
    containerStatuses: input.containerStatuses,
    qosClass: pod.status?.qosClass ?? qosClass(pod),
  };
  if (input.failure) {
    status.reason = input.failure.reason;
    status.message = input.failure.message;
  }
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if ((pod.spec?.initContainers ?? []).length > 0)
    status.initContainerStatuses = input.initContainerStatuses;
  if (input.ephemeralContainerStatuses?.length)
    status.ephemeralContainerStatuses = input.ephemeralContainerStatuses;
  return status;
}

/**
 * The containers a pod update requires restarting in place: those whose
 * image changed (the only container field a pod update may change). The pod
 * keeps its UID and IP; only these containers restart.
 */
export function containersToRestartForUpdate(
  oldPod: V1Pod,
  newPod: V1Pod,
): string[] {
  const changed: string[] = [];
  const compare = (
    oldList: V1Container[] = [],
    newList: V1Container[] = [],
    sidecarsOnly: boolean,
  ) => {
    for (const container of newList) {
      if (sidecarsOnly && !isSidecar(container)) continue;
      const old = oldList.find(c => c.name === container.name);
      if (old && old.image !== container.image) changed.push(container.name);
    }
  };
  compare(oldPod.spec?.initContainers, newPod.spec?.initContainers, true);
  compare(oldPod.spec?.containers, newPod.spec?.containers, false);
  return changed;
}
