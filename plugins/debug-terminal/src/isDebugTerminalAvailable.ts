import { isKubernetesAvailable } from '@cairn/plugin-kubernetes-common';

/**
 * Whether an entity has pods to debug: it finds its cluster objects the way
 * the Backstage Kubernetes plugin does, by `backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector`.
 * @public
 */
export const isDebugTerminalAvailable = isKubernetesAvailable;
