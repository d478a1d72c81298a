import { Config } from '@backstage/config';
import { ImportReport } from '@cairn/plugin-template-store-common';
import { resolve } from 'node:path';
import { CatalogImporter } from './CatalogImporter';

/** A configured catalog (`templateStore.sources`). */
export interface CatalogSource {
  id: string;
  type: 'directory' | 'url';
  target: string;
  owner: string;
}

export function readCatalogSources(config: Config): CatalogSource[] {
  return (config.getOptionalConfigArray('templateStore.sources') ?? []).map(
    source => {
      const type = source.getString('type');
      if (type !== 'directory' && type !== 'url') {
        throw new Error(
          `templateStore.sources: type must be directory or url, not ${type}`,
        );
      }
      return {
        id: source.getString('id'),
        type,
        target: source.getString('target'),
        owner: source.getString('owner'),
      };
    },
  );
}

/** Imports one configured source, as the schedule does. */
export function importSource(
  importer: CatalogImporter,
  source: CatalogSource,
): Promise<ImportReport> {
  const options = {
    source: `${source.id} (${source.target})`,
    owner: source.owner,
    createdBy: `template-store:source:${source.id}`,
  };
  return source.type === 'directory'
    ? importer.importDirectory(resolve(source.target), options)
    : importer.importUrl(source.target, options);
}
