import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  V1Deployment,
} from '@kubernetes/client-node';
import { parse as parseYaml, stringify } from 'yaml';
import { parseImageReference } from '../kubelet/images';
import { renderKustomization } from './kustomize';

/*
 * Cairn's operators on the dev cluster: operators/dev-cluster (the real
 * operators/deploy plus what differs where containers are local processes)
 * applied as `kubectl apply --server-side -k` would, the image it names
 * mapped to this checkout's manager. The manager finds its credentials as on
 * any cluster: in its pod, the cairn-operators ServiceAccount's token at
 * /var/run/secrets/kubernetes.io/serviceaccount. Only where pods are not
 * isolated (no such path in them) does the setup write it a kubeconfig for
 * that ServiceAccount and name it by $KUBECONFIG.
 */

/** The manager's Deployment, its ServiceAccount and its namespace. */
export const OPERATORS = { namespace: 'cairn-system', name: 'cairn-operators' };

const FIELD_MANAGER = 'cairn-dev-cluster';

/** On the manager's pod template: the API server its kubeconfig names. */
const API_SERVER_ANNOTATION = 'cairn.dev/api-server';

/** The manifests the dev cluster gets, rendered from the checkout at `root`. */
export function renderOperators(root: string): Promise<KubernetesObject[]> {
  return renderKustomization(path.join(root, 'operators', 'dev-cluster'));
}

function managerDeployment(objects: KubernetesObject[]): V1Deployment {
  const deployment = objects.find(
    o =>
      o.kind === 'Deployment' &&
      o.metadata?.name === OPERATORS.name &&
      o.metadata?.namespace === OPERATORS.namespace,
  ) as V1Deployment | undefined;
  if (!deployment)
    throw new Error(
      `operators/dev-cluster has no Deployment ${OPERATORS.namespace}/${OPERATORS.name}`,
    );
  return deployment;
}

/**
 * The image catalog entry for the manager's image: the image the Deployment
 * names runs this checkout's operators/manager with node and the repository's
 * TypeScript transform, as scripts/start runs the portal's cluster.
 */
function operatorsCatalogEntry(
  objects: KubernetesObject[],
  root: string,
): Record<string, unknown> {
  const image =
    managerDeployment(objects).spec?.template.spec?.containers[0].image;
  if (!image) throw new Error('the operators Deployment names no image');
  const ref = parseImageReference(image);
  return {
    repository: `${ref.registry}/${ref.repository}`,
    tags: [ref.tag ?? 'latest'],
    entrypoint: [
      process.execPath,
      '--require',
      path.join(root, 'node_modules/@backstage/cli/config/nodeTransform.cjs'),
      path.join(root, 'operators/manager/src/bin/manager.ts'),
    ],
    entrypointOnHost: true,
  };
}

/**
 * Writes the cluster's image catalog file: the entries of `baseFile` (a
 * catalog the user gave, if any) and the operators' image. Returns its path.
 */
async function writeOperatorsImageCatalog(options: {
  objects: KubernetesObject[];
  root: string;
  file: string;
  baseFile?: string;
}): Promise<string> {
  const entry = operatorsCatalogEntry(options.objects, options.root);
  const base = options.baseFile
    ? ((parseYaml(await readFile(options.baseFile, 'utf8'))?.images ??
        []) as Record<string, unknown>[])
    : [];
  await mkdir(path.dirname(options.file), { recursive: true });
  await writeFile(
    options.file,
    `# Written by the dev cluster's setup on every start; do not edit.\n${stringify(
      {
        images: [...base.filter(i => i.repository !== entry.repository), entry],
      },
    )}`,
  );
  return options.file;
}

async function apply(kubeConfig: KubeConfig, object: KubernetesObject) {
  await KubernetesObjectApi.makeApiClient(kubeConfig).patch(
    // client-node serializes a request body through its model of the kind,
    // which drops fields a plain object spells as in YAML
    // (`x-kubernetes-int-or-string`); loadYaml builds that model.
    loadYaml<KubernetesObject>(JSON.stringify(object)),
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
}

/** A kubeconfig that acts as the cairn-operators ServiceAccount, as `kubectl create token` would give it. */
async function operatorsKubeconfig(
  kubeConfig: KubeConfig,
  expirationSeconds: number,
): Promise<string> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.caData)
    throw new Error('the kubeconfig has no certificate-authority-data');
  const review = await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({
      ...OPERATORS,
      body: { spec: { audiences: [], expirationSeconds } },
    });
  const token = review.status?.token;
  if (!token)
    throw new Error(
      `the cluster issued no token for ServiceAccount ${OPERATORS.namespace}/${OPERATORS.name}`,
    );
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'dev-cluster',
        cluster: {
          server: cluster.server,
          'certificate-authority-data': cluster.caData,
        },
      },
    ],
    users: [{ name: OPERATORS.name, user: { token } }],
    contexts: [
      {
        name: OPERATORS.name,
        context: {
          cluster: 'dev-cluster',
          user: OPERATORS.name,
          namespace: OPERATORS.namespace,
        },
      },
    ],
    'current-context': OPERATORS.name,
  });
}

/** Whether the cluster's pods are isolated (its Nodes' PodIsolation condition), so a pod has its ServiceAccount's token at Kubernetes' path. */
async function podsIsolated(kubeConfig: KubeConfig): Promise<boolean> {
  const nodes = await kubeConfig.makeApiClient(CoreV1Api).listNode();
  return nodes.items.some(node =>
    node.status?.conditions?.some(
      c => c.type === 'PodIsolation' && c.status === 'True',
    ),
  );
}

/**
 * Installs the operators: namespace, CRDs, ServiceAccount and RBAC, then the
 * Deployment. Where pods are not isolated, the manager gets a kubeconfig
 * (written to `kubeconfigPath`, mode 0600) named by $KUBECONFIG in its
 * container. Applied with server-side apply on every start, so the cluster
 * follows the checkout.
 */
async function installOperators(options: {
  kubeConfig: KubeConfig;
  objects: KubernetesObject[];
  kubeconfigPath: string;
}): Promise<string[]> {
  const { kubeConfig, objects } = options;
  const deployment = managerDeployment(objects);
  const first = [
    ...objects.filter(o => o.kind === 'Namespace'),
    ...objects.filter(o => o.kind === 'CustomResourceDefinition'),
    ...objects.filter(
      o =>
        o !== deployment &&
        o.kind !== 'Namespace' &&
        o.kind !== 'CustomResourceDefinition',
    ),
  ];
  for (const object of first) await apply(kubeConfig, object);
  const template = deployment.spec!.template;
  let containers = template.spec!.containers;
  if (!(await podsIsolated(kubeConfig))) {
    // A week, as the portal's token: issued anew on every start.
    const kubeconfig = await operatorsKubeconfig(kubeConfig, 7 * 24 * 3600);
    await mkdir(path.dirname(options.kubeconfigPath), { recursive: true });
    await writeFile(options.kubeconfigPath, kubeconfig, { mode: 0o600 });
    containers = containers.map(container => ({
      ...container,
      env: [
        ...(container.env ?? []).filter(e => e.name !== 'KUBECONFIG'),
        { name: 'KUBECONFIG', value: options.kubeconfigPath },
      ],
    }));
  }
  // Containers that were running when the cluster stopped are restarted as
  // it starts, before a kubeconfig is written: if the API server moved (a
  // new port), they read the old one. A changed annotation rolls them.
  await apply(kubeConfig, {
    ...deployment,
    spec: {
      ...deployment.spec!,
      template: {
        ...template,
        metadata: {
          ...template.metadata,
          annotations: {
            ...template.metadata?.annotations,
            [API_SERVER_ANNOTATION]: kubeConfig.getCurrentCluster()!.server,
          },
        },
        spec: { ...template.spec!, containers },
      },
    },
  } as KubernetesObject);
  return [...first, deployment].map(o =>
    [o.kind, o.metadata?.namespace, o.metadata?.name].filter(Boolean).join('/'),
  );
}

/**
 * With the operators turned off, a Deployment left by an earlier start is
 * deleted (its pods would run no manager); the CRDs and Stones stay.
 */
async function removeOperatorsDeployment(
  kubeConfig: KubeConfig,
): Promise<boolean> {
  try {
    await kubeConfig.makeApiClient(AppsV1Api).deleteNamespacedDeployment({
      ...OPERATORS,
    });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

/** Whether a dev cluster runs the operators: not with --no-operators or CAIRN_OPERATORS=off. */
export function operatorsEnabled(
  noOperatorsFlag: boolean | undefined,
): boolean {
  return !noOperatorsFlag && process.env.CAIRN_OPERATORS !== 'off';
}

/**
 * Before the cluster starts: the operators' manifests, and the cluster's
 * image catalog file (`<stateDir>/images.yaml`, with `baseCatalogFile`'s
 * images) that runs their image.
 */
export async function prepareOperators(options: {
  root: string;
  stateDir: string;
  baseCatalogFile?: string;
}): Promise<{ objects: KubernetesObject[]; imageCatalogFile: string }> {
  const objects = await renderOperators(options.root);
  const imageCatalogFile = await writeOperatorsImageCatalog({
    objects,
    root: options.root,
    file: path.join(options.stateDir, 'images.yaml'),
    baseFile: options.baseCatalogFile,
  });
  return { objects, imageCatalogFile };
}

/**
 * Once the cluster serves: installs the prepared operators (where pods are
 * not isolated, the manager's kubeconfig in `<stateDir>/operators/kubeconfig`), or without them removes
 * a Deployment an earlier start left. Returns a line saying which.
 */
export async function startOperators(
  kubeConfig: KubeConfig,
  stateDir: string,
  objects: KubernetesObject[] | undefined,
): Promise<string> {
  if (!objects) {
    return (await removeOperatorsDeployment(kubeConfig))
      ? `operators off (deleted Deployment ${OPERATORS.namespace}/${OPERATORS.name})`
      : 'operators off';
  }
  await installOperators({
    kubeConfig,
    objects,
    kubeconfigPath: path.join(stateDir, 'operators', 'kubeconfig'),
  });
  return `operators: Deployment ${OPERATORS.namespace}/${OPERATORS.name} (${
    managerDeployment(objects).spec?.replicas ?? 1
  } replicas)`;
}
