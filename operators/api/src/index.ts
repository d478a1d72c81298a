/**
 * Cairn's custom resources and the pure decisions of their controllers,
 * shared by the operators and the portal plugins. Isomorphic: runs in
 * browsers and Node, and makes no Kubernetes calls.
 *
 * @packageDocumentation
 */
export * from './stone';
export * from './debug';
export * from './environment';
export * from './quantity';
export type { CrdSchema } from './crd';
