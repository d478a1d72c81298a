export { readClusters, IN_CLUSTER_SERVICE_ACCOUNT_DIR } from './config';
export type { ClusterDetails, ReadClustersOptions } from './config';
export { ClusterAccess } from './ClusterAccess';
export { isNotFound, kubernetesStatusCode, mapKubernetesError } from './errors';
export type { KubernetesCallContext } from './errors';
export { keepAliveAgent } from './keepAliveApiClient';
