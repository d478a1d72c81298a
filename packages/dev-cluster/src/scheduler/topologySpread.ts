import type {
  V1Pod,
  V1TopologySpreadConstraint,
} from '@kubernetes/client-node';
import { NodeInfo, PodInfo, SchedulingSnapshot } from './snapshot';
import {
  compileLabelSelector,
  findUntoleratedTaint,
  LabelMatcher,
  matchesRequiredNodeAffinity,
} from './selectors';
import {
  FilterStatus,
  REASON_SPREAD,
  REASON_SPREAD_MISSING_LABEL,
  unresolvable,
  unschedulable,
} from './status';

const LABEL_HOSTNAME = 'kubernetes.io/hostname';
const LABEL_ZONE = 'topology.kubernetes.io/zone';

interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  /** Whether a pod's labels (or, for system defaults, its owner) put it in the spread group. */
  selects: (pod: PodInfo) => boolean;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

function compileConstraints(
  pod: V1Pod,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
): SpreadConstraint[] {
  const podLabels = pod.metadata?.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? [])
    .filter(c => c.whenUnsatisfiable === whenUnsatisfiable)
    .map((c: V1TopologySpreadConstraint) => {
      const selector = { ...c.labelSelector };
      // matchLabelKeys adds `key In (the incoming pod's value)` for each key the pod has.
      const extra = (c.matchLabelKeys ?? [])
        .filter(key => Object.hasOwn(podLabels, key))
        .map(key => ({ key, operator: 'In', values: [podLabels[key]] }));
      if (c.labelSelector && extra.length > 0) {
        selector.matchExpressions = [
          ...(selector.matchExpressions ?? []),
          ...extra,
        ];
      }
      const matcher: LabelMatcher = compileLabelSelector(
        c.labelSelector ? selector : undefined,
      );
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        minDomains: c.minDomains ?? 1,
        selects: (p: PodInfo) => matcher(p.labels),
        honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      };
    });
}

function controllerUid(pod: V1Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find(ref => ref.controller)?.uid;
}

/**
 * The scheduler's system-default constraints (hostname maxSkew 3, zone maxSkew 5,
 * ScheduleAnyway) for a pod without its own. Kubernetes selects the group with
 * the selectors of the Services, ReplicaSets, StatefulSets and
 * ReplicationControllers that match the pod; here the group is the pods with
 * the same controller, which is what those selectors select in practice.
 */
function defaultConstraints(pod: V1Pod): SpreadConstraint[] {
  const owner = controllerUid(pod);
  if (!owner) return [];
  const selects = (p: PodInfo) => controllerUid(p.pod) === owner;
  return [
    {
      maxSkew: 3,
      topologyKey: LABEL_HOSTNAME,
      minDomains: 1,
      selects,
      honorNodeAffinity: true,
      honorNodeTaints: false,
    },
    {
      maxSkew: 5,
      topologyKey: LABEL_ZONE,
      minDomains: 1,
      selects,
      honorNodeAffinity: true,
      honorNodeTaints: false,
    },
  ];
}

function hasAllKeys(node: NodeInfo, constraints: SpreadConstraint[]): boolean {
  return constraints.every(c => Object.hasOwn(node.labels, c.topologyKey));
}

function includesNode(
  c: SpreadConstraint,
  pod: V1Pod,
  node: NodeInfo,
): boolean {
  if (c.honorNodeAffinity && !matchesRequiredNodeAffinity(pod, node.node))
    return false;
  if (
    c.honorNodeTaints &&
    findUntoleratedTaint(node.node, pod.spec?.tolerations)
  )
    return false;
  return true;
}

function countMatching(
  c: SpreadConstraint,
  node: NodeInfo,
  namespace: string,
): number {
  let count = 0;
  for (const p of node.pods) {
    if (
      p.namespace === namespace &&
      !p.pod.metadata?.deletionTimestamp &&
      c.selects(p)
    ) {
      count++;
    }
  }
  return count;
}

/** The PodTopologySpread filter for one pod, prepared once over the snapshot. */
export function prepareSpreadFilter(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
): ((node: NodeInfo) => FilterStatus | undefined) | undefined {
  const constraints = compileConstraints(pod.pod, 'DoNotSchedule');
  if (constraints.length === 0) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of snapshot.nodes) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!includesNode(c, pod.pod, node)) return;
      const value = node.labels[c.topologyKey];
      counts[i].set(
        value,
        (counts[i].get(value) ?? 0) + countMatching(c, node, pod.namespace),
      );
    });
  }
  const minMatches = constraints.map((c, i) =>
    counts[i].size < c.minDomains ? 0 : Math.min(...counts[i].values()),
  );
  return node => {
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      if (!Object.hasOwn(node.labels, c.topologyKey)) {
        return unresolvable(REASON_SPREAD_MISSING_LABEL);
      }
      const selfMatch = c.selects(pod) ? 1 : 0;
      const matchNum = counts[i].get(node.labels[c.topologyKey]) ?? 0;
      if (matchNum + selfMatch - minMatches[i] > c.maxSkew) {
        return unschedulable(REASON_SPREAD);
      }
    }
    return undefined;
  };
}

/**
 * PodTopologySpread scores (0–100, higher is better) for the feasible nodes:
 * fewer matching pods in a node's domains scores higher, weighted by the log of
 * the number of domains, for ScheduleAnyway constraints or the system defaults.
 */
export function spreadScores(
  pod: PodInfo,
  feasible: NodeInfo[],
  snapshot: SchedulingSnapshot,
): number[] {
  const own = pod.pod.spec?.topologySpreadConstraints ?? [];
  const constraints =
    own.length > 0
      ? compileConstraints(pod.pod, 'ScheduleAnyway')
      : defaultConstraints(pod.pod);
  if (constraints.length === 0) return feasible.map(() => 0);
  const requireAllTopologies = own.length > 0;
  const ignored = new Set<string>();
  const domainCounts = constraints.map(() => new Map<string, number>());
  for (const node of feasible) {
    if (requireAllTopologies && !hasAllKeys(node, constraints)) {
      ignored.add(node.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (
        c.topologyKey !== LABEL_HOSTNAME &&
        Object.hasOwn(node.labels, c.topologyKey)
      ) {
        domainCounts[i].set(node.labels[c.topologyKey], 0);
      }
    });
  }
  const weights = constraints.map((c, i) =>
    Math.log(
      (c.topologyKey === LABEL_HOSTNAME
        ? feasible.length - ignored.size
        : domainCounts[i].size) + 2,
    ),
  );
  for (const node of snapshot.nodes) {
    if (requireAllTopologies && !hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!includesNode(c, pod.pod, node)) return;
      const value = node.labels[c.topologyKey];
      const current = domainCounts[i].get(value);
      if (current === undefined) return;
      domainCounts[i].set(
        value,
        current + countMatching(c, node, pod.namespace),
      );
    });
  }
  const raw = feasible.map(node => {
    if (ignored.has(node.name)) return undefined;
    let score = 0;
    constraints.forEach((c, i) => {
      if (!Object.hasOwn(node.labels, c.topologyKey)) return;
      const count =
        c.topologyKey === LABEL_HOSTNAME
          ? countMatching(c, node, pod.namespace)
          : domainCounts[i].get(node.labels[c.topologyKey]) ?? 0;
      score += count * weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  });
  const valid = raw.filter((s): s is number => s !== undefined);
  const min = Math.min(...valid);
  const max = Math.max(...valid);
  return raw.map(s => {
    if (s === undefined) return 0;
    if (max === 0) return 100;
    return Math.trunc((100 * (max + min - s)) / max);
  });
}
