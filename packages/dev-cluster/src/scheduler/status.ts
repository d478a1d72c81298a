/**
 * A filter's verdict on a node. `Unschedulable` may be cured by preempting
 * pods; `UnschedulableAndUnresolvable` cannot, so preemption skips the node.
 */
export interface FilterStatus {
  code: 'Unschedulable' | 'UnschedulableAndUnresolvable';
  reasons: string[];
}

export function unschedulable(...reasons: string[]): FilterStatus {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): FilterStatus {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

/** Reasons kube-scheduler's default plugins give, verbatim. */
export const REASON_NODE_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY =
  "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_AFFINITY_CONFLICT = 'pod affinity terms conflict';
export const REASON_NODE_PORTS =
  "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_POD_ANTI_AFFINITY =
  "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY =
  "node(s) didn't satisfy existing pods anti-affinity rules";
export const REASON_SPREAD =
  "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_MISSING_LABEL =
  "node(s) didn't match pod topology spread constraints (missing required label)";
export const REASON_PREEMPTION_NOT_HELPFUL =
  'Preemption is not helpful for scheduling';
export const REASON_NO_PREEMPTION_VICTIMS =
  'No preemption victims found for incoming pod';
export const MESSAGE_PREEMPTION_NEVER =
  'not eligible due to preemptionPolicy=Never.';
export const MESSAGE_NO_NODES = 'no nodes available to schedule pods';

export function untoleratedTaintReason(key: string, value = ''): string {
  return `node(s) had untolerated taint {${key}: ${value}}`;
}

export function insufficientReason(resource: string): string {
  return `Insufficient ${resource}`;
}

export function didNotSatisfyPluginsReason(plugins: string[]): string {
  return `node(s) didn't satisfy plugin(s) [${plugins.join(' ')}]`;
}

/**
 * kube-scheduler's FitError text: "0/N nodes are available: " and a histogram
 * of reasons sorted as strings (so "15 …" sorts before "3 …"), ending in ".".
 */
export function fitErrorMessage(
  totalNodes: number,
  statuses: Map<string, FilterStatus>,
  absentNodesReasons: string[] = [],
  preFilterMessage?: string,
): string {
  let message = `0/${totalNodes} nodes are available:`;
  if (preFilterMessage) {
    return `${message} ${preFilterMessage}.`;
  }
  const histogram = new Map<string, number>();
  for (const status of statuses.values()) {
    for (const reason of status.reasons) {
      histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    }
  }
  const absent = totalNodes - statuses.size;
  if (absent > 0) {
    for (const reason of absentNodesReasons) {
      histogram.set(reason, (histogram.get(reason) ?? 0) + absent);
    }
  }
  const entries = [...histogram].map(([reason, count]) => `${count} ${reason}`);
  // Go's sort.Strings: byte order, which is the default sort for these ASCII strings.
  entries.sort();
  if (entries.length > 0) message += ` ${entries.join(', ')}.`;
  return message;
}
