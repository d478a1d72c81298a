export {
  EntityScopeMatcher,
  getEntityScope,
  isInScope,
  sortScopes,
} from './entityScope';
export type { EntityScope } from './entityScope';
export { ReadableEntityScopes } from './ReadableEntityScopes';
export type { ReadableEntityScopesOptions } from './ReadableEntityScopes';
export { createRouteHelpers } from './routeHelpers';
export type {
  AuditMeta,
  RouteHelpers,
  RouteHelpersOptions,
} from './routeHelpers';
export { EntityAuthorizer } from './EntityAuthorizer';
export type {
  AuthorizedEntity,
  EntityAuthorizerOptions,
  EntityCaller,
  EntityChange,
} from './EntityAuthorizer';
