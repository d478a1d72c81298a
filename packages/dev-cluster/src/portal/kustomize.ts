import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { strategicMergePatch } from '../machinery/strategicMerge';

/*
 * The part of kustomize that Cairn's own kustomizations use (resources,
 * images, strategic-merge patches), so the portal's setup applies
 * operators/dev-cluster exactly as `kubectl apply -k` would without needing
 * kubectl. Anything else is refused by name rather than ignored.
 */

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'images',
  'patches',
]);

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The objects `kubectl kustomize <dir>` prints, in the kustomization's order. */
export async function renderKustomization(
  dir: string,
): Promise<KubernetesObject[]> {
  const file = path.join(dir, 'kustomization.yaml');
  const kustomization = parseYaml(await readFile(file, 'utf8')) ?? {};
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED_FIELDS.has(field))
      throw new Error(
        `${file}: "${field}" is not supported here (only resources, images and patches); use kubectl apply -k`,
      );
  }
  let objects: KubernetesObject[] = [];
  for (const resource of (kustomization.resources ?? []) as string[]) {
    const target = path.resolve(dir, resource);
    objects.push(
      ...((await stat(target)).isDirectory()
        ? await renderKustomization(target)
        : await readObjects(target)),
    );
  }
  for (const [index, entry] of (
    (kustomization.patches ?? []) as { path?: string; patch?: string }[]
  ).entries()) {
    const source = entry.path
      ? path.resolve(dir, entry.path)
      : `${file}: patches[${index}]`;
    const text = entry.path
      ? await readFile(source, 'utf8')
      : entry.patch ?? '';
    if ('target' in entry)
      throw new Error(`${source}: patch targets are not supported here`);
    objects = applyPatch(objects, parseYaml(text), source);
  }
  const images = (kustomization.images ?? []) as ImageRule[];
  return images.length ? objects.map(o => setImages(o, images)) : objects;
}

async function readObjects(file: string): Promise<KubernetesObject[]> {
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const object = doc.toJS() as KubernetesObject | null;
    if (object) objects.push(object);
  }
  return objects;
}

/** A strategic merge patch applies to the one object of its kind, name and namespace. */
function applyPatch(
  objects: KubernetesObject[],
  patch: KubernetesObject,
  source: string,
): KubernetesObject[] {
  const matches = (o: KubernetesObject) =>
    o.kind === patch.kind &&
    o.metadata?.name === patch.metadata?.name &&
    (patch.metadata?.namespace === undefined ||
      o.metadata?.namespace === patch.metadata.namespace);
  if (!objects.some(matches))
    throw new Error(
      `${source}: no ${patch.kind} ${patch.metadata?.name} to patch among the resources`,
    );
  return objects.map(o => {
    if (!matches(o)) return o;
    const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
    return strategicMergePatch(o, patch, group, o.kind!);
  });
}

/** kustomize's image transformer: containers whose image's name is a rule's name get its new name, tag or digest. */
function setImages(
  object: KubernetesObject,
  rules: ImageRule[],
): KubernetesObject {
  const podSpec = (object as any).spec?.template?.spec ?? (object as any).spec;
  const containers = [
    ...(podSpec?.initContainers ?? []),
    ...(podSpec?.containers ?? []),
  ] as { image?: string }[];
  for (const container of containers) {
    if (!container.image) continue;
    const { name, tag, digest } = splitImage(container.image);
    const rule = rules.find(r => r.name === name);
    if (!rule) continue;
    let reference = rule.newName ?? name;
    if (rule.digest) reference += `@${rule.digest}`;
    else if (rule.newTag) reference += `:${rule.newTag}`;
    else if (digest) reference += `@${digest}`;
    else if (tag) reference += `:${tag}`;
    container.image = reference;
  }
  return object;
}

function splitImage(image: string): {
  name: string;
  tag?: string;
  digest?: string;
} {
  const [withoutDigest, digest] = image.split('@', 2);
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > withoutDigest.lastIndexOf('/'))
    return {
      name: withoutDigest.slice(0, colon),
      tag: withoutDigest.slice(colon + 1),
      digest,
    };
  return { name: withoutDigest, digest };
}
