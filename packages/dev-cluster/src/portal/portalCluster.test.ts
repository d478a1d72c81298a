import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { DevCluster, startDevCluster } from '../server/devCluster';
import { preparePortalCluster } from './portalCluster';

const manifestsDir = path.resolve(__dirname, '../../../../examples/kubernetes');

describe('preparePortalCluster', () => {
  let dir: string;
  let cluster: DevCluster;
  let admin: KubeConfig;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cairn-portal-'));
    cluster = await startDevCluster({ stateDir: dir, runWorkloads: false });
    admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
  });

  afterAll(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const backendConfigPath = () => path.join(dir, 'app-config.yaml');

  /** A client that acts with what the written backend config grants. */
  async function asPortal() {
    const config = parse(await readFile(backendConfigPath(), 'utf8'));
    const [entry] = config.kubernetes.clusterLocatorMethods[0].clusters;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'dev', server: entry.url, caData: entry.caData }],
      users: [{ name: 'portal', token: entry.serviceAccountToken }],
      contexts: [{ name: 'dev', cluster: 'dev', user: 'portal' }],
      currentContext: 'dev',
    });
    return { entry, core: kc.makeApiClient(CoreV1Api) };
  }

  it('seeds the demo workloads and points the backend at the cluster as a reader', async () => {
    const { created } = await preparePortalCluster({
      kubeConfig: admin,
      manifestsDir,
      backendConfigPath: backendConfigPath(),
    });
    expect(created).toEqual(
      expect.arrayContaining([
        'Namespace/shop',
        'Deployment/shop/payments-api',
        'ServiceAccount/cairn-system/cairn-portal',
      ]),
    );

    const { entry, core } = await asPortal();
    expect(entry).toMatchObject({
      url: cluster.url,
      authProvider: 'serviceAccount',
    });
    const services = await core.listNamespacedService({ namespace: 'shop' });
    expect(services.items.map(s => s.metadata?.name).sort()).toEqual([
      'inventory-service',
      'payments-api',
      'storefront-web',
    ]);
    // Read-only: the portal's token may not change the cluster.
    await expect(
      core.deleteNamespacedService({ name: 'payments-api', namespace: 'shop' }),
    ).rejects.toMatchObject({ code: 403 });
  });

  it('keeps what the user changed when the portal starts again', async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    const scale = await apps.readNamespacedDeploymentScale({
      name: 'storefront-web',
      namespace: 'shop',
    });
    await apps.replaceNamespacedDeploymentScale({
      name: 'storefront-web',
      namespace: 'shop',
      body: { ...scale, spec: { replicas: 5 } },
    });

    const { created } = await preparePortalCluster({
      kubeConfig: admin,
      manifestsDir,
      backendConfigPath: backendConfigPath(),
    });

    expect(created).toEqual([]);
    const deployment = await apps.readNamespacedDeployment({
      name: 'storefront-web',
      namespace: 'shop',
    });
    expect(deployment.spec?.replicas).toBe(5);
  });
});
