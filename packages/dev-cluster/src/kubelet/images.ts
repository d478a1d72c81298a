import type { V1Container } from '@kubernetes/client-node';

/**
 * Image references and the kubelet's pull decisions. What a pull finds (or
 * fails to find) is the image catalog's business (`imageCatalog.ts`).
 */

/** A reference split as containerd normalises it (`busybox` → `docker.io/library/busybox:latest`). */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(image: string): ImageReference {
  const [withoutDigest, digest] = image.split('@', 2);
  const slash = withoutDigest.indexOf('/');
  const first = slash < 0 ? '' : withoutDigest.slice(0, slash);
  const hasRegistry =
    first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? withoutDigest.slice(slash + 1) : withoutDigest;
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return {
    registry,
    repository: path,
    tag: tag ?? (digest ? undefined : 'latest'),
    digest,
  };
}

/** The image as a container status reports it: the normalised reference. */
export function normalizedImage(image: string): string {
  const ref = parseImageReference(image);
  const name = `${ref.registry}/${ref.repository}`;
  if (ref.digest) return `${name}@${ref.digest}`;
  return `${name}:${ref.tag}`;
}

/** The pull policy the API server defaults: Always for `:latest` or no tag, else IfNotPresent. */
export function effectivePullPolicy(
  container: Pick<V1Container, 'image' | 'imagePullPolicy'>,
): string {
  if (container.imagePullPolicy) return container.imagePullPolicy;
  const ref = parseImageReference(container.image ?? '');
  return !ref.digest && ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** What the kubelet's image manager decides for a container about to start. */
export type ImagePullDecision =
  /** The image is present and the policy does not ask for a pull. */
  | { action: 'present' }
  /** Pull now (Pulling, then Pulled or Failed). */
  | { action: 'pull' }
  /** `imagePullPolicy: Never` and the image is absent: ErrImageNeverPull. */
  | { action: 'never'; message: string };

export function decideImagePull(
  container: Pick<V1Container, 'image' | 'imagePullPolicy'>,
  imagePresent: boolean,
): ImagePullDecision {
  const policy = effectivePullPolicy(container);
  if (policy === 'Always') return { action: 'pull' };
  if (imagePresent) return { action: 'present' };
  if (policy === 'Never') {
    return {
      action: 'never',
      message: `Container image "${container.image}" is not present with pull policy of Never`,
    };
  }
  return { action: 'pull' };
}
