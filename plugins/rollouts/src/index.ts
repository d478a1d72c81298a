/**
 * Cairn Rollouts frontend plugin: a Stone's stages, topology and approvals
 * on the entity's Rollouts tab and a Rollouts page.
 *
 * @packageDocumentation
 */
export { rolloutsPlugin, EntityRolloutsContent, RolloutsPage } from './plugin';
export { isRolloutsAvailable } from './isRolloutsAvailable';
export { rootRouteRef, entityContentRouteRef } from './routes';
export * from './api';
