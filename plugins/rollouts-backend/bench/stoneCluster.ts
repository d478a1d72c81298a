/*
 * What the Rollouts benchmarks (api.bench.ts, page.bench.ts) put in the dev
 * cluster: what the Stone operator and the kubelets would have made of a
 * Stone mid-way through an update (Beta complete) — the Stone with its
 * status, its two ControllerRevisions and its pods, running and ready on
 * their hosts — built with the operator's own builders (rollouts-common's
 * testUtils). The operator does not run, so the Stone holds still while it
 * is measured.
 */
import { performance } from 'node:perf_hooks';
import { log, pool } from '@cairn/bench-support';
import {
  LABEL_ZONE,
  DEFAULT_RACK_LABEL,
  Stone,
  STONE_GROUP,
  STONE_PLURAL,
  STONE_VERSION,
  StoneCoordinatesGroup,
  stoneCrd,
} from '@cairn/operators-api';
import { waitFor } from '@cairn/plugin-kubernetes-node/testUtils';
import {
  templateOf,
  updateScenario,
} from '@cairn/plugin-rollouts-common/testUtils';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  V1ObjectMeta,
} from '@kubernetes/client-node';

/** The Stone's groups: each over the 6 hosts of one of the 3 zones. */
export const GROUPS = 8;
/** How many objects are created at once while filling the cluster. */
const FILL_CONCURRENCY = 16;

/** The custom-objects coordinates of the Stones of `namespace`. */
export const stoneApi = (namespace: string) => ({
  group: STONE_GROUP,
  version: STONE_VERSION,
  plural: STONE_PLURAL,
  namespace,
});

/** An object as the API server is sent it: what the server sets removed. */
function forCreate<T extends { metadata?: V1ObjectMeta }>(object: T): T {
  const {
    uid: _uid,
    resourceVersion: _rv,
    creationTimestamp: _created,
    generation: _generation,
    ...metadata
  } = object.metadata ?? {};
  return { ...object, metadata };
}

/**
 * The dev cluster's topology as Node objects (3 zones × 2 racks × 3 hosts,
 * labelled as the dev cluster labels its nodes; without kubelets it has
 * none), and the Stone's groups: GROUPS of `replicas` pods, each over every
 * host of one zone.
 */
async function createNodes(
  core: CoreV1Api,
  replicas: number,
): Promise<StoneCoordinatesGroup[]> {
  const zonesets = ['a', 'b', 'c'].map(z =>
    [1, 2].flatMap(rack =>
      [1, 2, 3].map(host => ({
        zone: `local-1${z}`,
        rack: `local-1${z}-r${rack}`,
        host: `node-${z}${rack}-${host}`,
      })),
    ),
  );
  for (const { zone, rack, host } of zonesets.flat()) {
    await core.createNode({
      body: {
        metadata: {
          name: host,
          labels: {
            [LABEL_ZONE]: zone,
            [DEFAULT_RACK_LABEL]: rack,
            'kubernetes.io/hostname': host,
          },
        },
      },
    });
  }
  return Array.from({ length: GROUPS }, (_, g) => ({
    group: `g${g}`,
    replicas,
    zoneset: zonesets[g % zonesets.length],
  }));
}

/**
 * Fills the cluster with the Stone `name` in `namespace` (labelled with
 * `backstage.io/kubernetes-id: kubernetesId`): released on nginx:1.27, then
 * at Beta of its update to nginx:1.28, with GROUPS × `replicas` pods.
 * Returns how long the fill took, in seconds.
 */
export async function fillStoneCluster(
  admin: KubeConfig,
  options: {
    namespace: string;
    name: string;
    kubernetesId: string;
    replicas: number;
  },
): Promise<number> {
  const { namespace, name, replicas } = options;
  const custom = admin.makeApiClient(CustomObjectsApi);
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const api = stoneApi(namespace);
  // client-node serializes through its model of the kind; loadYaml builds
  // the model that keeps x-kubernetes-int-or-string fields.
  await KubernetesObjectApi.makeApiClient(admin).create(
    loadYaml<KubernetesObject>(JSON.stringify(stoneCrd)),
  );
  await waitFor(
    () =>
      custom
        .listNamespacedCustomObject(api)
        .then(() => true)
        .catch(() => false),
    served => served,
    'the Stone CRD to be served',
  );

  log(
    `filling the cluster: a Stone of ${
      GROUPS * replicas
    } pods at Beta of an update`,
  );
  const started = performance.now();
  const created = (await custom.createNamespacedCustomObject({
    ...api,
    body: {
      apiVersion: `${STONE_GROUP}/${STONE_VERSION}`,
      kind: 'Stone',
      metadata: {
        name,
        namespace,
        labels: { 'backstage.io/kubernetes-id': options.kubernetesId },
      },
      spec: {
        strategy: 'Release',
        template: templateOf('nginx:1.27'),
        coordinates: await createNodes(core, replicas),
      },
    },
  })) as Stone;
  const scenario = updateScenario('Beta', { stone: created });
  const updated = (await custom.patchNamespacedCustomObject(
    {
      ...api,
      name,
      body: {
        spec: {
          strategy: scenario.stone.spec.strategy,
          template: scenario.stone.spec.template,
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as Stone;
  await custom.patchNamespacedCustomObjectStatus(
    {
      ...api,
      name,
      body: {
        status: {
          ...scenario.stone.status,
          observedGeneration: updated.metadata.generation,
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  for (const revision of scenario.revisions) {
    await apps.createNamespacedControllerRevision({
      namespace,
      body: forCreate(revision),
    });
  }
  await pool(scenario.pods.length, FILL_CONCURRENCY, async i => {
    const { status, ...pod } = scenario.pods[i];
    const made = await core.createNamespacedPod({
      namespace,
      body: forCreate(pod),
    });
    await core.replaceNamespacedPodStatus({
      name: pod.metadata!.name!,
      namespace,
      body: {
        ...made,
        status: {
          ...status,
          conditions: status!.conditions!.map(c => ({
            ...c,
            lastTransitionTime: new Date(),
          })),
          startTime: new Date(),
        },
      },
    });
  });
  return (performance.now() - started) / 1000;
}
