import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';

/** The service account the portal's backend reads the cluster as. */
export const PORTAL_SERVICE_ACCOUNT = {
  namespace: 'cairn-system',
  name: 'cairn-portal',
};

/**
 * The object types the Backstage Kubernetes backend asks for that a cluster
 * serves: the dev cluster has no Jobs, CronJobs, StatefulSets, DaemonSets,
 * HPAs or Ingresses, and asking for them would show an error on every tab.
 */
const DEV_CLUSTER_OBJECT_TYPES = [
  'pods',
  'services',
  'configmaps',
  'limitranges',
  'resourcequotas',
  'deployments',
  'replicasets',
];

function isNotFound(error: unknown): boolean {
  return (error as { code?: number }).code === 404;
}

/** Reads every object of the YAML files in a folder, in file-name order. */
export async function readManifests(dir: string): Promise<KubernetesObject[]> {
  const files = (await readdir(dir))
    .filter(f => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(
      await readFile(path.join(dir, file), 'utf8'),
    )) {
      if (doc.errors.length) {
        throw new Error(`${path.join(dir, file)}: ${doc.errors[0].message}`);
      }
      const object = doc.toJS() as KubernetesObject | null;
      if (object) objects.push(object);
    }
  }
  return objects;
}

/**
 * Creates the objects that do not exist yet and leaves the others alone, so
 * a restarted portal keeps whatever its user changed (a scaled Deployment, an
 * edited ConfigMap). Namespaces come first so the objects in them can be
 * created.
 */
export async function seedObjects(
  kubeConfig: KubeConfig,
  objects: KubernetesObject[],
): Promise<string[]> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  const ordered = [
    ...objects.filter(o => o.kind === 'Namespace'),
    ...objects.filter(o => o.kind !== 'Namespace'),
  ];
  const created: string[] = [];
  for (const object of ordered) {
    const header = {
      apiVersion: object.apiVersion!,
      kind: object.kind!,
      metadata: {
        name: object.metadata!.name!,
        namespace: object.metadata?.namespace,
      },
    };
    try {
      await client.read(header);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await client.create(object);
      created.push(
        `${object.kind}/${[header.metadata.namespace, header.metadata.name]
          .filter(Boolean)
          .join('/')}`,
      );
    }
  }
  return created;
}

/** A token for the portal's service account, as `kubectl create token` issues it. */
export async function requestPortalToken(
  kubeConfig: KubeConfig,
  expirationSeconds: number,
): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const review = await core.createNamespacedServiceAccountToken({
    ...PORTAL_SERVICE_ACCOUNT,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = review.status?.token;
  if (!token) {
    throw new Error(
      'the cluster issued no token for the portal service account',
    );
  }
  return token;
}

/**
 * The backend configuration that points the standard `kubernetes:` block at
 * the cluster, read as the portal's service account (not as admin), so the
 * portal has exactly the rights examples/kubernetes/portal-access.yaml grants.
 */
export function portalBackendConfig(options: {
  url: string;
  caData: string;
  token: string;
}): string {
  return stringify({
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      objectTypes: DEV_CLUSTER_OBJECT_TYPES,
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'dev',
              title: 'Dev cluster (local)',
              url: options.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: options.token,
              caData: options.caData,
              skipMetricsLookup: true,
            },
          ],
        },
      ],
    },
  });
}

/**
 * Seeds the demo objects into the cluster the kubeconfig names and writes the
 * backend configuration for it.
 */
export async function preparePortalCluster(options: {
  kubeConfig: KubeConfig;
  manifestsDir: string;
  backendConfigPath: string;
}): Promise<{ created: string[] }> {
  const { kubeConfig } = options;
  const created = await seedObjects(
    kubeConfig,
    await readManifests(options.manifestsDir),
  );
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.caData) {
    throw new Error('the kubeconfig has no certificate-authority-data');
  }
  // A week: a portal restarted within it keeps working; the token is issued
  // anew on every start.
  const token = await requestPortalToken(kubeConfig, 7 * 24 * 3600);
  await mkdir(path.dirname(options.backendConfigPath), { recursive: true });
  await writeFile(
    options.backendConfigPath,
    `# Written by scripts/start on every start; do not edit.\n${portalBackendConfig(
      {
        url: cluster.server,
        caData: cluster.caData,
        token,
      },
    )}`,
    { mode: 0o600 },
  );
  return { created };
}
