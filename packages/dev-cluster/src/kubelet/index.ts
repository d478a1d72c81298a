export { Kubelet } from './kubelet';
export type { KubeletOptions } from './kubelet';
export {
  kubeletEvents,
  eventSubject,
  formatPod,
  crashLoopMessage,
  imagePullBackOffMessage,
  toEventObject,
} from './events';
export type { ContainerKind, KubeletEvent } from './events';
export {
  Backoff,
  formatGoDuration,
  INITIAL_BACKOFF_MS,
  MAX_BACKOFF_MS,
} from './backoff';
export {
  parseImageReference,
  normalizedImage,
  effectivePullPolicy,
  decideImagePull,
} from './images';
export type { ImagePullDecision, ImageReference } from './images';
export {
  ImageCatalog,
  parseImageCatalog,
  DEFAULT_IMAGE_CATALOG_FILE,
} from './imageCatalog';
export type { CatalogImage, ImagePull } from './imageCatalog';
export {
  podPhase,
  podConditions,
  KUBELET_CONDITIONS,
  initializedCondition,
  containersReadyCondition,
  readyCondition,
  qosClass,
  buildPodStatus,
  containersToRestartForUpdate,
} from './podStatus';
export { resolveContainerEnv, CreateContainerConfigError } from './env';
export type { EnvSources, PodRuntimeFacts } from './env';
export { heartbeatNodeStatus } from './node';
export { serviceEnvironment } from './serviceEnv';
export { requestedContainerName, containerIdForLogs } from './logRequests';
export type { LogRequestError } from './logRequests';
export { runProbe, ProbeWorker } from './probes';
export type { ProbeKind, ProbeResult } from './probes';
export { admitPod } from './admission';
export type { PodRejection } from './admission';
