import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

/** The test catalog in the Tekton catalog layout (its broken file is added by {@link catalogCopy}). */
export const FIXTURE_CATALOG = join(__dirname, '../__fixtures__/catalog');

/**
 * A file no YAML parser reads; written by the tests rather than kept in the
 * fixture, where the repository's formatter would refuse it.
 */
export const BROKEN_FILE = {
  path: 'task/broken/0.1/broken.yaml',
  content:
    'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: broken\nspec:\n  steps: [ {name: a, image: alpine\n',
};

/** The fixture catalog with its broken file, in a folder of its own. */
export function catalogCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'template-store-catalog-'));
  cpSync(FIXTURE_CATALOG, root, { recursive: true });
  mkdirSync(dirname(join(root, BROKEN_FILE.path)), { recursive: true });
  writeFileSync(join(root, BROKEN_FILE.path), BROKEN_FILE.content);
  return root;
}

type TarEntry = {
  path: string;
  content?: string | Buffer;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  linkpath?: string;
};

/**
 * A .tar.gz written header by header, so a test can put in it what `tar`
 * itself would refuse to write (`../x.yaml`, absolute paths, links out).
 */
export function tarGz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      linkpath: entry.linkpath,
      mode: 0o644,
      size: entry.type && entry.type !== 'File' ? 0 : body.length,
      mtime: new Date('2026-12-01T00:00:00Z'),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (body.length && (!entry.type || entry.type === 'File')) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Every file of a folder, as tar entries relative to it. */
export function filesOf(root: string): TarEntry[] {
  const walk = (dir: string): TarEntry[] =>
    readdirSync(dir).flatMap(name => {
      const path = join(dir, name);
      return statSync(path).isDirectory()
        ? walk(path)
        : [{ path: relative(root, path), content: readFileSync(path) }];
    });
  return walk(root);
}
