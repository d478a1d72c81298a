import {
  ControllerFactory,
  Logger,
  Manager,
  ManagerOptions,
} from '@cairn/controller-runtime';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A started manager running `controllers` as `kubeConfig`, without the
 * metrics and health endpoints a test does not read.
 */
export async function startManager(
  kubeConfig: KubeConfig,
  controllers: ControllerFactory[],
  leaderElection: NonNullable<ManagerOptions['leaderElection']>,
  logger: Logger,
): Promise<Manager> {
  const manager = new Manager({
    kubeConfig,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    leaderElection,
    logger,
  });
  for (const controller of controllers) await manager.add(controller);
  await manager.start();
  return manager;
}
