import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@cairn/plugin-kubernetes-common';

/**
 * Whether an entity has pods to debug: it finds its cluster objects the way
 * the Backstage Kubernetes plugin does, by `backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector`.
 * @public
 */
export function isDebugTerminalAvailable(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ID_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}
