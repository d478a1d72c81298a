import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import {
  DevCluster,
  DevClusterOptions,
  startDevCluster,
} from '@cairn/dev-cluster';

/*
 * Test support for every Cairn backend plugin: a dev cluster with the
 * portal's service account holding exactly the access the shipped
 * examples/kubernetes/portal-access.yaml grants, so a test sees the
 * cluster's own 403 wherever the portal has no right.
 */

/** The RBAC users apply for the portal (examples/kubernetes/portal-access.yaml). @public */
export const PORTAL_ACCESS_PATH = resolvePackagePath(
  '@cairn/plugin-kubernetes-node',
  '../../examples/kubernetes/portal-access.yaml',
);

/** The portal's ServiceAccount, as portal-access.yaml creates it. @public */
export const PORTAL_SERVICE_ACCOUNT = {
  namespace: 'cairn-system',
  name: 'cairn-portal',
} as const;

/** Options of {@link applyPortalAccess}. @public */
export interface ApplyPortalAccessOptions {
  /**
   * ClusterRoles of the file to grant only in some namespaces, as the file
   * describes for its write roles: for each, a RoleBinding in every listed
   * namespace instead of the file's ClusterRoleBinding of the same name
   * (e.g. `{ 'cairn-portal-pipelines-run': ['ci'] }`).
   */
  bindIn?: Record<string, string[]>;
}

/**
 * Applies examples/kubernetes/portal-access.yaml as users do, so tests have
 * exactly the rights it grants (a rule missing from it fails a test).
 * @public
 */
export async function applyPortalAccess(
  admin: KubeConfig,
  options: ApplyPortalAccessOptions = {},
): Promise<void> {
  const bindIn = options.bindIn ?? {};
  const objects = (
    loadAllYaml(readFileSync(PORTAL_ACCESS_PATH, 'utf8')) as KubernetesObject[]
  ).filter(
    o =>
      o.kind !== 'ClusterRoleBinding' || !((o.metadata?.name ?? '') in bindIn),
  );
  const client = KubernetesObjectApi.makeApiClient(admin);
  for (const object of objects) await client.create(object);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const [role, namespaces] of Object.entries(bindIn)) {
    for (const namespace of namespaces) {
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: role },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: role,
          },
          subjects: [{ kind: 'ServiceAccount', ...PORTAL_SERVICE_ACCOUNT }],
        },
      });
    }
  }
}

/** A dev cluster the portal's service account acts on. @public */
export interface PortalTestCluster {
  cluster: DevCluster;
  /** The cluster's administrator, for a test's own setup and checks. */
  admin: KubeConfig;
  /** The portal's service account (`cairn-portal`), as the backend acts. */
  portal: KubeConfig;
  /**
   * The `kubernetes:` config of a backend acting as the portal's service
   * account on this cluster, named `dev`.
   */
  kubernetesConfig: object;
  stop(): Promise<void>;
}

/** Options of {@link startPortalTestCluster}. @public */
export interface PortalTestClusterOptions extends ApplyPortalAccessOptions {
  /** Options of the dev cluster (its state directory and port are the test's own). */
  devCluster?: Partial<DevClusterOptions>;
  /** Namespaces to create before the access is applied. */
  namespaces?: string[];
}

/**
 * Starts a dev cluster on a free port in a temporary directory, creates
 * `namespaces`, applies the portal's access ({@link applyPortalAccess}) and
 * gives the backend's config for the `cairn-portal` service account.
 * @public
 */
export async function startPortalTestCluster(
  options: PortalTestClusterOptions = {},
): Promise<PortalTestCluster> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-portal-test-'));
  const cluster = await startDevCluster({
    ...options.devCluster,
    stateDir,
    port: 0,
  });
  try {
    const admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of options.namespaces ?? []) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
    await applyPortalAccess(admin, options);
    const review = await core.createNamespacedServiceAccountToken({
      ...PORTAL_SERVICE_ACCOUNT,
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
    const portal = new KubeConfig();
    portal.loadFromOptions({
      clusters: [
        { name: 'dev', server: current.server, caData: current.caData },
      ],
      users: [{ name: 'cairn-portal', token: review.status!.token }],
      contexts: [{ name: 'dev', cluster: 'dev', user: 'cairn-portal' }],
      currentContext: 'dev',
    });
    return {
      cluster,
      admin,
      portal,
      kubernetesConfig,
      async stop() {
        await cluster.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await cluster.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Polls `read` until `done` holds, failing after `timeoutMs` with `what`.
 * @public
 */
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
