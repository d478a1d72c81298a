import { InputError } from '@backstage/errors';
import { parseCatalogPath } from '@cairn/plugin-template-store-common';
import { posix } from 'node:path';
import { Parser, ReadEntry } from 'tar';
import { CatalogEntry } from './catalogFiles';
import { ImportLimits, PayloadTooLargeError } from './limits';

/** How much larger than the archive cap its content may be once unpacked (a gzip bomb stops here). */
const MAX_EXPANSION = 4;

/**
 * Why an entry's path or link leaves the archive's root, or `undefined`.
 * Absolute paths, `..` segments and links whose target resolves outside
 * the root refuse the whole archive.
 */
export function unsafeEntryReason(entry: {
  path: string;
  type: string;
  linkpath?: string;
}): string | undefined {
  const escapes = (path: string) =>
    path.startsWith('/') ||
    /^[a-zA-Z]:/.test(path) ||
    path.includes('\\') ||
    posix.normalize(path).split('/')[0] === '..';
  if (escapes(entry.path) || entry.path.split('/').includes('..')) {
    return `the entry ${JSON.stringify(
      entry.path,
    )} is outside the archive's root`;
  }
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    // A symlink's target is relative to its folder, a hard link's to the root.
    const resolved =
      entry.type === 'SymbolicLink'
        ? posix.join(posix.dirname(entry.path), target)
        : target;
    if (target.startsWith('/') || escapes(resolved)) {
      return `the link ${JSON.stringify(
        entry.path,
      )} points outside the archive's root (${JSON.stringify(target)})`;
    }
  }
  return undefined;
}

/**
 * Reads a `.tar.gz` (or plain tar) catalog in memory: the regular files the
 * catalog layout knows, each up to the YAML cap (larger ones kept without
 * content, to be reported). Links are not followed. An unsafe entry, too many
 * files, or too much content refuses the whole archive.
 */
export async function readCatalogArchive(
  archive: Buffer,
  limits: ImportLimits,
): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  let refusal: Error | undefined;
  let files = 0;
  let unpacked = 0;
  const parser = new Parser({ strict: true });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', () => resolve());
    parser.on('close', () => resolve());
  });
  parser.on('entry', (entry: ReadEntry) => {
    if (refusal) {
      entry.resume();
      return;
    }
    const unsafe = unsafeEntryReason(entry);
    files += entry.type === 'File' || entry.type === 'OldFile' ? 1 : 0;
    unpacked += entry.size ?? 0;
    if (unsafe) {
      refusal = new InputError(`the archive was refused: ${unsafe}`);
    } else if (files > limits.maxArchiveFiles) {
      refusal = new PayloadTooLargeError(
        `the archive holds more than ${limits.maxArchiveFiles} files`,
      );
    } else if (unpacked > limits.maxArchiveBytes * MAX_EXPANSION) {
      refusal = new PayloadTooLargeError(
        `the archive unpacks to more than ${
          limits.maxArchiveBytes * MAX_EXPANSION
        } bytes`,
      );
    }
    const path = entry.path.replace(/^\.\//, '');
    if (
      refusal ||
      (entry.type !== 'File' && entry.type !== 'OldFile') ||
      !parseCatalogPath(path)
    ) {
      entry.resume();
      return;
    }
    const size = entry.size ?? 0;
    if (size > limits.maxYamlBytes) {
      entries.push({ path, size });
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    entry.on('data', (chunk: Buffer) => chunks.push(chunk));
    entry.on('end', () =>
      entries.push({ path, size, content: Buffer.concat(chunks) }),
    );
  });
  parser.end(archive);
  try {
    await done;
  } catch (error) {
    throw new InputError(
      `the archive could not be read as a .tar.gz: ${(error as Error).message}`,
    );
  }
  if (refusal) throw refusal;
  return entries;
}
