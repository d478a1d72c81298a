/**
 * Test helpers for Cairn's backend plugins: a dev cluster with the portal's
 * shipped RBAC, and the backend-side helpers their tests share.
 *
 * @packageDocumentation
 */
export {
  applyPortalAccess,
  PORTAL_ACCESS_PATH,
  PORTAL_SERVICE_ACCOUNT,
  startPortalTestCluster,
  waitFor,
} from './portalCluster';
export type {
  ApplyPortalAccessOptions,
  PortalTestCluster,
  PortalTestClusterOptions,
} from './portalCluster';
export { component, ownersOf } from './entities';
export { auditRecorder, permissionPolicy, userAuth } from './testBackend';
export type { AuditLogEntry, AuditRecord, AuthorizeCall } from './testBackend';
