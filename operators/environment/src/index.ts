/**
 * The Environment controller (`environments.tenancy.cairn.dev`), for the
 * operators' manager: `manager.add(environmentController())`.
 *
 * @packageDocumentation
 */
export { environmentController } from './environmentController';
export type { EnvironmentControllerOptions } from './environmentController';
