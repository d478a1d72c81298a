import {
  ControllerFactory,
  jsonLogger,
  Logger,
  Manager,
  parseBindAddress,
} from '@cairn/controller-runtime';
import { environmentConfigFromEnv } from '@cairn/operators-api';
import { KubeConfig } from '@kubernetes/client-node';
import { controllers } from './controllers';
import { loadKubeConfig } from './kubeConfig';
import type { ManagerFlags } from './options';
import { placementWebhook } from './webhook/placementWebhook';

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
  if (flags.placementAdmission === 'webhook')
    parseBindAddress(flags.webhookBindAddress);
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
  const webhook =
    flags.placementAdmission === 'webhook'
      ? await placementWebhook(manager, {
          bindAddress: flags.webhookBindAddress,
          namespace: flags.namespace,
          service: flags.webhookService,
          url: flags.webhookUrl,
          failurePolicy: flags.webhookFailurePolicy,
          timeoutSeconds: flags.webhookTimeoutSeconds,
          topologyLabels: environmentConfigFromEnv(process.env).topologyLabels,
        })
      : undefined;
  await manager.start();
  if (webhook) {
    try {
      await webhook.start();
    } catch (error) {
      await manager.stop();
      throw error;
    }
    // Served until the manager stops (SIGTERM, or the Lease lost).
    void manager
      .wait()
      .catch(() => {})
      .then(() => webhook.close());
  }
  return manager;
}
