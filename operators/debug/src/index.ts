/**
 * The DebugSession controller (`debugsessions.debug.cairn.dev`), for the
 * operators' manager: `manager.add(debugSessionController())`.
 *
 * @packageDocumentation
 */
export { debugSessionController } from './debugSessionController';
export type { DebugSessionControllerOptions } from './debugSessionController';
