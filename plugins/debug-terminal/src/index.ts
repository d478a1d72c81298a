/**
 * Cairn debug terminal frontend plugin: an entity's pods with Debug and
 * Shell per container, a full-height xterm.js terminal, the entity's debug
 * sessions, and replay of recorded terminals for ops.
 *
 * @packageDocumentation
 */
export { debugTerminalPlugin, EntityDebugContent } from './plugin';
export { isDebugTerminalAvailable } from './isDebugTerminalAvailable';
export { entityContentRouteRef } from './routes';
export * from './api';
