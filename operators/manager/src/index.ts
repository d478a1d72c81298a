/**
 * @cairn/operators-manager: the process that runs every Cairn controller.
 *
 * @packageDocumentation
 */
export { controllers } from './controllers';
export { loadKubeConfig } from './kubeConfig';
export { startOperatorManager } from './manager';
export type { StartOptions } from './manager';
export { parseFlags, USAGE } from './options';
export type { ManagerFlags } from './options';
