import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import {
  DevCluster,
  DevClusterOptions,
  startDevCluster,
} from '@cairn/dev-cluster';
// The dev cluster's package index does not export its Tekton install yet.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  installTekton,
  TektonInstallation,
} from '@cairn/dev-cluster/src/tekton';

/*
 * Test support: a dev cluster with Tekton, and a portal service account that
 * may read Tekton objects everywhere but change PipelineRuns and Pipelines
 * only in the namespace `ci`, so tests see the cluster's own 403 elsewhere.
 */

export const WRITABLE_NAMESPACE = 'ci';
export const READ_ONLY_NAMESPACE = 'other';

/** Tekton's `plural` objects, as the custom objects API names them. */
export const tektonObjects = (
  plural: 'pipelines' | 'pipelineruns' | 'tasks' | 'taskruns',
) => ({ group: 'tekton.dev', version: 'v1', plural });

export interface TektonTestCluster {
  cluster: DevCluster;
  admin: KubeConfig;
  custom: CustomObjectsApi;
  /** `kubernetes:` config for the backend, as the portal's service account. */
  kubernetesConfig: object;
  stop(): Promise<void>;
}

export async function startTektonTestCluster(
  options: Partial<DevClusterOptions> = {},
): Promise<TektonTestCluster> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'pipelines-backend-'));
  const cluster = await startDevCluster({ ...options, stateDir, port: 0 });
  let tekton: TektonInstallation | undefined;
  try {
    const admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
    // Install Tekton unless the dev cluster already comes with it.
    const hasTekton = await admin
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'pipelineruns.tekton.dev' })
      .then(
        () => true,
        () => false,
      );
    if (!hasTekton) {
      tekton = await installTekton(cluster, {
        claimsDir: path.join(stateDir, 'claims'),
        onError: () => {},
      });
    }
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    for (const name of [
      'cairn-system',
      WRITABLE_NAMESPACE,
      READ_ONLY_NAMESPACE,
    ]) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
    await core.createNamespacedServiceAccount({
      namespace: 'cairn-system',
      body: { metadata: { name: 'cairn-portal' } },
    });
    const subjects = [
      {
        kind: 'ServiceAccount',
        name: 'cairn-portal',
        namespace: 'cairn-system',
      },
    ];
    await rbac.createClusterRole({
      body: {
        metadata: { name: 'cairn-pipelines-read' },
        rules: [
          {
            apiGroups: ['tekton.dev'],
            resources: ['pipelines', 'pipelineruns', 'taskruns', 'tasks'],
            verbs: ['get', 'list', 'watch'],
          },
          { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] },
        ],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'cairn-pipelines-read' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'cairn-pipelines-read',
        },
        subjects,
      },
    });
    await rbac.createNamespacedRole({
      namespace: WRITABLE_NAMESPACE,
      body: {
        metadata: { name: 'cairn-pipelines-run' },
        rules: [
          {
            apiGroups: ['tekton.dev'],
            resources: ['pipelineruns'],
            verbs: ['create', 'patch', 'delete'],
          },
          {
            apiGroups: ['tekton.dev'],
            resources: ['pipelines'],
            verbs: ['create', 'update'],
          },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: WRITABLE_NAMESPACE,
      body: {
        metadata: { name: 'cairn-pipelines-run' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'cairn-pipelines-run',
        },
        subjects,
      },
    });
    const review = await core.createNamespacedServiceAccountToken({
      namespace: 'cairn-system',
      name: 'cairn-portal',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const current = admin.getCurrentCluster()!;
    const kubernetesConfig = {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'dev',
              title: 'Dev cluster',
              url: current.server,
              authProvider: 'serviceAccount',
              serviceAccountToken: review.status!.token,
              caData: current.caData,
            },
          ],
        },
      ],
    };
    const installed = tekton;
    return {
      cluster,
      admin,
      custom: admin.makeApiClient(CustomObjectsApi),
      kubernetesConfig,
      async stop() {
        await installed?.stop();
        await cluster.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await tekton?.stop();
    await cluster.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls `read` until `done` holds, failing after `timeoutMs` with `what`. */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last value: ${JSON.stringify(
          last,
        )?.slice(0, 2000)}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
