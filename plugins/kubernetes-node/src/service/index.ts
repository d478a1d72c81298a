export { kubernetesAccessServiceRef } from './kubernetesAccessServiceRef';
export type { KubernetesAccessService } from './kubernetesAccessServiceRef';
