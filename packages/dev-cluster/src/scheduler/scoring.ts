import type { V1Taint } from '@kubernetes/client-node';
import { interPodAffinityScores } from './interPodAffinity';
import { NodeInfo, PodInfo, SchedulingSnapshot } from './snapshot';
import { matchesNodeSelectorTerm, toleratesAny } from './selectors';
import { spreadScores } from './topologySpread';

const MAX_NODE_SCORE = 100;

/** Scales raw scores to 0–100 by the highest (optionally reversed), as DefaultNormalizeScore. */
function normalize(raw: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map(score => {
    const scaled = Math.trunc((MAX_NODE_SCORE * score) / max);
    return reverse ? MAX_NODE_SCORE - scaled : scaled;
  });
}

/** TaintToleration: fewer untolerated PreferNoSchedule taints is better. */
export function taintTolerationScores(
  pod: PodInfo,
  nodes: NodeInfo[],
): number[] {
  const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
    t => !t.effect || t.effect === 'PreferNoSchedule',
  );
  return normalize(
    nodes.map(
      node =>
        (node.node.spec?.taints ?? []).filter(
          (taint: V1Taint) =>
            taint.effect === 'PreferNoSchedule' &&
            !toleratesAny(tolerations, taint),
        ).length,
    ),
    true,
  );
}

/** NodeAffinity: the summed weights of the preferred terms a node matches. */
export function nodeAffinityScores(pod: PodInfo, nodes: NodeInfo[]): number[] {
  const preferred = (
    pod.pod.spec?.affinity?.nodeAffinity
      ?.preferredDuringSchedulingIgnoredDuringExecution ?? []
  ).filter(term => term.weight !== 0);
  return normalize(
    nodes.map(node =>
      preferred.reduce(
        (sum, term) =>
          matchesNodeSelectorTerm(term.preference, node.node)
            ? sum + term.weight
            : sum,
        0,
      ),
    ),
    false,
  );
}

const SCORED_RESOURCES = ['cpu', 'memory'];

/** NodeResourcesFit with the LeastAllocated strategy: more free cpu and memory is better. */
export function leastAllocatedScores(
  pod: PodInfo,
  nodes: NodeInfo[],
): number[] {
  return nodes.map(node => {
    let total = 0;
    let weights = 0;
    for (const resource of SCORED_RESOURCES) {
      const allocatable = node.allocatable[resource] ?? 0;
      if (allocatable === 0) continue;
      const requested =
        (node.nonZeroRequested[resource] ?? 0) +
        (pod.nonZeroRequests[resource] ?? 0);
      total +=
        requested > allocatable
          ? 0
          : Math.trunc(
              ((allocatable - requested) * MAX_NODE_SCORE) / allocatable,
            );
      weights++;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  });
}

/**
 * NodeResourcesBalancedAllocation: cpu and memory used in equal fractions is
 * better. Skipped for pods that request neither, so best-effort pods do not
 * pile onto one node.
 */
export function balancedAllocationScores(
  pod: PodInfo,
  nodes: NodeInfo[],
): number[] {
  if (SCORED_RESOURCES.every(resource => !pod.requests[resource]))
    return nodes.map(() => 0);
  return nodes.map(node => {
    const fractions: number[] = [];
    for (const resource of SCORED_RESOURCES) {
      const allocatable = node.allocatable[resource] ?? 0;
      if (allocatable === 0) continue;
      const requested =
        (node.requested[resource] ?? 0) + (pod.requests[resource] ?? 0);
      fractions.push(Math.min(1, requested / allocatable));
    }
    const std =
      fractions.length === 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  });
}

/** The default profile's score plugins and their weights. */
const WEIGHTED_SCORERS: Array<
  [
    number,
    (pod: PodInfo, nodes: NodeInfo[], snapshot: SchedulingSnapshot) => number[],
  ]
> = [
  [3, taintTolerationScores],
  [2, nodeAffinityScores],
  [1, leastAllocatedScores],
  [2, spreadScores],
  [2, interPodAffinityScores],
  [1, balancedAllocationScores],
];

/** The weighted total score of each feasible node. */
export function scoreNodes(
  pod: PodInfo,
  feasible: NodeInfo[],
  snapshot: SchedulingSnapshot,
): number[] {
  const totals = feasible.map(() => 0);
  for (const [weight, scorer] of WEIGHTED_SCORERS) {
    scorer(pod, feasible, snapshot).forEach((score, i) => {
      totals[i] += weight * score;
    });
  }
  return totals;
}
