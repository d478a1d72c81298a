/**
 * The annotation (on entities) and label (on cluster objects) that tie
 * objects to an entity, as the Backstage Kubernetes plugin uses them.
 * @public
 */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

/** A label selector that takes precedence over the kubernetes-id. @public */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';

/** Restricts an entity's objects to one namespace. @public */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/** Restricts an entity's objects to one cluster. @public */
export const KUBERNETES_CLUSTER_ANNOTATION = 'backstage.io/kubernetes-cluster';

/**
 * The label selector that finds an entity's objects: its
 * `backstage.io/kubernetes-label-selector`, else
 * `backstage.io/kubernetes-id=<id>`; undefined when it has neither.
 * @public
 */
export function getEntityLabelSelector(entity: {
  metadata: { annotations?: Record<string, string> };
}): string | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION];
  if (selector) {
    return selector;
  }
  const id = annotations[KUBERNETES_ID_ANNOTATION];
  return id ? `${KUBERNETES_ID_ANNOTATION}=${id}` : undefined;
}

/**
 * Whether an entity says how to find its cluster objects: a
 * `backstage.io/kubernetes-id` or `backstage.io/kubernetes-label-selector`
 * that is not blank. What every Cairn tab on cluster objects needs (as the
 * Backstage Kubernetes plugin's `isKubernetesAvailable`).
 * @public
 */
export function isKubernetesAvailable(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ID_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}
