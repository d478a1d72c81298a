/**
 * Types, permissions and pure logic shared by Cairn's Pipelines plugins:
 * Tekton v1 types, the run status mapping, the pipeline graph, the start-form
 * model, annotations and permissions. Isomorphic: runs in browsers and Node.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './status';
export * from './dag';
export * from './params';
export * from './permissions';
export * from './constants';
export * from './api';
export * from './names';
export * from './requests';
export * from './builder';
export * from './triggers';
export * from './conversion/v1beta1';
