import {
  ControllerFactory,
  jsonLogger,
  Logger,
  Manager,
  parseBindAddress,
} from '@cairn/controller-runtime';
import { KubeConfig } from '@kubernetes/client-node';
import { controllers } from './controllers';
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

/** Loads the kubeconfig as kubectl and client-go do: the file named, else $KUBECONFIG, ~/.kube/config or in-cluster. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${path} has no current cluster`);
  // client-node's last resort when it finds nothing: refuse it, rather than
  // fail later on a connection to a server nobody configured.
  if (
    !path &&
    cluster.name === 'cluster' &&
    cluster.server === 'http://localhost:8080'
  )
    throw new Error(
      'no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a cluster; pass --kubeconfig',
    );
  return kubeConfig;
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
