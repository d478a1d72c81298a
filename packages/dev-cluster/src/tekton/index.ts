import os from 'node:os';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  ApiException,
  KubeConfig,
} from '@kubernetes/client-node';
import { TektonController } from './controller';
import { TEKTON_CRDS } from './crds';

export { TEKTON_CRDS } from './crds';
export { admissionDenial, tektonAdmission } from './admission';
export { tektonConverter } from './conversionWebhook';
export {
  validatePipeline,
  validatePipelineRun,
  validatePipelineSpec,
  validateTask,
} from './validation';
export type * from './types';

export interface InstallTektonOptions {
  /**
   * Where PersistentVolumeClaim (and volumeClaimTemplate) workspaces keep
   * their data, `<claimsDir>/<namespace>/<claim>`, shared by every TaskRun
   * that binds them. Default: a directory under the OS temp dir.
   */
  claimsDir?: string;
  /** Receives reconcile errors (they are retried); console.warn by default. */
  onError?: (error: unknown) => void;
}

export interface TektonInstallation {
  stop(): Promise<void>;
}

const ESTABLISHED_WAIT_MS = 30_000;

/**
 * Registers (or updates) the tekton.dev CRDs through the cluster's API and
 * waits until they are established: Tekton's API without its controller.
 */
export async function installTektonCrds(
  cluster: { kubeconfig: string } | KubeConfig,
): Promise<KubeConfig> {
  let kubeConfig: KubeConfig;
  if (cluster instanceof KubeConfig) {
    kubeConfig = cluster;
  } else {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(cluster.kubeconfig);
  }
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of TEKTON_CRDS) {
    try {
      await extensions.createCustomResourceDefinition({ body: crd });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
      const existing = await extensions.readCustomResourceDefinition({
        name: crd.metadata!.name!,
      });
      await extensions.replaceCustomResourceDefinition({
        name: crd.metadata!.name!,
        body: {
          ...crd,
          metadata: {
            ...crd.metadata,
            resourceVersion: existing.metadata!.resourceVersion,
          },
        },
      });
    }
  }
  const deadline = Date.now() + ESTABLISHED_WAIT_MS;
  for (const crd of TEKTON_CRDS) {
    for (;;) {
      const current = await extensions.readCustomResourceDefinition({
        name: crd.metadata!.name!,
      });
      if (
        current.status?.conditions?.some(
          c => c.type === 'Established' && c.status === 'True',
        )
      )
        break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${crd.metadata!.name} was not established`);
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
  return kubeConfig;
}

/**
 * Installs Tekton Pipelines v1 into a cluster through its API: registers the
 * tekton.dev CRDs (or updates them) and runs the controller as an API client.
 */
export async function installTekton(
  cluster: { kubeconfig: string } | KubeConfig,
  options: InstallTektonOptions = {},
): Promise<TektonInstallation> {
  const kubeConfig = await installTektonCrds(cluster);
  const controller = new TektonController(kubeConfig, {
    claimsDir:
      options.claimsDir ??
      path.join(os.tmpdir(), `cairn-tekton-claims-${process.pid}`),
    onError: options.onError,
  });
  await controller.start();
  return { stop: () => controller.stop() };
}
