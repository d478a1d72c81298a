/**
 * Permissions, request schemas and API shapes shared by Cairn's debug
 * terminal plugins. DebugSession types, phases, modes and profiles come from
 * `@cairn/operators-api`. Isomorphic: runs in browsers and Node.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './requests';
export * from './api';
export * from './debuggability';
