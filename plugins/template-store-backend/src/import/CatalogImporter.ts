import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  ImportFileOutcome,
  ImportReport,
  parseCatalogPath,
} from '@cairn/plugin-template-store-common';
import { randomUUID } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TemplateStore } from '../store/TemplateStore';
import { readCatalogArchive } from './archive';
import { CatalogEntry, readCatalogEntries } from './catalogFiles';
import { ImportLimits } from './limits';

/** Who imports, and whose the new templates are. */
export interface ImportOptions {
  /** What the report names as the source: a URL, a folder, `upload`. */
  source: string;
  /** The owner group of templates the import creates. */
  owner: string;
  /** The user or the schedule (`template-store:schedule`). */
  createdBy: string;
}

/**
 * Imports catalogs in the Tekton catalog layout, from any source: their
 * files are read into versions, stored in one transaction, and reported
 * file by file.
 */
export class CatalogImporter {
  constructor(
    private readonly options: {
      store: TemplateStore;
      limits: ImportLimits;
      urlReader?: UrlReaderService;
    },
  ) {}

  /** An uploaded `.tar.gz` whose root is the catalog's root. */
  async importArchive(archive: Buffer, options: ImportOptions) {
    const entries = await readCatalogArchive(archive, this.options.limits);
    return this.importEntries(entries, options);
  }

  /** A folder on the backend's disk (air-gapped installs); links are not followed. */
  async importDirectory(directory: string, options: ImportOptions) {
    const entries: CatalogEntry[] = [];
    const walk = async (relative: string[]) => {
      const here = join(directory, ...relative);
      for (const item of await readdir(here, { withFileTypes: true })) {
        const path = [...relative, item.name];
        if (item.isDirectory() && path.length < 4) {
          await walk(path);
        } else if (item.isFile() && parseCatalogPath(path.join('/'))) {
          const file = join(here, item.name);
          const { size } = await lstat(file);
          entries.push({
            path: path.join('/'),
            size,
            content:
              size <= this.options.limits.maxYamlBytes
                ? await readFile(file)
                : undefined,
          });
        }
      }
    };
    await walk([]);
    return this.importEntries(entries, options);
  }

  /** A catalog at a URL, read with the UrlReader (so the integrations' tokens apply). */
  async importUrl(url: string, options: ImportOptions) {
    const { urlReader } = this.options;
    if (!urlReader) throw new Error('no UrlReader to read URLs with');
    const tree = await urlReader.readTree(url, {
      filter: path => Boolean(parseCatalogPath(path)),
    });
    const entries: CatalogEntry[] = [];
    for (const file of await tree.files()) {
      const content = await file.content();
      entries.push({ path: file.path, size: content.length, content });
    }
    return this.importEntries(entries, options);
  }

  async importEntries(
    entries: CatalogEntry[],
    options: ImportOptions,
  ): Promise<ImportReport> {
    const startedAt = new Date().toISOString();
    const candidates = readCatalogEntries(entries, {
      owner: options.owner,
      createdBy: options.createdBy,
      maxYamlBytes: this.options.limits.maxYamlBytes,
    });
    const toStore = candidates.flatMap(c => ('version' in c ? [c] : []));
    const stored = await this.options.store.putVersions(
      toStore.map(c => c.version),
      { mustIncrease: false },
    );
    const outcomes = new Map(toStore.map((c, i) => [c.path, stored[i]]));
    const files: ImportFileOutcome[] = candidates.map(candidate => {
      if ('rejected' in candidate) return candidate.rejected;
      const { kind, name, version } = candidate.version;
      const result = outcomes.get(candidate.path)!;
      return {
        path: candidate.path,
        kind,
        name,
        version,
        ...result,
      };
    });
    const count = (outcome: ImportFileOutcome['outcome']) =>
      files.filter(f => f.outcome === outcome).length;
    const report: ImportReport = {
      id: randomUUID(),
      source: options.source,
      startedAt,
      finishedAt: new Date().toISOString(),
      added: count('added'),
      unchanged: count('unchanged'),
      rejected: count('rejected'),
      files,
    };
    await this.options.store.saveImport(report, options.createdBy);
    return report;
  }
}
