import type {
  CoreV1Event,
  V1Binding,
  V1Node,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';
import { eventName } from '../machinery/eventName';
import { prepareFilters } from './filters';
import { scoreNodes } from './scoring';
import { Labels } from './selectors';
import { NodeInfo, newPodInfo, PodInfo, SchedulingSnapshot } from './snapshot';
import {
  FilterStatus,
  fitErrorMessage,
  MESSAGE_NO_NODES,
  MESSAGE_PREEMPTION_NEVER,
  REASON_NO_PREEMPTION_VICTIMS,
  REASON_PREEMPTION_NOT_HELPFUL,
  unresolvable,
} from './status';

/** What the scheduler decided for a pod. */
export type ScheduleResult =
  | {
      /** The pod already names its node (`spec.nodeName`); the scheduler leaves it alone. */
      outcome: 'AlreadyBound';
      nodeName: string;
    }
  | {
      /** Scheduling gates are set; the pod waits with PodScheduled=False, reason SchedulingGated. */
      outcome: 'Gated';
      message: string;
    }
  | {
      outcome: 'Scheduled';
      nodeName: string;
    }
  | {
      /** No node fits: PodScheduled=False, reason Unschedulable, and a FailedScheduling event with `message`. */
      outcome: 'Unschedulable';
      message: string;
      /** Why each node was rejected, by node name. */
      nodeReasons: Record<string, string[]>;
      /**
       * Set when preempting lower-priority pods would make room: the scheduler
       * deletes the victims and sets `status.nominatedNodeName`.
       */
      preemption?: { nodeName: string; victims: V1Pod[] };
    };

export interface ScheduleOptions {
  /** Labels of namespaces, for pod affinity terms with a namespaceSelector. */
  namespaceLabels?: Record<string, Labels>;
}

/**
 * Schedules a pod as kube-scheduler's default profile does, over the given
 * nodes and all pods (bound, unfinished pods count on their nodes).
 */
export function schedulePod(
  pod: V1Pod,
  nodes: V1Node[],
  pods: V1Pod[],
  options: ScheduleOptions = {},
): ScheduleResult {
  const others = pods.filter(p => !isSamePod(p, pod));
  return scheduleOnSnapshot(
    pod,
    SchedulingSnapshot.build(nodes, others, options.namespaceLabels),
  );
}

function isSamePod(a: V1Pod, b: V1Pod): boolean {
  if (a.metadata?.uid && b.metadata?.uid)
    return a.metadata.uid === b.metadata.uid;
  return (
    a.metadata?.name === b.metadata?.name &&
    a.metadata?.namespace === b.metadata?.namespace
  );
}

/** Like `schedulePod`, over a snapshot a control loop keeps up to date (see `SchedulingSnapshot.assume`). */
export function scheduleOnSnapshot(
  pod: V1Pod,
  snapshot: SchedulingSnapshot,
): ScheduleResult {
  if (pod.spec?.nodeName)
    return { outcome: 'AlreadyBound', nodeName: pod.spec.nodeName };
  if ((pod.spec?.schedulingGates ?? []).length > 0) {
    return {
      outcome: 'Gated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    };
  }
  if (snapshot.nodes.length === 0) {
    return {
      outcome: 'Unschedulable',
      message: MESSAGE_NO_NODES,
      nodeReasons: {},
    };
  }
  const podInfo = newPodInfo(pod);
  const { statuses, feasible, preFilterMessage } = findFeasibleNodes(
    podInfo,
    snapshot,
  );
  if (feasible.length === 0) {
    return unschedulableResult(podInfo, snapshot, statuses, preFilterMessage);
  }
  if (feasible.length === 1)
    return { outcome: 'Scheduled', nodeName: feasible[0].name };
  const scores = scoreNodes(podInfo, feasible, snapshot);
  return { outcome: 'Scheduled', nodeName: pickNode(feasible, scores).name };
}

interface Diagnosis {
  statuses: Map<string, FilterStatus>;
  feasible: NodeInfo[];
  preFilterMessage?: string;
}

function findFeasibleNodes(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
): Diagnosis {
  const filters = prepareFilters(pod, snapshot);
  const statuses = new Map<string, FilterStatus>();
  if (filters.preFilterStatus) {
    for (const node of snapshot.nodes)
      statuses.set(node.name, filters.preFilterStatus);
    return {
      statuses,
      feasible: [],
      preFilterMessage: filters.preFilterStatus.reasons.join(', '),
    };
  }
  const feasible: NodeInfo[] = [];
  for (const node of snapshot.nodes) {
    const status =
      filters.candidateNodes && !filters.candidateNodes.has(node.name)
        ? filters.outsideCandidatesStatus!
        : filters.filter(node);
    if (status) statuses.set(node.name, status);
    else feasible.push(node);
  }
  return { statuses, feasible };
}

/**
 * Kubernetes picks randomly among the best nodes; here the tie goes to the
 * node with the fewest pods, then the first by name, so replicas spread and
 * results repeat.
 */
function pickNode(nodes: NodeInfo[], scores: number[]): NodeInfo {
  let best = 0;
  for (let i = 1; i < nodes.length; i++) {
    const better =
      scores[i] > scores[best] ||
      (scores[i] === scores[best] &&
        (nodes[i].pods.length < nodes[best].pods.length ||
          (nodes[i].pods.length === nodes[best].pods.length &&
            nodes[i].name < nodes[best].name)));
    if (better) best = i;
  }
  return nodes[best];
}

function unschedulableResult(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
  statuses: Map<string, FilterStatus>,
  preFilterMessage: string | undefined,
): ScheduleResult {
  const total = snapshot.nodes.length;
  const nodeReasons = Object.fromEntries(
    [...statuses].map(([name, s]) => [name, s.reasons]),
  );
  const fitError = fitErrorMessage(total, statuses, [], preFilterMessage);
  const preemption = preempt(pod, snapshot, statuses);
  if ('nodeName' in preemption) {
    return {
      outcome: 'Unschedulable',
      message: fitError,
      nodeReasons,
      preemption,
    };
  }
  return {
    outcome: 'Unschedulable',
    message: `${fitError} preemption: ${preemption.message}`,
    nodeReasons,
  };
}

type PreemptionOutcome =
  | { message: string }
  | { nodeName: string; victims: V1Pod[] };

/**
 * DefaultPreemption: on nodes that failed only for reasons removing pods can
 * cure, try evicting lower-priority pods (keeping as many of the highest
 * priority as still fit). PodDisruptionBudgets are not considered.
 */
function preempt(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
  statuses: Map<string, FilterStatus>,
): PreemptionOutcome {
  if (pod.pod.spec?.preemptionPolicy === 'Never')
    return { message: MESSAGE_PREEMPTION_NEVER };
  const dryRunStatuses = new Map<string, FilterStatus>();
  const candidates: Array<{ node: NodeInfo; victims: PodInfo[] }> = [];
  for (const node of snapshot.nodes) {
    if (statuses.get(node.name)?.code !== 'Unschedulable') continue;
    const lower = node.pods.filter(p => p.priority < pod.priority);
    if (lower.length === 0) {
      dryRunStatuses.set(node.name, unresolvable(REASON_NO_PREEMPTION_VICTIMS));
      continue;
    }
    const failure = filterOn(pod, snapshot.without(lower), node.name);
    if (failure) {
      dryRunStatuses.set(node.name, failure);
      continue;
    }
    // Reprieve the most important pods first while the pod still fits.
    const ordered = [...lower].sort(
      (a, b) => b.priority - a.priority || startTime(a) - startTime(b),
    );
    let victims = [...ordered];
    for (const candidate of ordered) {
      const remaining = victims.filter(v => v !== candidate);
      if (!filterOn(pod, snapshot.without(remaining), node.name))
        victims = remaining;
    }
    candidates.push({ node, victims });
  }
  if (candidates.length === 0) {
    return {
      message: fitErrorMessage(snapshot.nodes.length, dryRunStatuses, [
        REASON_PREEMPTION_NOT_HELPFUL,
      ]),
    };
  }
  const highest = (c: { victims: PodInfo[] }) =>
    Math.max(...c.victims.map(v => v.priority));
  const sum = (c: { victims: PodInfo[] }) =>
    c.victims.reduce((s, v) => s + v.priority, 0);
  candidates.sort(
    (a, b) =>
      highest(a) - highest(b) ||
      sum(a) - sum(b) ||
      a.victims.length - b.victims.length,
  );
  return {
    nodeName: candidates[0].node.name,
    victims: candidates[0].victims.map(v => v.pod),
  };
}

function filterOn(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
  nodeName: string,
): FilterStatus | undefined {
  return prepareFilters(pod, snapshot).filter(snapshot.node(nodeName)!);
}

function startTime(pod: PodInfo): number {
  const start = pod.pod.status?.startTime;
  return start ? new Date(start).getTime() : 0;
}

/** The PodScheduled condition for a pod the scheduler could not place. */
export function unschedulableCondition(
  result: Extract<ScheduleResult, { outcome: 'Unschedulable' | 'Gated' }>,
  now: Date = new Date(),
): V1PodCondition {
  return {
    type: 'PodScheduled',
    status: 'False',
    reason: result.outcome === 'Gated' ? 'SchedulingGated' : 'Unschedulable',
    message: result.message,
    lastTransitionTime: now,
  };
}

/** The message of the scheduler's `Scheduled` event. */
export function scheduledEventMessage(pod: V1Pod, nodeName: string): string {
  return `Successfully assigned ${pod.metadata?.namespace ?? 'default'}/${
    pod.metadata?.name
  } to ${nodeName}`;
}

/** The Binding the scheduler POSTs to `pods/{name}/binding`. */
export function bindingFor(pod: V1Pod, nodeName: string): V1Binding {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: {
      name: pod.metadata!.name,
      namespace: pod.metadata!.namespace,
      uid: pod.metadata!.uid,
    },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
}

/**
 * The scheduler's event for a decision: Scheduled (Normal) on success,
 * FailedScheduling (Warning) with the FailedScheduling message otherwise.
 * Undefined for pods it leaves alone (already bound, gated).
 */
export function schedulingEvent(
  pod: V1Pod,
  result: ScheduleResult,
  now: Date = new Date(),
): CoreV1Event | undefined {
  if (result.outcome !== 'Scheduled' && result.outcome !== 'Unschedulable')
    return undefined;
  const scheduled = result.outcome === 'Scheduled';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(pod.metadata?.name ?? '', now),
      namespace: pod.metadata?.namespace ?? 'default',
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      uid: pod.metadata?.uid,
      resourceVersion: pod.metadata?.resourceVersion,
    },
    type: scheduled ? 'Normal' : 'Warning',
    reason: scheduled ? 'Scheduled' : 'FailedScheduling',
    message: scheduled
      ? scheduledEventMessage(pod, result.nodeName)
      : result.message,
    source: {},
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler',
    action: scheduled ? 'Binding' : 'Scheduling',
    eventTime: now,
  };
}
