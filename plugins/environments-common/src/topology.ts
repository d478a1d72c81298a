import {
  EnvironmentPlacement,
  nodeMatchesPlacement,
  Quantity,
  ResourceList,
} from '@cairn/operators-api';
import type { TopologyLabelKeys, TopologyNode } from './api';

/*
 * The topology drawing's model: a cluster's nodes as zones → racks → hosts
 * with the unlabelled ones apart, which nodes a placement takes (decided by
 * the operator's own rule), and quota usage as fractions.
 */

/** A rack of a zone and its nodes; `rack` is undefined for nodes of the zone without a rack label. @public */
export interface TopologyRack {
  rack?: string;
  nodes: TopologyNode[];
}

/** @public */
export interface TopologyZone {
  zone: string;
  racks: TopologyRack[];
}

/** @public */
export interface TopologyTree {
  zones: TopologyZone[];
  /** Nodes without a zone label. */
  unlabelled: TopologyNode[];
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name);

/** The nodes as zones → racks → nodes, each level sorted; nodes without a zone apart. @public */
export function topologyTree(nodes: TopologyNode[]): TopologyTree {
  const zones = new Map<string, Map<string | undefined, TopologyNode[]>>();
  const unlabelled: TopologyNode[] = [];
  for (const node of nodes) {
    if (node.zone === undefined) {
      unlabelled.push(node);
      continue;
    }
    const racks = zones.get(node.zone) ?? new Map();
    zones.set(node.zone, racks);
    // Pushed, not copied: a copy per node is quadratic in a rack's size.
    const rack = racks.get(node.rack);
    if (rack) rack.push(node);
    else racks.set(node.rack, [node]);
  }
  return {
    zones: [...zones.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([zone, racks]) => ({
        zone,
        racks: [...racks.entries()]
          // The nodes without a rack after the racks.
          .sort(([a], [b]) => (a ?? '\uffff').localeCompare(b ?? '\uffff'))
          .map(([rack, rackNodes]) => ({
            rack,
            nodes: [...rackNodes].sort(byName),
          })),
      })),
    unlabelled: unlabelled.sort(byName),
  };
}

/** The node's labels as the operator matches them. */
function topologyLabels(node: TopologyNode, keys: TopologyLabelKeys) {
  const labels: Record<string, string> = {};
  if (node.zone !== undefined) labels[keys.zone] = node.zone;
  if (node.rack !== undefined) labels[keys.rack] = node.rack;
  if (node.host !== undefined) labels[keys.host] = node.host;
  return labels;
}

/**
 * The names of the nodes a placement takes, as the operator will resolve
 * it (`nodeMatchesPlacement` of @cairn/operators-api), sorted.
 * @public
 */
export function placedNodes(
  nodes: TopologyNode[],
  placement: EnvironmentPlacement | undefined,
  keys: TopologyLabelKeys,
): string[] {
  if (!placement) return [];
  return nodes
    .filter(node =>
      nodeMatchesPlacement(topologyLabels(node, keys), placement, keys),
    )
    .map(node => node.name)
    .sort();
}

/** Which list of a placement a value belongs to. @public */
export type PlacementLevel = 'zones' | 'racks' | 'hosts';

/** The placement with `value` added to `level`, or removed if it was there. @public */
export function togglePlacement(
  placement: EnvironmentPlacement | undefined,
  level: PlacementLevel,
  value: string,
): EnvironmentPlacement {
  const values = placement?.[level] ?? [];
  const next = values.includes(value)
    ? values.filter(v => v !== value)
    : [...values, value].sort();
  return { ...placement, [level]: next };
}

/** One resource of a quota: its limit, what is used and the fraction used. @public */
export interface QuotaUsageRow {
  resource: string;
  hard: string;
  used: string;
  /** used / hard, from 0; above 1 when over (a quota lowered below usage); 1 when the limit is 0 and something is used. */
  fraction: number;
}

/**
 * The rows of a usage-against-quota table, by resource name; the storage
 * classes' zero limits (every class not allowed) are left out, as they are
 * shown as the classes allowed.
 * @public
 */
export function quotaUsage(
  hard: ResourceList,
  used: ResourceList,
): QuotaUsageRow[] {
  return Object.keys(hard)
    .filter(
      resource =>
        !(
          resource.includes('.storageclass.storage.k8s.io/') &&
          Quantity.tryParse(hard[resource])?.nanos === 0n
        ),
    )
    .sort()
    .map(resource => {
      const limit = Quantity.tryParse(hard[resource]);
      const usage = Quantity.tryParse(used[resource] ?? '0');
      let fraction = 0;
      if (limit && usage) {
        if (limit.nanos === 0n) fraction = usage.nanos > 0n ? 1 : 0;
        else fraction = Number(usage.nanos) / Number(limit.nanos);
      }
      return {
        resource,
        hard: hard[resource],
        used: used[resource] ?? '0',
        fraction,
      };
    });
}
