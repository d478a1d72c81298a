import { stringify } from 'yaml';
import { TEMPLATE_ANNOTATIONS } from '@cairn/plugin-template-store-common';

type Json = Record<string, any>;

/** What the cluster and the portal add to an object, not part of the template. */
const NOT_TEMPLATE_ANNOTATIONS = new Set<string>([
  ...Object.values(TEMPLATE_ANNOTATIONS),
  'kubectl.kubernetes.io/last-applied-configuration',
]);
const NOT_TEMPLATE_LABELS = new Set([
  'backstage.io/kubernetes-id',
  // Set again for the version it is published as when installed.
  'app.kubernetes.io/version',
]);

const without = (
  values: Record<string, string> | undefined,
  drop: Set<string>,
) => {
  const kept = Object.entries(values ?? {}).filter(([key]) => !drop.has(key));
  return kept.length ? Object.fromEntries(kept) : undefined;
};

/**
 * A Task or Pipeline of a cluster as template YAML to publish: its apiVersion,
 * kind, name, labels and annotations (without what the cluster, the portal's
 * installs and the entity added) and spec; no namespace, status or server
 * bookkeeping.
 */
export function clusterObjectTemplateYaml(object: Json): string {
  const metadata: Json = object.metadata ?? {};
  const labels = without(metadata.labels, NOT_TEMPLATE_LABELS);
  const annotations = without(metadata.annotations, NOT_TEMPLATE_ANNOTATIONS);
  return stringify({
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: metadata.name,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    },
    spec: object.spec,
  });
}
