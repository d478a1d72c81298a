/**
 * The Stone controller (`stones.rollouts.cairn.dev`), for the operators'
 * manager: `manager.add(stoneController())`.
 *
 * @packageDocumentation
 */
export { stoneController } from './stoneController';
export type { StoneControllerOptions } from './stoneController';
