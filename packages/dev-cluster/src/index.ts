/**
 * @cairn/dev-cluster: a local Kubernetes API server for the portal and tests.
 *
 * @packageDocumentation
 */
export { startDevCluster } from './server/devCluster';
export type { DevCluster, DevClusterOptions } from './server/devCluster';
export { ApiServer } from './server/apiServer';
export type {
  ApiServerOptions,
  SelectorCompiler,
  SubresourceHandler,
  UpgradeHandler,
} from './server/apiServer';
export type {
  AuthorizationAttributes,
  AuthorizationResult,
  Authorizer,
} from './server/authorization';
export type { UserInfo } from './server/authentication';
export type { AuditEvent } from './server/audit';
export type { FaultInjection, FaultRule } from './server/faults';
export type { AdmissionPlugin, AdmissionRequest } from './server/admission';
export type { ResourceType } from './server/registry';
export type { KubeObject } from './store/types';
export {
  installTekton,
  installTektonCrds,
  tektonAdmission,
  validatePipeline,
  validatePipelineRun,
  validateTask,
} from './tekton';
export type { InstallTektonOptions, TektonInstallation } from './tekton';
