/**
 * Cairn Environments backend plugin (`/api/environments`).
 *
 * @packageDocumentation
 */
export { environmentsPlugin as default } from './plugin';
