import type {
  CoreV1Event,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';
import type { SchedulingSnapshot } from '../scheduler';

/*
 * What kube-scheduler does around DefaultPreemption's choice of victims: the
 * order its queue pops pods in, whether a pod may preempt again, and the
 * condition and event a victim gets.
 */

export const NOT_ELIGIBLE_TERMINATING_VICTIMS =
  'not eligible due to a terminating pod on the nominated node.';

const schedulerName = (pod: V1Pod) =>
  pod.spec?.schedulerName ?? 'default-scheduler';

const creationTime = (pod: V1Pod) =>
  pod.metadata?.creationTimestamp
    ? new Date(pod.metadata.creationTimestamp).getTime()
    : 0;

/** The scheduling queue's order: higher priority first, then the older pod. */
export function schedulingOrder(a: V1Pod, b: V1Pod): number {
  return (
    (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0) ||
    creationTime(a) - creationTime(b)
  );
}

function terminatingByPreemption(pod: V1Pod): boolean {
  if (!pod.metadata?.deletionTimestamp) return false;
  const condition = (pod.status?.conditions ?? []).find(
    c => c.type === 'DisruptionTarget',
  );
  return (
    condition?.status === 'True' && condition.reason === 'PreemptionByScheduler'
  );
}

/**
 * A pod nominated to a node where lower-priority victims are still
 * terminating waits for them rather than preempting more pods.
 */
export function eligibleToPreempt(
  pod: V1Pod,
  snapshot: SchedulingSnapshot,
): boolean {
  const nominated = pod.status?.nominatedNodeName;
  const node = nominated ? snapshot.node(nominated) : undefined;
  if (!node) return true;
  const priority = pod.spec?.priority ?? 0;
  return !node.pods.some(
    p => p.priority < priority && terminatingByPreemption(p.pod),
  );
}

/**
 * The nominated pods a pod must leave room for: those of at least its
 * priority, placed on their nominated nodes, as kube-scheduler's filters
 * count them.
 */
export function nominatedPodsAhead(pod: V1Pod, nominated: V1Pod[]): V1Pod[] {
  const priority = pod.spec?.priority ?? 0;
  return nominated
    .filter(
      p =>
        p.metadata?.uid !== pod.metadata?.uid &&
        (p.spec?.priority ?? 0) >= priority,
    )
    .map(p => ({
      ...p,
      spec: { ...p.spec!, nodeName: p.status!.nominatedNodeName },
    }));
}

/** The condition a victim gets before the scheduler deletes it. */
export function disruptionTargetCondition(
  preemptor: V1Pod,
  now: Date = new Date(),
): V1PodCondition {
  return {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: `${schedulerName(
      preemptor,
    )}: preempting to accommodate a higher priority pod`,
    lastTransitionTime: now,
  };
}

/** The `Preempted` event on a victim, related to the pod it made room for. */
export function preemptedEvent(
  victim: V1Pod,
  preemptor: V1Pod,
  nodeName: string,
  now: Date = new Date(),
): CoreV1Event {
  const reference = (pod: V1Pod) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    uid: pod.metadata?.uid,
    resourceVersion: pod.metadata?.resourceVersion,
  });
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${victim.metadata?.name}.${(
        BigInt(now.getTime()) * 1_000_000n
      ).toString(16)}`,
      namespace: victim.metadata?.namespace ?? 'default',
    },
    involvedObject: reference(victim),
    related: reference(preemptor),
    type: 'Normal',
    reason: 'Preempted',
    action: 'Preempting',
    message: `Preempted by pod ${preemptor.metadata?.uid} on node ${nodeName}`,
    source: {},
    reportingComponent: schedulerName(preemptor),
    reportingInstance: schedulerName(preemptor),
    eventTime: now,
  };
}
