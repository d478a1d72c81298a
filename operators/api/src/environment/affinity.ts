import type {
  V1Namespace,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Pod,
} from '@kubernetes/client-node';
import type { JsonPatchOperation } from '../stone';
import { LABEL_ENVIRONMENT } from './constants';
import { isPlacementBound, TopologyLabels } from './placement';
import type { Environment, EnvironmentPlacement } from './types';

/*
 * Placement through the operator's own mutating admission webhook, for
 * clusters without the PodNodeSelector plugin (it is not among
 * kube-apiserver's defaults). Every pod created in an Environment's
 * namespace gets a required node affinity for the placement. Node affinity
 * can say "zone a or rack r2" itself (nodeSelectorTerms are ORed), so no
 * node is labelled on this path: one term per topology label listed.
 */

/** How placement is enforced: the PodNodeSelector plugin's namespace annotation, or the operator's webhook. @public */
export type PlacementAdmission = 'PodNodeSelector' | 'Webhook';

/**
 * The nodeSelectorTerms of a placement: a node matches when its zone, rack
 * or host label has any listed value, so one term per label with values
 * (terms are ORed), each a single `In` expression. None for an empty
 * placement.
 * @public
 */
export function placementNodeSelectorTerms(
  placement: EnvironmentPlacement | undefined,
  keys: TopologyLabels,
): V1NodeSelectorTerm[] {
  if (!placement || !isPlacementBound(placement)) return [];
  const term = (key: string, values: string[]): V1NodeSelectorTerm => ({
    matchExpressions: [{ key, operator: 'In', values: [...values].sort() }],
  });
  return [
    ...(placement.zones?.length ? [term(keys.zone, placement.zones)] : []),
    ...(placement.racks?.length ? [term(keys.rack, placement.racks)] : []),
    ...(placement.hosts?.length ? [term(keys.host, placement.hosts)] : []),
  ];
}

const sameRequirement = (
  a: V1NodeSelectorRequirement,
  b: V1NodeSelectorRequirement,
) =>
  a.key === b.key &&
  a.operator === b.operator &&
  JSON.stringify(a.values ?? []) === JSON.stringify(b.values ?? []);

/** A term holding every expression of `required` already (it is at least as narrow). */
const contains = (term: V1NodeSelectorTerm, required: V1NodeSelectorTerm) =>
  (required.matchExpressions ?? []).every(wanted =>
    (term.matchExpressions ?? []).some(have => sameRequirement(have, wanted)),
  );

/** Kubernetes: a term with neither expressions nor fields matches no node. */
const isEmptyTerm = (term: V1NodeSelectorTerm) =>
  !term.matchExpressions?.length && !term.matchFields?.length;

/**
 * The pod's required terms ANDed with the placement's. Terms are ORed and a
 * term's expressions ANDed, so (E1 or E2) and (P1 or P2) is every Ei with
 * every Pj's expressions added: the cross product. A term already holding a
 * placement term's expressions is kept as it is (reinvocation changes
 * nothing), and an empty term stays empty (it matches no node, and adding
 * expressions would widen it).
 * @public
 */
export function andNodeSelectorTerms(
  existing: V1NodeSelectorTerm[] | undefined,
  placement: V1NodeSelectorTerm[],
): V1NodeSelectorTerm[] {
  if (!placement.length) return existing ?? [];
  if (!existing?.length) return placement;
  return existing.flatMap(term => {
    if (isEmptyTerm(term) || placement.some(p => contains(term, p)))
      return [term];
    return placement.map(p => ({
      ...term,
      matchExpressions: [
        ...(term.matchExpressions ?? []),
        ...(p.matchExpressions ?? []),
      ],
    }));
  });
}

/**
 * The JSON patch adding the placement to a pod's required node affinity,
 * merged with whatever affinity it has; none when the pod already keeps to
 * the placement (a reinvoked webhook patches nothing twice).
 * @public
 */
export function placementAffinityPatch(
  pod: V1Pod,
  placement: V1NodeSelectorTerm[],
): JsonPatchOperation[] {
  if (!placement.length) return [];
  const affinity = pod.spec?.affinity;
  const nodeAffinity = affinity?.nodeAffinity;
  const required = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const path = '/spec/affinity';
  if (!affinity)
    return [
      {
        op: 'add',
        path,
        value: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: placement,
            },
          },
        },
      },
    ];
  if (!nodeAffinity)
    return [
      {
        op: 'add',
        path: `${path}/nodeAffinity`,
        value: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: placement,
          },
        },
      },
    ];
  if (!required)
    return [
      {
        op: 'add',
        path: `${path}/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution`,
        value: { nodeSelectorTerms: placement },
      },
    ];
  const merged = andNodeSelectorTerms(required.nodeSelectorTerms, placement);
  if (JSON.stringify(merged) === JSON.stringify(required.nodeSelectorTerms))
    return [];
  return [
    {
      op: required.nodeSelectorTerms ? 'replace' : 'add',
      path: `${path}/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms`,
      value: merged,
    },
  ];
}

/** What the webhook knows when a pod is created. @public */
export interface PodAdmissionInput {
  pod: V1Pod;
  /** The request's namespace. */
  namespace: string;
  /** That namespace, from the cache (undefined if not there yet). */
  namespaceObject?: V1Namespace;
  /** Looks an Environment up by name. */
  environment: (name: string) => Environment | undefined;
  keys: TopologyLabels;
}

/**
 * The patch for a pod being created: the placement of the Environment the
 * namespace is labelled with, if that Environment claims the namespace and
 * is not being deleted (its deletion releases the nodes, as it removes the
 * PodNodeSelector annotation on the other path). Anything else is admitted
 * unchanged.
 * @public
 */
export function environmentPodPatch(
  input: PodAdmissionInput,
): JsonPatchOperation[] {
  const name = input.namespaceObject?.metadata?.labels?.[LABEL_ENVIRONMENT];
  if (!name) return [];
  const environment = input.environment(name);
  if (
    !environment ||
    environment.spec.namespace !== input.namespace ||
    environment.metadata.deletionTimestamp
  )
    return [];
  return placementAffinityPatch(
    input.pod,
    placementNodeSelectorTerms(environment.spec.placement, input.keys),
  );
}
