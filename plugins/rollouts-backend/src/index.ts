/**
 * Cairn's Rollouts backend plugin: Stones of catalog entities, stage
 * approvals and staged updates.
 *
 * @packageDocumentation
 */
export { rolloutsPlugin as default } from './plugin';
