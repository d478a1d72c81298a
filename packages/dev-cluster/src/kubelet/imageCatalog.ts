import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ImageConfig } from '../runtime/command';
import { normalizedImage, parseImageReference } from './images';

/**
 * What the dev cluster knows about images, which it never downloads: for each
 * known repository its ENTRYPOINT and CMD, the tags a registry serves, and
 * how long a pull takes. The defaults ship in `imageCatalog.yaml`; a cluster
 * may add or replace repositories with a file of the same shape.
 */

export interface CatalogImage {
  /** The normalised repository, e.g. `docker.io/library/busybox`. */
  repository: string;
  /** Mirrors serving the same image (same tags and digests). */
  aliases: string[];
  entrypoint: string[];
  cmd: string[];
  /** The entrypoint is a program of this host, so it runs (see ImageConfig). */
  entrypointOnHost: boolean;
  tags: string[];
  /** The tag `latest` is the same image as (same digest). */
  latest?: string;
  pullMs: number;
  sizeBytes: number;
}

/** A pull's outcome: the image as the runtime then has it, or the registry's error. */
export type ImagePull =
  | {
      ok: true;
      /** `<repository>@sha256:…`, as containerStatuses[].imageID. */
      imageID: string;
      sizeBytes: number;
      pullMs: number;
    }
  | { ok: false; message: string };

/** The catalog shipped with the package. */
export const DEFAULT_IMAGE_CATALOG_FILE = join(
  dirname(require.resolve('@cairn/dev-cluster/package.json')),
  'src',
  'kubelet',
  'imageCatalog.yaml',
);

/** Size and pull time of an image the catalog does not know. */
const UNKNOWN_IMAGE = { pullMs: 0, sizeBytes: 1_000_000 };

export class ImageCatalog {
  private readonly byRepository = new Map<string, CatalogImage>();

  constructor(images: CatalogImage[]) {
    for (const image of images) {
      for (const repository of [image.repository, ...image.aliases])
        this.byRepository.set(repository, image);
    }
  }

  /** The shipped catalog, with the repositories of `overrideFile` (if any) added or replacing. */
  static load(overrideFile?: string): ImageCatalog {
    const images = parseImageCatalog(
      readFileSync(DEFAULT_IMAGE_CATALOG_FILE, 'utf8'),
      DEFAULT_IMAGE_CATALOG_FILE,
    );
    if (!overrideFile) return new ImageCatalog(images);
    const overrides = parseImageCatalog(
      readFileSync(overrideFile, 'utf8'),
      overrideFile,
    );
    const replaced = new Set(overrides.map(i => i.repository));
    return new ImageCatalog([
      ...images.filter(i => !replaced.has(i.repository)),
      ...overrides,
    ]);
  }

  /** The catalog entry of an image's repository (or one of its mirrors). */
  find(image: string): CatalogImage | undefined {
    const ref = parseImageReference(image);
    return this.byRepository.get(`${ref.registry}/${ref.repository}`);
  }

  /** The image's ENTRYPOINT and CMD, when the catalog knows the image. */
  config(image: string): ImageConfig | undefined {
    const known = this.find(image);
    return (
      known && {
        entrypoint: known.entrypoint,
        cmd: known.cmd,
        ...(known.entrypointOnHost ? { entrypointOnHost: true } : {}),
      }
    );
  }

  /**
   * Pulls an image as a registry would answer: any registry under the
   * reserved `.invalid` domain (RFC 2606) cannot be resolved; a known
   * repository has only its listed tags (a digest is taken as given: a
   * registry keeps every digest it ever served); an unknown repository pulls.
   */
  pull(image: string): ImagePull {
    const ref = parseImageReference(image);
    const host = ref.registry.split(':')[0];
    const normalized = normalizedImage(image);
    const reference = ref.digest ?? ref.tag;
    if (host === 'invalid' || host.endsWith('.invalid')) {
      return {
        ok: false,
        message:
          `rpc error: code = Unknown desc = failed to pull and unpack image "${normalized}": ` +
          `failed to resolve reference "${normalized}": failed to do request: ` +
          `Head "https://${ref.registry}/v2/${ref.repository}/manifests/${reference}": ` +
          `dial tcp: lookup ${host}: no such host`,
      };
    }
    const repository = `${ref.registry}/${ref.repository}`;
    const known = this.byRepository.get(repository);
    if (!known) {
      return { ok: true, imageID: imageIdOf(image), ...UNKNOWN_IMAGE };
    }
    if (!ref.digest && !known.tags.includes(ref.tag!)) {
      return {
        ok: false,
        message:
          `rpc error: code = NotFound desc = failed to pull and unpack image "${normalized}": ` +
          `failed to resolve reference "${normalized}": ${normalized}: not found`,
      };
    }
    const tag = ref.tag === 'latest' && known.latest ? known.latest : ref.tag;
    const digest =
      ref.digest ?? digestOf(`${known.repository}:${tag ?? 'latest'}`);
    return {
      ok: true,
      imageID: `${repository}@${digest}`,
      pullMs: known.pullMs,
      sizeBytes: known.sizeBytes,
    };
  }
}

/** The imageID of an image no catalog entry describes: its own digest, or one derived from the reference. */
function imageIdOf(image: string): string {
  const ref = parseImageReference(image);
  return `${ref.registry}/${ref.repository}@${
    ref.digest ?? digestOf(normalizedImage(image))
  }`;
}

function digestOf(reference: string): string {
  return `sha256:${createHash('sha256').update(reference).digest('hex')}`;
}

/** Reads a catalog file; a malformed entry fails with the file and what is wrong. */
export function parseImageCatalog(
  text: string,
  source: string,
): CatalogImage[] {
  const document = parseYaml(text) as { images?: unknown } | null;
  const entries = document?.images;
  if (!Array.isArray(entries)) {
    throw new Error(`${source}: expected a list under "images"`);
  }
  return entries.map((entry: any, index: number) => {
    const at = `${source}: images[${index}]`;
    const strings = (field: string, value: unknown): string[] => {
      if (value === undefined) return [];
      if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
        throw new Error(`${at}.${field}: expected a list of strings`);
      }
      return value;
    };
    const number = (field: string, value: unknown, fallback: number) => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !(value >= 0)) {
        throw new Error(`${at}.${field}: expected a number of at least 0`);
      }
      return value;
    };
    if (typeof entry?.repository !== 'string' || !entry.repository) {
      throw new Error(`${at}.repository: required`);
    }
    const canonical = (repository: string) => {
      const ref = parseImageReference(repository);
      return `${ref.registry}/${ref.repository}`;
    };
    const tags = strings('tags', entry.tags).map(String);
    if (!tags.length) throw new Error(`${at}.tags: at least one tag required`);
    if (
      entry.entrypointOnHost !== undefined &&
      typeof entry.entrypointOnHost !== 'boolean'
    ) {
      throw new Error(`${at}.entrypointOnHost: expected true or false`);
    }
    if (entry.latest !== undefined && !tags.includes(String(entry.latest))) {
      throw new Error(`${at}.latest: "${entry.latest}" is not one of its tags`);
    }
    return {
      repository: canonical(entry.repository),
      aliases: strings('aliases', entry.aliases).map(canonical),
      entrypoint: strings('entrypoint', entry.entrypoint),
      cmd: strings('cmd', entry.cmd),
      entrypointOnHost: entry.entrypointOnHost ?? false,
      tags,
      latest: entry.latest === undefined ? undefined : String(entry.latest),
      pullMs: number('pullMs', entry.pullMs, UNKNOWN_IMAGE.pullMs),
      sizeBytes: number('sizeBytes', entry.sizeBytes, UNKNOWN_IMAGE.sizeBytes),
    };
  });
}
