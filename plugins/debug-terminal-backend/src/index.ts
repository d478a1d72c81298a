/**
 * Cairn's debug terminal backend plugin (pluginId `debug-terminal`).
 *
 * @packageDocumentation
 */
export { debugTerminalPlugin as default } from './plugin';
