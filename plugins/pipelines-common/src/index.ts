/**
 * Types, permissions and pure logic shared by Cairn's Pipelines plugins.
 *
 * @packageDocumentation
 */
export {};
