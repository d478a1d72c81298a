import {
  AffinityTerm,
  hasAffinityTerms,
  NodeInfo,
  PodInfo,
  SchedulingSnapshot,
  termMatchesPod,
} from './snapshot';
import {
  FilterStatus,
  REASON_EXISTING_ANTI_AFFINITY,
  REASON_POD_AFFINITY,
  REASON_POD_ANTI_AFFINITY,
  unresolvable,
  unschedulable,
} from './status';

/** The weight an existing pod's required affinity term gives matching nodes when scoring. */
const HARD_POD_AFFINITY_WEIGHT = 1;

type TopologyCounts = Map<string, number>;

function pairKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function increment(
  counts: TopologyCounts,
  term: AffinityTerm,
  node: NodeInfo,
  by = 1,
) {
  if (!Object.hasOwn(node.labels, term.topologyKey)) return;
  const key = pairKey(term.topologyKey, node.labels[term.topologyKey]);
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** The InterPodAffinity filter for one pod, prepared once over the snapshot. */
export function prepareInterPodAffinityFilter(
  pod: PodInfo,
  snapshot: SchedulingSnapshot,
): ((node: NodeInfo) => FilterStatus | undefined) | undefined {
  if (!hasAffinityTerms(pod) && snapshot.podsWithAffinityTerms === 0)
    return undefined;
  const ownNamespaceLabels = snapshot.namespaceLabels[pod.namespace];
  const existingAnti: TopologyCounts = new Map();
  const affinity: TopologyCounts = new Map();
  const antiAffinity: TopologyCounts = new Map();
  for (const node of snapshot.nodes) {
    for (const existing of node.pods) {
      for (const term of existing.requiredAntiAffinityTerms) {
        if (termMatchesPod(term, pod, ownNamespaceLabels))
          increment(existingAnti, term, node);
      }
      const existingNamespaceLabels =
        snapshot.namespaceLabels[existing.namespace];
      for (const term of pod.requiredAffinityTerms) {
        if (termMatchesPod(term, existing, existingNamespaceLabels))
          increment(affinity, term, node);
      }
      for (const term of pod.requiredAntiAffinityTerms) {
        if (termMatchesPod(term, existing, existingNamespaceLabels))
          increment(antiAffinity, term, node);
      }
    }
  }
  if (
    pod.requiredAffinityTerms.length === 0 &&
    pod.requiredAntiAffinityTerms.length === 0 &&
    existingAnti.size === 0
  ) {
    return undefined;
  }
  // The first pod of a group with affinity to itself may go anywhere the
  // topology keys exist, or it would wait forever.
  const matchesOwnTerms =
    pod.requiredAffinityTerms.length > 0 &&
    pod.requiredAffinityTerms.every(term =>
      termMatchesPod(term, pod, ownNamespaceLabels),
    );

  return node => {
    let podsExist = true;
    for (const term of pod.requiredAffinityTerms) {
      if (!Object.hasOwn(node.labels, term.topologyKey)) {
        return unresolvable(REASON_POD_AFFINITY);
      }
      if (
        !(
          affinity.get(
            pairKey(term.topologyKey, node.labels[term.topologyKey]),
          ) ?? 0
        )
      ) {
        podsExist = false;
      }
    }
    if (!podsExist && !(affinity.size === 0 && matchesOwnTerms)) {
      return unresolvable(REASON_POD_AFFINITY);
    }
    for (const term of pod.requiredAntiAffinityTerms) {
      if (!Object.hasOwn(node.labels, term.topologyKey)) continue;
      if (
        (antiAffinity.get(
          pairKey(term.topologyKey, node.labels[term.topologyKey]),
        ) ?? 0) > 0
      ) {
        return unschedulable(REASON_POD_ANTI_AFFINITY);
      }
    }
    if (existingAnti.size > 0) {
      for (const [key, value] of Object.entries(node.labels)) {
        if ((existingAnti.get(pairKey(key, value)) ?? 0) > 0) {
          return unschedulable(REASON_EXISTING_ANTI_AFFINITY);
        }
      }
    }
    return undefined;
  };
}

/**
 * InterPodAffinity scores (0–100) for the feasible nodes: the incoming pod's
 * preferred (anti-)affinity towards existing pods, existing pods' preferred
 * (anti-)affinity and required affinity towards the incoming pod, summed per
 * topology domain and scaled between the lowest and highest node.
 */
export function interPodAffinityScores(
  pod: PodInfo,
  feasible: NodeInfo[],
  snapshot: SchedulingSnapshot,
): number[] {
  if (!hasAffinityTerms(pod) && snapshot.podsWithAffinityTerms === 0) {
    return feasible.map(() => 0);
  }
  const ownNamespaceLabels = snapshot.namespaceLabels[pod.namespace];
  const topologyScore: TopologyCounts = new Map();
  const process = (
    terms: AffinityTerm[],
    target: PodInfo,
    targetNamespaceLabels: Record<string, string> | undefined,
    node: NodeInfo,
    sign: 1 | -1,
    weight?: number,
  ) => {
    for (const term of terms) {
      if (termMatchesPod(term, target, targetNamespaceLabels)) {
        increment(topologyScore, term, node, sign * (weight ?? term.weight));
      }
    }
  };
  for (const node of snapshot.nodes) {
    if (Object.keys(node.labels).length === 0) continue;
    for (const existing of node.pods) {
      const existingNamespaceLabels =
        snapshot.namespaceLabels[existing.namespace];
      process(
        pod.preferredAffinityTerms,
        existing,
        existingNamespaceLabels,
        node,
        1,
      );
      process(
        pod.preferredAntiAffinityTerms,
        existing,
        existingNamespaceLabels,
        node,
        -1,
      );
      process(
        existing.requiredAffinityTerms,
        pod,
        ownNamespaceLabels,
        node,
        1,
        HARD_POD_AFFINITY_WEIGHT,
      );
      process(
        existing.preferredAffinityTerms,
        pod,
        ownNamespaceLabels,
        node,
        1,
      );
      process(
        existing.preferredAntiAffinityTerms,
        pod,
        ownNamespaceLabels,
        node,
        -1,
      );
    }
  }
  if (topologyScore.size === 0) return feasible.map(() => 0);
  const raw = feasible.map(node => {
    let score = 0;
    for (const [key, value] of Object.entries(node.labels)) {
      score += topologyScore.get(pairKey(key, value)) ?? 0;
    }
    return score;
  });
  const min = Math.min(...raw);
  const max = Math.max(...raw);
  return raw.map(s =>
    max - min > 0 ? Math.trunc((100 * (s - min)) / (max - min)) : 0,
  );
}
