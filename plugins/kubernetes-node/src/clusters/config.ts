import { readFileSync } from 'node:fs';
import { Config } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * One cluster of the standard `kubernetes.clusterLocatorMethods` block, as
 * Cairn's backends use it.
 * @public
 */
export interface ClusterDetails {
  name: string;
  title?: string;
  url: string;
  skipTLSVerify: boolean;
  /** A client for @kubernetes/client-node, authenticated as the portal. */
  kubeConfig: KubeConfig;
}

/** Where an in-cluster pod finds its service account (Kubernetes' fixed path). */
export const IN_CLUSTER_SERVICE_ACCOUNT_DIR =
  '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The auth providers of the Backstage Kubernetes backend that a portal-side
 * service can use without the browser: only `serviceAccount` (a token, or the
 * pod's own service account when no token is configured).
 */
const SUPPORTED_AUTH_PROVIDERS = ['serviceAccount'];

/** Locator types other backends understand that Cairn does not read. */
const SUPPORTED_LOCATOR_TYPES = ['config'];

/** Cluster keys the Kubernetes backend knows that do not affect API access. */
const IGNORED_CLUSTER_KEYS = new Set([
  'skipMetricsLookup',
  'customResources',
  'dashboardUrl',
  'dashboardApp',
  'dashboardParameters',
  'authMetadata',
]);

/** Keys that need an auth provider Cairn does not support. */
const UNSUPPORTED_CLUSTER_KEYS: Record<string, string> = {
  oidcTokenProvider: 'authProvider "oidc"',
  assumeRole: 'authProvider "aws"',
  externalId: 'authProvider "aws"',
};

/** Options for {@link readClusters}. @public */
export interface ReadClustersOptions {
  /** Overrides the in-cluster service account directory (tests). */
  inClusterServiceAccountDir?: string;
}

/**
 * Reads `kubernetes.clusterLocatorMethods` into one KubeConfig per cluster.
 * Throws an Error naming the config key to fix for anything Cairn cannot use,
 * rather than skipping it, so a misconfigured cluster is not silently empty.
 * @public
 */
export function readClusters(
  rootConfig: Config,
  options: ReadClustersOptions = {},
): ClusterDetails[] {
  const methods =
    rootConfig.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ClusterDetails[] = [];
  methods.forEach((method, i) => {
    const where = `kubernetes.clusterLocatorMethods[${i}]`;
    const type = method.getOptionalString('type');
    if (!type || !SUPPORTED_LOCATOR_TYPES.includes(type)) {
      throw new Error(
        `${where}.type is ${
          type ? `"${type}"` : 'missing'
        }; Cairn reads only clusters listed with type "config" (name, url, serviceAccountToken, caData or caFile)`,
      );
    }
    const entries = method.getOptionalConfigArray('clusters') ?? [];
    entries.forEach((entry, j) => {
      clusters.push(readCluster(entry, `${where}.clusters[${j}]`, options));
    });
  });
  const seen = new Set<string>();
  for (const cluster of clusters) {
    if (seen.has(cluster.name)) {
      throw new Error(
        `kubernetes.clusterLocatorMethods names the cluster "${cluster.name}" more than once; give each cluster a unique name`,
      );
    }
    seen.add(cluster.name);
  }
  return clusters;
}

function readCluster(
  config: Config,
  where: string,
  options: ReadClustersOptions,
): ClusterDetails {
  const name = config.getOptionalString('name');
  if (!name) {
    throw new Error(`${where}.name is missing; every cluster needs a name`);
  }
  const at = `${where} (cluster "${name}")`;
  const url = config.getOptionalString('url');
  if (!url) {
    throw new Error(`${at}: url is missing; set it to the API server's URL`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${at}: url "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`${at}: url "${url}" must be http(s)`);
  }
  for (const [key, needs] of Object.entries(UNSUPPORTED_CLUSTER_KEYS)) {
    if (config.has(key)) {
      throw new Error(
        `${at}: ${key} needs ${needs}, which Cairn does not support; remove it and use authProvider "serviceAccount"`,
      );
    }
  }
  for (const key of config.keys()) {
    if (
      ![
        'name',
        'title',
        'url',
        'authProvider',
        'serviceAccountToken',
        'skipTLSVerify',
        'caData',
        'caFile',
      ].includes(key) &&
      !IGNORED_CLUSTER_KEYS.has(key) &&
      !(key in UNSUPPORTED_CLUSTER_KEYS)
    ) {
      throw new Error(`${at}: unknown key "${key}"; remove it`);
    }
  }
  const authProvider = config.getOptionalString('authProvider');
  if (!authProvider) {
    throw new Error(
      `${at}: authProvider is missing; set it to "serviceAccount"`,
    );
  }
  if (!SUPPORTED_AUTH_PROVIDERS.includes(authProvider)) {
    throw new Error(
      `${at}: authProvider "${authProvider}" is not supported by Cairn, which acts on the cluster as the portal; use "serviceAccount" with serviceAccountToken`,
    );
  }
  const skipTLSVerify = config.getOptionalBoolean('skipTLSVerify') ?? false;
  const caData = config.getOptionalString('caData');
  const caFile = config.getOptionalString('caFile');
  if (caData && caFile) {
    throw new Error(`${at}: set caData or caFile, not both`);
  }
  if (caFile) {
    try {
      readFileSync(caFile);
    } catch (error) {
      throw new Error(
        `${at}: caFile "${caFile}" cannot be read (${
          (error as Error).message
        })`,
      );
    }
  }

  const token = config.getOptionalString('serviceAccountToken');
  const saDir =
    options.inClusterServiceAccountDir ?? IN_CLUSTER_SERVICE_ACCOUNT_DIR;
  let user: Record<string, unknown>;
  let inClusterCaFile: string | undefined;
  if (token) {
    user = { name: `${name}-portal`, token };
  } else {
    // As the Kubernetes backend does: no token means the pod's own service
    // account. The token file is re-read as the kubelet rotates it.
    const tokenFile = `${saDir}/token`;
    try {
      readFileSync(tokenFile);
    } catch {
      throw new Error(
        `${at}: serviceAccountToken is missing and the backend does not run in a pod (no ${tokenFile}); set serviceAccountToken`,
      );
    }
    user = {
      name: `${name}-portal`,
      authProvider: { name: 'tokenFile', config: { tokenFile } },
    };
    if (!caData && !caFile) {
      inClusterCaFile = `${saDir}/ca.crt`;
    }
  }

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name,
        server: url.replace(/\/+$/, ''),
        skipTLSVerify,
        caData,
        caFile: caFile ?? inClusterCaFile,
      },
    ],
    users: [user],
    contexts: [{ name, cluster: name, user: user.name }],
    currentContext: name,
  });
  return {
    name,
    title: config.getOptionalString('title'),
    url,
    skipTLSVerify,
    kubeConfig,
  };
}
