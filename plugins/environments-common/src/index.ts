/**
 * Permissions, request schemas, API shapes and pure logic shared by Cairn's
 * Environments plugins: the cluster topology drawing's model, placement
 * preview and quota usage. Environment types and decisions come from
 * `@cairn/operators-api`. Isomorphic: runs in browsers and Node.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './requests';
export * from './api';
export * from './topology';
export * from './nodeImport';
export * from './signals';
export * from './environmentRequests';
