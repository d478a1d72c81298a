import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { nodeAllocatable, podRequests } from '../scheduler/resources';
import {
  matchesRequiredNodeAffinity,
  toleratesAny,
} from '../scheduler/selectors';

/** Why the kubelet refuses to run a pod bound to its node. */
export interface PodRejection {
  /** The event reason and status.reason: `OutOfcpu`, `NodeAffinity`, … */
  reason: string;
  /** The event message; the pod's status.message is "Pod was rejected: " and this. */
  message: string;
}

/** The node's active pods as admission counts them: how many, and their summed requests. */
export interface ActivePods {
  count: number;
  used: Record<string, number>;
}

/** Sums the requests of pods (what a kubelet keeps up to date as pods start and end). */
export function sumRequests(pods: V1Pod[]): ActivePods {
  const used: Record<string, number> = {};
  for (const other of pods) {
    for (const [resource, amount] of Object.entries(podRequests(other))) {
      used[resource] = (used[resource] ?? 0) + amount;
    }
  }
  return { count: pods.length, used };
}

/**
 * The kubelet's admission check for a pod bound to its node (directly, by
 * `spec.nodeName`, past the scheduler): node affinity/selector, NoExecute
 * taints, the pod count and resource requests against allocatable minus
 * what the node's other active pods request.
 */
export function admitPod(
  pod: V1Pod,
  node: V1Node,
  activePods: V1Pod[] | ActivePods,
): PodRejection | undefined {
  if (!matchesRequiredNodeAffinity(pod, node)) {
    return {
      reason: 'NodeAffinity',
      message:
        "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
    };
  }
  const taint = (node.spec?.taints ?? []).find(
    t => t.effect === 'NoExecute' && !toleratesAny(pod.spec?.tolerations, t),
  );
  if (taint) {
    return {
      reason: 'TaintToleration',
      message: `Predicate TaintToleration failed: node(s) had untolerated taint {${
        taint.key
      }: ${taint.value ?? ''}}`,
    };
  }
  const allocatable = nodeAllocatable(node);
  const { count, used } = Array.isArray(activePods)
    ? sumRequests(activePods)
    : activePods;
  const insufficient = (
    resource: string,
    requested: number,
    inUse: number,
    capacity: number,
  ) => ({
    reason: `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${inUse}, capacity: ${capacity}`,
  });
  const allowedPods = allocatable.pods ?? 0;
  if (count + 1 > allowedPods)
    return insufficient('pods', 1, count, allowedPods);
  const requests = podRequests(pod);
  const resources = Object.keys(requests).sort(
    (a, b) => rank(a) - rank(b) || (a < b ? -1 : 1),
  );
  for (const resource of resources) {
    const requested = requests[resource];
    if (requested <= 0) continue;
    const capacity = allocatable[resource] ?? 0;
    const inUse = used[resource] ?? 0;
    if (requested > capacity - inUse)
      return insufficient(resource, requested, inUse, capacity);
  }
  return undefined;
}

/** cpu, memory and ephemeral-storage are checked first, as the scheduler's fit does. */
function rank(resource: string): number {
  const order = ['cpu', 'memory', 'ephemeral-storage'].indexOf(resource);
  return order < 0 ? 3 : order;
}
