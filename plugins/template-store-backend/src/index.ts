/**
 * Cairn's template store backend.
 *
 * @packageDocumentation
 */
export { templateStorePlugin as default } from './plugin';
