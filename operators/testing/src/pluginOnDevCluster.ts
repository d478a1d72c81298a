import { AddressInfo, createServer } from 'node:net';
import { createBackend } from '@backstage/backend-defaults';
import { BackendFeature, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  ControllerFactory,
  Manager,
  silentLogger,
} from '@cairn/controller-runtime';
import {
  PortalTestCluster,
  PortalTestClusterOptions,
  startPortalTestCluster,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  ApiextensionsV1Api,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
} from '@kubernetes/client-node';
import { startManager } from './manager';

/** Options of {@link startPluginOnDevCluster}. */
export interface PluginOnDevClusterOptions {
  /**
   * The backend plugin under test and the test's own services (permission
   * policy, user info, a TestDatabases database, …), in place of the
   * helper's; the root config is the helper's (see `config`).
   */
  features: BackendFeature[];
  /** CustomResourceDefinitions (as `@cairn/operators-api` has them), established before anything else starts. */
  crds?: object[];
  /** Controllers one Manager runs as the cluster's admin, as the operators do in a real cluster. */
  controllers?: ControllerFactory[];
  /**
   * The backend's config besides `backend` (its port); `kubernetes` is
   * this cluster as `dev` unless given. A function for config that names
   * the cluster.
   */
  config?: JsonObject | ((cluster: PortalTestCluster) => JsonObject);
  /** Options of the dev cluster the portal's service account acts on. */
  cluster?: PortalTestClusterOptions;
  /** Set-up on the cluster before the backend starts (objects its watches find at start). */
  prepare?(cluster: PortalTestCluster): Promise<void>;
}

/** A backend plugin on a dev cluster: see {@link startPluginOnDevCluster}. */
export interface PluginOnDevCluster {
  cluster: PortalTestCluster;
  /** The backend's base URL (`http://localhost:<port>`), for supertest and WebSockets. */
  url: string;
  stop(): Promise<void>;
}

/** A port no one listens on, for the backend. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * The test backend's services where the test gives none: Backstage's mock
 * auth (the tests' `userAuth` tokens), a quiet log, an in-memory SQLite
 * database, events and the rest in memory. The root HTTP router and
 * discovery stay Backstage's own: startTestBackend's take no WebSocket
 * routes.
 */
const testServices = (): ServiceFactory[] => [
  mockServices.auth.factory(),
  mockServices.httpAuth.factory(),
  mockServices.auditor.factory(),
  mockServices.rootLogger.factory(),
  mockServices.database.factory(),
  mockServices.cache.factory(),
  mockServices.permissions.factory(),
  mockServices.userInfo.factory(),
  mockServices.scheduler.factory(),
  mockServices.events.factory(),
  mockServices.urlReader.factory(),
];

async function installCrds(cluster: PortalTestCluster, crds: object[]) {
  // client-node serializes a body through its model of the kind, which
  // drops fields a plain object spells as in YAML; loadYaml builds it.
  const objects = KubernetesObjectApi.makeApiClient(cluster.admin);
  const extensions = cluster.admin.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const created = await objects.create(
      loadYaml<KubernetesObject>(JSON.stringify(crd)),
    );
    const name = created.metadata!.name!;
    await waitFor(
      () => extensions.readCustomResourceDefinition({ name }),
      read =>
        !!read.status?.conditions?.some(
          c => c.type === 'Established' && c.status === 'True',
        ),
      `CRD ${name} to be established`,
    );
  }
}

/**
 * Starts what a backend plugin's test runs on: a dev cluster the portal's
 * service account acts on with the shipped RBAC, the `crds` and a Manager
 * running the `controllers`, then a backend with the `features` (and
 * test services where they give none) on a real port, so WebSocket routes
 * work too, configured for the cluster.
 */
export async function startPluginOnDevCluster(
  options: PluginOnDevClusterOptions,
): Promise<PluginOnDevCluster> {
  const cluster = await startPortalTestCluster(options.cluster);
  let manager: Manager | undefined;
  let backend: ReturnType<typeof createBackend> | undefined;
  try {
    await installCrds(cluster, options.crds ?? []);
    if (options.controllers?.length) {
      manager = await startManager(
        cluster.admin,
        options.controllers,
        { namespace: 'cairn-system', id: 'cairn-operators' },
        silentLogger,
      );
    }
    await options.prepare?.(cluster);
    const port = await freePort();
    const url = `http://localhost:${port}`;
    const config =
      typeof options.config === 'function'
        ? options.config(cluster)
        : options.config;
    backend = createBackend();
    const given = new Set(
      options.features.map(f => (f as Partial<ServiceFactory>).service?.id),
    );
    for (const feature of [
      ...testServices().filter(f => !given.has(f.service.id)),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: cluster.kubernetesConfig as JsonObject,
          ...config,
          backend: { baseUrl: url, listen: { host: '127.0.0.1', port } },
        },
      }),
      ...options.features,
    ]) {
      backend.add(feature);
    }
    await backend.start();
    const started = backend;
    return {
      cluster,
      url,
      async stop() {
        await started.stop();
        await manager?.stop();
        await cluster.stop();
      },
    };
  } catch (error) {
    await backend?.stop();
    await manager?.stop();
    await cluster.stop();
    throw error;
  }
}
