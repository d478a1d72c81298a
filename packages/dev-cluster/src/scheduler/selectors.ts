import type {
  V1LabelSelector,
  V1Node,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Pod,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';
import { labelSelectorMatcher } from '../machinery/labels';

/** Labels of an object; absent labels are an empty set. */
export type Labels = Record<string, string>;

/** A compiled selector over a label set. */
export type LabelMatcher = (labels: Labels) => boolean;

const matchNothing: LabelMatcher = () => false;

/**
 * Compiles a metav1.LabelSelector as the scheduler reads it
 * (`LabelSelectorAsSelector`): a missing selector matches nothing, an empty
 * one matches everything, requirements are ANDed. A selector that does not
 * convert (an unknown operator) matches nothing.
 */
export function compileLabelSelector(
  selector: V1LabelSelector | undefined | null,
): LabelMatcher {
  try {
    return labelSelectorMatcher(selector);
  } catch {
    return matchNothing;
  }
}

/** The labels of an object, never undefined. */
export function labelsOf(object: { metadata?: { labels?: Labels } }): Labels {
  return object.metadata?.labels ?? {};
}

function matchesNodeSelectorRequirement(
  requirement: V1NodeSelectorRequirement,
  value: string | undefined,
): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const bound = parseInteger(values[0]);
      const actual = parseInteger(value);
      if (bound === undefined || actual === undefined) return false;
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

function parseInteger(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Whether a node matches one NodeSelectorTerm: its matchExpressions over node
 * labels and its matchFields over `metadata.name`, ANDed. A term with neither
 * matches no node.
 */
export function matchesNodeSelectorTerm(
  term: V1NodeSelectorTerm,
  node: V1Node,
): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = labelsOf(node);
  for (const requirement of expressions) {
    const value = Object.hasOwn(labels, requirement.key)
      ? labels[requirement.key]
      : undefined;
    if (!matchesNodeSelectorRequirement(requirement, value)) {
      return false;
    }
  }
  for (const requirement of fields) {
    if (requirement.key !== 'metadata.name') return false;
    if (requirement.operator !== 'In' && requirement.operator !== 'NotIn') {
      return false;
    }
    if ((requirement.values ?? []).length !== 1) return false;
    if (!matchesNodeSelectorRequirement(requirement, node.metadata?.name)) {
      return false;
    }
  }
  return true;
}

/**
 * The pod's required node placement: `spec.nodeSelector` and the terms of
 * requiredDuringSchedulingIgnoredDuringExecution (ORed), both of which must hold.
 */
export function matchesRequiredNodeAffinity(pod: V1Pod, node: V1Node): boolean {
  const labels = labelsOf(node);
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  const required =
    pod.spec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some(term =>
    matchesNodeSelectorTerm(term, node),
  );
}

/** Whether a toleration tolerates a taint (an empty operator means Equal). */
export function toleratesTaint(
  toleration: V1Toleration,
  taint: V1Taint,
): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Equal':
    case '':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any of the tolerations tolerates the taint. */
export function toleratesAny(
  tolerations: V1Toleration[] | undefined,
  taint: V1Taint,
): boolean {
  return (tolerations ?? []).some(toleration =>
    toleratesTaint(toleration, taint),
  );
}

/** The first NoSchedule or NoExecute taint of the node the pod does not tolerate. */
export function findUntoleratedTaint(
  node: V1Node,
  tolerations: V1Toleration[] | undefined,
): V1Taint | undefined {
  return (node.spec?.taints ?? []).find(
    taint =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
      !toleratesAny(tolerations, taint),
  );
}
