/**
 * Cairn Pipelines backend plugin.
 *
 * @packageDocumentation
 */
export {};
