import type { V1Node } from '@kubernetes/client-node';
import { NODE_LABEL_PREFIX, NODE_SELECTOR_ANNOTATION } from './constants';
import type { EnvironmentPlacement } from './types';

/*
 * Placement: which nodes an Environment is bound to, and how the cluster
 * keeps its pods there. PodNodeSelector merges a namespace's
 * `scheduler.alpha.kubernetes.io/node-selector` into every pod created in
 * it, but takes `key=value` terms only (ANDed), so "zone a or rack r2"
 * cannot be written there. The controller therefore labels every resolved
 * node `env.tenancy.cairn.dev/<environment>=true` and the namespace selects
 * that one label: the placement is resolved by the controller, enforced by
 * the API server and the scheduler, and needs only the PodNodeSelector
 * plugin (and `nodes` patch for the controller). A placement of one value
 * (one zone, rack or host) selects that topology label directly, writing no
 * node at all.
 */

/** The node label keys placement matches. @public */
export interface TopologyLabels {
  zone: string;
  rack: string;
  host: string;
}

/** True when the placement lists any value; an empty one binds no nodes. @public */
export function isPlacementBound(placement?: EnvironmentPlacement): boolean {
  return Boolean(
    placement?.zones?.length ||
      placement?.racks?.length ||
      placement?.hosts?.length,
  );
}

/**
 * Whether a node is in the placement: its zone, rack or host label has any
 * listed value. @public
 */
export function nodeMatchesPlacement(
  labels: Record<string, string> | undefined,
  placement: EnvironmentPlacement,
  keys: TopologyLabels,
): boolean {
  const has = (key: string, values?: string[]) =>
    labels?.[key] !== undefined && (values ?? []).includes(labels[key]);
  return (
    has(keys.zone, placement.zones) ||
    has(keys.rack, placement.racks) ||
    has(keys.host, placement.hosts)
  );
}

/** The names of the nodes a placement binds, sorted; none for an empty placement. @public */
export function resolvePlacement(
  placement: EnvironmentPlacement | undefined,
  nodes: V1Node[],
  keys: TopologyLabels,
): string[] {
  if (!placement || !isPlacementBound(placement)) return [];
  return nodes
    .filter(node =>
      nodeMatchesPlacement(node.metadata?.labels, placement, keys),
    )
    .map(node => node.metadata!.name!)
    .sort();
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * The node label binding nodes to an Environment, or an error when its name
 * cannot be a label name (longer than 63 characters).
 * @public
 */
export function placementNodeLabel(
  environment: string,
): { key: string } | { error: string } {
  if (environment.length > 63 || !LABEL_NAME.test(environment)) {
    return {
      error: `the environment's name ${JSON.stringify(
        environment,
      )} cannot name its node label ${NODE_LABEL_PREFIX}<name>: it must be 63 characters or less`,
    };
  }
  return { key: `${NODE_LABEL_PREFIX}${environment}` };
}

/** The namespace annotations enforcing a placement through PodNodeSelector. @public */
export function placementAnnotation(nodeLabel: string): Record<string, string> {
  return { [NODE_SELECTOR_ANNOTATION]: `${nodeLabel}=true` };
}

/**
 * The node selector of a placement of exactly one value, which needs no
 * binding label: the topology label itself (`topology.kubernetes.io/zone=a`,
 * one zone, one rack or one host — the common case). PodNodeSelector takes
 * `key=value` terms ANDed, so a placement of several values (an OR) needs
 * the binding label on each node instead: undefined then, and for an empty
 * placement.
 * @public
 */
export function directPlacementSelector(
  placement: EnvironmentPlacement | undefined,
  keys: TopologyLabels,
): string | undefined {
  const terms = [
    ...(placement?.zones ?? []).map(value => `${keys.zone}=${value}`),
    ...(placement?.racks ?? []).map(value => `${keys.rack}=${value}`),
    ...(placement?.hosts ?? []).map(value => `${keys.host}=${value}`),
  ];
  return terms.length === 1 ? terms[0] : undefined;
}

/** A node whose binding label must be added or removed. @public */
export interface NodeLabelChange {
  node: string;
  bind: boolean;
}

/**
 * The node label writes that make exactly `resolved` carry the binding
 * label: added where missing, removed from every other node carrying it.
 * @public
 */
export function nodeLabelChanges(
  nodeLabel: string,
  nodes: V1Node[],
  resolved: string[],
): NodeLabelChange[] {
  const wanted = new Set(resolved);
  const changes: NodeLabelChange[] = [];
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const labelled = node.metadata?.labels?.[nodeLabel] === 'true';
    if (wanted.has(name) && !labelled) changes.push({ node: name, bind: true });
    if (!wanted.has(name) && node.metadata?.labels?.[nodeLabel] !== undefined)
      changes.push({ node: name, bind: false });
  }
  return changes.sort((a, b) => a.node.localeCompare(b.node));
}
