import type { ControllerFactory } from '@cairn/controller-runtime';
import { debugSessionController } from '@cairn/operators-debug';
import { environmentController } from '@cairn/operators-environment';
import { stoneController } from '@cairn/operators-stone';
import type { ManagerFlags } from './options';

/*
 * Every controller the manager runs. A controller package exports a
 * ControllerFactory (see operators/README.md) and is added here, one line
 * each, with what it takes from the manager's flags; the manager needs to
 * know nothing else about it.
 */
export function controllers(flags: ManagerFlags): ControllerFactory[] {
  return [
    stoneController({ rackLabel: flags.rackLabel }),
    debugSessionController(),
    environmentController({
      placementAdmission:
        flags.placementAdmission === 'webhook' ? 'Webhook' : 'PodNodeSelector',
    }),
  ];
}
