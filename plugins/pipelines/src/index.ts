/**
 * Cairn Pipelines frontend plugin.
 *
 * @packageDocumentation
 */
export {};
