import { createHash } from 'node:crypto';
import {
  CatalogFile,
  ImportFileOutcome,
  parseCatalogPath,
  parseTemplateYaml,
  versionError,
} from '@cairn/plugin-template-store-common';
import { NewTemplateVersion } from '../store/TemplateStore';

/** One file of a catalog: its path from the catalog root, and its bytes (none if over the YAML cap). */
export interface CatalogEntry {
  path: string;
  content?: Buffer;
  size: number;
}

/** `sha256:<hex>` of a template's bytes. */
export function templateDigest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** What each template file of a catalog becomes: a version to store, or a rejection. */
export type CatalogCandidate =
  | { path: string; version: NewTemplateVersion }
  | { path: string; rejected: ImportFileOutcome };

const key = (f: CatalogFile) => `${f.kind}/${f.name}/${f.version}`;

/**
 * Reads a catalog's files into versions: each template YAML parsed and
 * checked against its place in the layout, with the README beside it.
 * Files the layout does not know are left out.
 */
export function readCatalogEntries(
  entries: CatalogEntry[],
  options: { owner: string; createdBy: string; maxYamlBytes: number },
): CatalogCandidate[] {
  const readmes = new Map<string, string>();
  const templates: Array<{ entry: CatalogEntry; file: CatalogFile }> = [];
  for (const entry of entries) {
    const file = parseCatalogPath(entry.path);
    if (!file) continue;
    if (file.role === 'readme' && entry.content) {
      readmes.set(key(file), entry.content.toString('utf8'));
    } else if (file.role === 'template') {
      templates.push({ entry, file });
    }
  }
  templates.sort((a, b) => a.entry.path.localeCompare(b.entry.path));
  return templates.map(({ entry, file }): CatalogCandidate => {
    const reject = (reason: string): CatalogCandidate => ({
      path: entry.path,
      rejected: {
        path: entry.path,
        outcome: 'rejected',
        kind: file.kind,
        name: file.name,
        version: file.version,
        reason,
      },
    });
    if (!entry.content || entry.size > options.maxYamlBytes) {
      return reject(
        `the YAML is ${entry.size} bytes, more than the limit of ${options.maxYamlBytes}`,
      );
    }
    const badVersion = versionError(file.version);
    if (badVersion) return reject(badVersion);
    const yaml = entry.content.toString('utf8');
    const parsed = parseTemplateYaml(yaml, { maxBytes: options.maxYamlBytes });
    if (!parsed.ok) return reject(parsed.errors.join('; '));
    if (parsed.docs.kind !== file.kind) {
      return reject(
        `the file is in the ${file.kind} folder but is a ${parsed.docs.kind}`,
      );
    }
    if (parsed.docs.name !== file.name) {
      return reject(
        `metadata.name ${parsed.docs.name} does not match its folder ${file.name}`,
      );
    }
    return {
      path: entry.path,
      version: {
        kind: file.kind,
        name: file.name,
        version: file.version,
        owner: options.owner,
        yaml,
        digest: templateDigest(entry.content),
        readme: readmes.get(key(file)),
        docs: parsed.docs,
        createdBy: options.createdBy,
      },
    };
  });
}
