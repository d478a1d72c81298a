import type { ControllerFactory } from '@cairn/controller-runtime';
import { debugSessionController } from '@cairn/operators-debug';
import { environmentController } from '@cairn/operators-environment';
import { stoneController } from '@cairn/operators-stone';

/*
 * Every controller the manager runs. A controller package exports a
 * ControllerFactory (see operators/README.md) and is added here, one line
 * each; the manager needs to know nothing else about it.
 */
export const CONTROLLERS: ControllerFactory[] = [
  stoneController(),
  debugSessionController(),
  environmentController(),
];
