import { readFile } from 'node:fs/promises';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  Stone,
  STONE_GROUP,
  STONE_PLURAL,
  STONE_VERSION,
} from '@cairn/operators-api';
import { parse } from 'yaml';

/*
 * The Rollouts demo (examples/kubernetes/stones/checkout.yaml): a Stone
 * released on one image, then taken up to the Beta stage of an update to
 * the next, so a newcomer finds an update awaiting ops approval. Seeded once:
 * a Stone that exists (the user took it further, or back) is left alone.
 */

/** The update the demo Stone is mid-way through. */
export const DEMO_UPDATE = { image: 'nginx:1.28', stage: 'Beta' } as const;

const api = {
  group: STONE_GROUP,
  version: STONE_VERSION,
  plural: STONE_PLURAL,
};

const isNotFound = (error: unknown) =>
  (error as { code?: number }).code === 404;

/** Whether the Stone's first release is complete (the operator set a current revision). */
export function isReleased(stone: Stone): boolean {
  const { status } = stone;
  return (
    !!status?.currentRevision &&
    status.currentRevision === status.updateRevision &&
    status.stageComplete &&
    status.observedGeneration === stone.metadata.generation
  );
}

/**
 * Creates the demo Stone if absent, waits (up to `timeoutMs`) for the
 * operator to release it, then patches the new image and the Beta stage in
 * one request, as the portal's "start update" does. Returns what it did.
 */
export async function seedDemoStone(options: {
  kubeConfig: KubeConfig;
  file: string;
  timeoutMs?: number;
  pollMs?: number;
}): Promise<string> {
  const { kubeConfig, timeoutMs = 120_000, pollMs = 500 } = options;
  const stone = parse(await readFile(options.file, 'utf8')) as Stone;
  const { name, namespace } = stone.metadata as {
    name: string;
    namespace: string;
  };
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  try {
    await custom.getNamespacedCustomObject({ ...api, namespace, name });
    return `demo Stone ${namespace}/${name} exists; left as it is`;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await custom.createNamespacedCustomObject({ ...api, namespace, body: stone });
  const deadline = Date.now() + timeoutMs;
  let current = stone;
  while (!isReleased(current)) {
    if (Date.now() > deadline) {
      return `demo Stone ${namespace}/${name} created; its first release did not complete within ${
        timeoutMs / 1000
      } s (are the operators running?), so it was not updated`;
    }
    await new Promise(resolve => setTimeout(resolve, pollMs));
    current = (await custom.getNamespacedCustomObject({
      ...api,
      namespace,
      name,
    })) as Stone;
  }
  const containers = current.spec.template.spec!.containers.map(c => ({
    ...c,
    image: DEMO_UPDATE.image,
  }));
  await custom.patchNamespacedCustomObject(
    {
      ...api,
      namespace,
      name,
      body: {
        metadata: { resourceVersion: current.metadata.resourceVersion },
        spec: {
          template: { spec: { containers } },
          strategy: DEMO_UPDATE.stage,
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  return `demo Stone ${namespace}/${name} released, then updated to ${DEMO_UPDATE.image} up to stage ${DEMO_UPDATE.stage}`;
}
