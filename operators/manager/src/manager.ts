import {
  ControllerFactory,
  jsonLogger,
  Logger,
  Manager,
  parseBindAddress,
} from '@cairn/controller-runtime';
import { KubeConfig } from '@kubernetes/client-node';
import { controllers } from './controllers';
import { loadKubeConfig } from './kubeConfig';
import type { ManagerFlags } from './options';

export interface StartOptions {
  /** The client config; from `flags.kubeconfig` or the defaults when absent. */
  kubeConfig?: KubeConfig;
  /** The controllers to run; every registered one by default. */
  controllers?: ControllerFactory[];
  logger?: Logger;
  /** A fixed candidate identity (default `<hostname>_<uuid>`). */
  identity?: string;
}

/** Starts the operators' manager: every controller, its endpoints and (if asked) leader election. */
export async function startOperatorManager(
  flags: ManagerFlags,
  options: StartOptions = {},
): Promise<Manager> {
  // Refuse bad addresses before anything starts.
  parseBindAddress(flags.metricsBindAddress);
  parseBindAddress(flags.healthProbeBindAddress);
  const manager = new Manager({
    kubeConfig: options.kubeConfig ?? loadKubeConfig(flags.kubeconfig),
    metricsBindAddress: flags.metricsBindAddress,
    healthProbeBindAddress: flags.healthProbeBindAddress,
    leaderElection: flags.leaderElect
      ? {
          namespace: flags.namespace,
          id: flags.leaderElectionId,
          identity: options.identity,
        }
      : undefined,
    logger: options.logger ?? jsonLogger(),
  });
  for (const controller of options.controllers ?? controllers(flags))
    await manager.add(controller);
  await manager.start();
  return manager;
}
