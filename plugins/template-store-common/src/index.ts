/**
 * Types, permissions, request schemas and pure logic shared by Cairn's
 * template store plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './requests';
export * from './versions';
export * from './catalogLayout';
export * from './templateYaml';
export * from './install';
export * from './pipelineTask';
