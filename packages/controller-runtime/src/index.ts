/**
 * @cairn/controller-runtime: controller machinery on @kubernetes/client-node,
 * as client-go and controller-runtime provide it to Go operators.
 *
 * @packageDocumentation
 */
export { Controller } from './controller';
export type {
  ControllerOptions,
  Reconcile,
  ReconcileResult,
} from './controller';
export {
  apiMessage,
  awaitWrite,
  ignoreNotFound,
  reconcileFailure,
  Refused,
  StaleCache,
  statusOf,
} from './apiErrors';
export { EventRecorder } from './events';
export type { EventRecorderOptions, RecordedEvent } from './events';
export { ApiStatusError, collectionPath, Informer } from './informer';
export type {
  InformerHandler,
  InformerOptions,
  KindSelector,
} from './informer';
export { LeaderElector } from './leaderElection';
export type { LeaderElectionOptions } from './leaderElection';
export { jsonLogger, silentLogger } from './logger';
export type { Logger, LogFields } from './logger';
export { Manager } from './manager';
export type {
  ControllerFactory,
  ControllerRegistration,
  ManagerOptions,
  Watch,
} from './manager';
export { ControllerMetrics } from './metrics';
export type { ReconcileOutcome } from './metrics';
export {
  byLabel,
  byNamespace,
  byOwner,
  ObjectIndex,
  objectKey,
  ownerIndexValue,
  splitObjectKey,
} from './objectIndex';
export type { IndexFunction, Named, Owned } from './objectIndex';
export { parseBindAddress } from './probes';
export { ItemExponentialFailureRateLimiter } from './rateLimiter';
export type { RateLimiter } from './rateLimiter';
export { WorkQueue } from './workQueue';
export type { WorkQueueMetrics, WorkQueueOptions } from './workQueue';
