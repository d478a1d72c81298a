import { z } from 'zod';
import type { TopologyLabelKeys } from './api';

/*
 * Clusters coming from the original system (yametech nuwa) have their
 * nodes labelled `nuwa.kubernetes.io/{zone,rack,host}` (its README's
 * `kubectl label nodes node1 nuwa.kubernetes.io/zone=A …`, and its REST
 * backend's "LabelNodeGEO"). Importing copies those values to the keys
 * Cairn reads, so ops need not label such nodes again by hand.
 */

/** The original system's node topology label keys. @public */
export const NUWA_TOPOLOGY_LABELS: TopologyLabelKeys = {
  zone: 'nuwa.kubernetes.io/zone',
  rack: 'nuwa.kubernetes.io/rack',
  host: 'nuwa.kubernetes.io/host',
};

const LEVELS = ['zone', 'rack', 'host'] as const;

/**
 * The labels an import writes on a node with these labels: for each of
 * zone, rack and host that the node has a nuwa label of and not Cairn's
 * (`keys`), Cairn's key with the nuwa value. A label Cairn reads already is
 * never overwritten (ops, or the kubelet for `kubernetes.io/hostname`, set
 * it), and nothing is written when Cairn is configured to read the nuwa
 * keys themselves. Undefined when there is nothing to write.
 * @public
 */
export function nuwaLabelImport(
  labels: Record<string, string> | undefined,
  keys: TopologyLabelKeys,
): Record<string, string> | undefined {
  const write: Record<string, string> = {};
  for (const level of LEVELS) {
    const value = labels?.[NUWA_TOPOLOGY_LABELS[level]];
    if (
      value &&
      keys[level] !== NUWA_TOPOLOGY_LABELS[level] &&
      labels?.[keys[level]] === undefined
    ) {
      write[keys[level]] = value;
    }
  }
  return Object.keys(write).length ? write : undefined;
}

/**
 * Body of `POST /clusters/:cluster/nodes/import`: the nodes to import (one,
 * a selection), or every node with labels to import.
 * @public
 */
export const importNodeLabelsBodySchema = z
  .object({
    nodes: z
      .array(z.string().min(1, 'a node name must not be empty'))
      .min(1, 'must name at least one node')
      .optional()
      .describe('The nodes whose nuwa labels to import'),
    all: z
      .literal(true, { error: 'must be true when given' })
      .optional()
      .describe('Import the nuwa labels of every node that has any to import'),
  })
  .strict()
  .refine(body => (body.nodes !== undefined) !== (body.all !== undefined), {
    message:
      'give either nodes (the names of the nodes to import) or all: true',
  });

/** @public */
export type ImportNodeLabelsRequest = z.input<
  typeof importNodeLabelsBodySchema
>;

/** What an import wrote on one node. @public */
export interface NodeLabelImport {
  node: string;
  /** Label key → value written. */
  labels: Record<string, string>;
}

/** The answer of an import: the nodes labelled (those with nothing to import are left out). @public */
export interface ImportNodeLabelsResult {
  imported: NodeLabelImport[];
}
