/**
 * What Cairn's frontend and backend plugins share about Kubernetes: the
 * annotations that tie a catalog entity to its cluster objects (as the
 * Backstage Kubernetes plugin reads them), the shape in which a response
 * reports a cluster it could not read, and Kubernetes' name rules in its own
 * words. Isomorphic: runs in browsers and Node.
 *
 * @packageDocumentation
 */
export {
  getEntityLabelSelector,
  isKubernetesAvailable,
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from './annotations';
export type { ClusterError } from './clusterErrors';
export {
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_LABEL_PATTERN,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  DNS1123_SUBDOMAIN_PATTERN,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
} from './names';
