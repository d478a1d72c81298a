import type { V1ContainerPort, V1Pod } from '@kubernetes/client-node';
import { prepareInterPodAffinityFilter } from './interPodAffinity';
import { NodeInfo, PodInfo, SchedulingSnapshot } from './snapshot';
import {
  findUntoleratedTaint,
  matchesRequiredNodeAffinity,
  toleratesAny,
} from './selectors';
import {
  didNotSatisfyPluginsReason,
  FilterStatus,
  insufficientReason,
  REASON_NODE_AFFINITY,
  REASON_NODE_AFFINITY_CONFLICT,
  REASON_NODE_PORTS,
  REASON_NODE_UNSCHEDULABLE,
  REASON_TOO_MANY_PODS,
  unresolvable,
  unschedulable,
  untoleratedTaintReason,
} from './status';
import { prepareSpreadFilter } from './topologySpread';
import { prepareVolumeBinding } from './volumeBinding';

/** NodeUnschedulable: `spec.unschedulable` keeps pods off unless they tolerate the unschedulable taint. */
export function filterNodeUnschedulable(
  pod: V1Pod,
  node: NodeInfo,
): FilterStatus | undefined {
  if (!node.node.spec?.unschedulable) return undefined;
  const tolerates = toleratesAny(pod.spec?.tolerations, {
    key: 'node.kubernetes.io/unschedulable',
    effect: 'NoSchedule',
  });
  return tolerates ? undefined : unresolvable(REASON_NODE_UNSCHEDULABLE);
}

/** TaintToleration: the first NoSchedule/NoExecute taint the pod does not tolerate. */
export function filterTaintToleration(
  pod: V1Pod,
  node: NodeInfo,
): FilterStatus | undefined {
  const taint = findUntoleratedTaint(node.node, pod.spec?.tolerations);
  return taint
    ? unresolvable(untoleratedTaintReason(taint.key, taint.value))
    : undefined;
}

/** NodeAffinity: nodeSelector and required node affinity. */
export function filterNodeAffinity(
  pod: V1Pod,
  node: NodeInfo,
): FilterStatus | undefined {
  return matchesRequiredNodeAffinity(pod, node.node)
    ? undefined
    : unresolvable(REASON_NODE_AFFINITY);
}

interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

function hostPorts(pod: V1Pod): HostPort[] {
  const containers = [
    ...(pod.spec?.initContainers ?? []).filter(
      c => c.restartPolicy === 'Always',
    ),
    ...(pod.spec?.containers ?? []),
  ];
  return containers
    .flatMap(c => c.ports ?? [])
    .filter((p: V1ContainerPort) => (p.hostPort ?? 0) > 0)
    .map(p => ({
      ip: p.hostIP || '0.0.0.0',
      protocol: p.protocol ?? 'TCP',
      port: p.hostPort!,
    }));
}

function portsConflict(a: HostPort, b: HostPort): boolean {
  return (
    a.port === b.port &&
    a.protocol === b.protocol &&
    (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0')
  );
}

/** NodePorts: requested host ports must be free on the node. */
export function filterNodePorts(
  pod: PodInfo,
  node: NodeInfo,
): FilterStatus | undefined {
  const wanted = hostPorts(pod.pod);
  if (wanted.length === 0) return undefined;
  for (const existing of node.pods) {
    for (const used of hostPorts(existing.pod)) {
      if (wanted.some(w => portsConflict(w, used)))
        return unschedulable(REASON_NODE_PORTS);
    }
  }
  return undefined;
}

const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * NodeResourcesFit: the pod count and every requested resource against what
 * is left of allocatable. A request above the node's whole allocatable is
 * unresolvable (preempting pods cannot help).
 */
export function filterResourcesFit(
  pod: PodInfo,
  node: NodeInfo,
): FilterStatus | undefined {
  const reasons: string[] = [];
  let unresolvableShortage = false;
  const allowedPods = node.allocatable.pods ?? 0;
  if (node.pods.length + 1 > allowedPods) reasons.push(REASON_TOO_MANY_PODS);
  const requested = Object.entries(pod.requests).filter(
    ([, amount]) => amount > 0,
  );
  const scalar = requested
    .filter(
      ([resource]) =>
        !STANDARD_RESOURCES.includes(resource) && resource !== 'pods',
    )
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const standard = STANDARD_RESOURCES.flatMap(resource =>
    pod.requests[resource] > 0
      ? [[resource, pod.requests[resource]] as const]
      : [],
  );
  for (const [resource, amount] of [...standard, ...scalar]) {
    const allocatable = node.allocatable[resource] ?? 0;
    const used = node.requested[resource] ?? 0;
    if (amount > allocatable - used) {
      reasons.push(insufficientReason(resource));
      if (amount > allocatable) unresolvableShortage = true;
    }
  }
  if (reasons.length === 0) return undefined;
  return unresolvableShortage
    ? unresolvable(...reasons)
    : unschedulable(...reasons);
}

/** The filters of the default profile, prepared for one pod over a snapshot. */
export interface PreparedFilters {
  /** Set when PreFilter rejects the pod outright (every node gets this status). */
  preFilterStatus?: FilterStatus;
  /** Nodes PreFilter narrowed the search to (matchFields on metadata.name); all when undefined. */
  candidateNodes?: Set<string>;
  /** Status for nodes outside `candidateNodes`. */
  outsideCandidatesStatus?: FilterStatus;
  /** Runs the filters in the default profile's order, stopping at the first failure. */
  filter(node: NodeInfo): FilterStatus | undefined;
}

/**
 * NodeAffinity's PreFilter: when every required term pins `metadata.name` with
 * `In`, only those nodes are considered.
 */
function nodeNamesFromAffinity(
  pod: V1Pod,
): Set<string> | undefined | 'conflict' {
  const terms =
    pod.spec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  let names: Set<string> | undefined;
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const field of term.matchFields ?? []) {
      if (field.key !== 'metadata.name' || field.operator !== 'In') continue;
      const values = new Set(field.values ?? []);
      termNames = termNames
        ? new Set([...termNames].filter(n => values.has(n)))
        : values;
    }
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  if (names && names.size === 0) return 'conflict';
  return names;
}

export function prepareFilters(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
): PreparedFilters {
  const pinned = nodeNamesFromAffinity(pod.pod);
  if (pinned === 'conflict') {
    const status = unresolvable(REASON_NODE_AFFINITY_CONFLICT);
    return { preFilterStatus: status, filter: () => status };
  }
  const volumes = prepareVolumeBinding(pod.pod, snapshot.claims);
  if (volumes.preFilterStatus) {
    const status = volumes.preFilterStatus;
    return { preFilterStatus: status, filter: () => status };
  }
  const spreadFilter = prepareSpreadFilter(pod, snapshot);
  const affinityFilter = prepareInterPodAffinityFilter(pod, snapshot);
  return {
    candidateNodes: pinned,
    outsideCandidatesStatus: pinned
      ? unresolvable(didNotSatisfyPluginsReason(['NodeAffinity']))
      : undefined,
    filter: node =>
      filterNodeUnschedulable(pod.pod, node) ??
      filterTaintToleration(pod.pod, node) ??
      filterNodeAffinity(pod.pod, node) ??
      filterNodePorts(pod, node) ??
      filterResourcesFit(pod, node) ??
      volumes.filter?.(node) ??
      spreadFilter?.(node) ??
      affinityFilter?.(node),
  };
}
