import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { TEKTON_API } from '@cairn/plugin-pipelines-common';
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
 * Test support: a dev cluster with Tekton, and the portal's service account
 * with the access examples/kubernetes/portal-access.yaml grants, run
 * pipelines bound (as that file describes) only in the namespace `ci`, so
 * tests see the cluster's own 403 elsewhere.
 */

export const WRITABLE_NAMESPACE = 'ci';
export const READ_ONLY_NAMESPACE = 'other';

/** Tekton's `plural` objects, as the custom objects API names them. */
export const tektonObjects = (
  plural: 'pipelines' | 'pipelineruns' | 'tasks' | 'taskruns',
) => ({ ...TEKTON_API, plural });

/** The RBAC users apply for the portal (examples/kubernetes/portal-access.yaml). */
export const PORTAL_ACCESS_PATH = path.resolve(
  __dirname,
  '../../../../examples/kubernetes/portal-access.yaml',
);

/** The ClusterRole of what the portal does where it runs pipelines. */
const RUN_PIPELINES_ROLE = 'cairn-portal-pipelines-run';

/**
 * Applies examples/kubernetes/portal-access.yaml as users do, so the tests
 * have exactly the rights it grants (a rule missing from it fails a test).
 * With `runPipelinesIn`, the portal runs pipelines only in those namespaces,
 * bound as the file describes (a RoleBinding of its ClusterRole in each
 * namespace instead of its ClusterRoleBinding).
 */
export async function applyPortalAccess(
  admin: KubeConfig,
  runPipelinesIn?: string[],
): Promise<void> {
  const objects = (
    loadAllYaml(readFileSync(PORTAL_ACCESS_PATH, 'utf8')) as KubernetesObject[]
  ).filter(
    o =>
      !runPipelinesIn ||
      o.kind !== 'ClusterRoleBinding' ||
      o.metadata?.name !== RUN_PIPELINES_ROLE,
  );
  const client = KubernetesObjectApi.makeApiClient(admin);
  for (const object of objects) await client.create(object);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const namespace of runPipelinesIn ?? []) {
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: RUN_PIPELINES_ROLE },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: RUN_PIPELINES_ROLE,
        },
        subjects: [
          {
            kind: 'ServiceAccount',
            name: 'cairn-portal',
            namespace: 'cairn-system',
          },
        ],
      },
    });
  }
}

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
    for (const name of [WRITABLE_NAMESPACE, READ_ONLY_NAMESPACE]) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
    await applyPortalAccess(admin, [WRITABLE_NAMESPACE]);
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
