import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { catalogCopy, filesOf, tarGz } from '../__testUtils__/archives';
import { DatabaseTemplateStore } from '../store/DatabaseTemplateStore';
import { CatalogImporter } from './CatalogImporter';
import { DEFAULT_LIMITS } from './limits';

jest.setTimeout(60_000);

/**
 * A source host that serves the fixture catalog as a repository archive
 * (one top folder, as GitHub's and GitLab's archives), read with Backstage's
 * own tree machinery, as the integrations' readers do.
 */
const CATALOG_URL = 'https://git.example.com/tekton/catalog/tree/main';
const archive = tarGz(
  filesOf(catalogCopy()).map(e => ({ ...e, path: `catalog-main/${e.path}` })),
);
const urlReader = UrlReaders.create({
  config: mockServices.rootConfig(),
  logger: mockServices.logger.mock(),
  factories: [
    ({ treeResponseFactory }) => [
      {
        predicate: url => url.host === 'git.example.com',
        reader: {
          read: async () => Buffer.from(''),
          readUrl: async () => {
            throw new Error('not a file');
          },
          search: async () => ({ files: [], etag: '' }),
          readTree: async (url, options) => {
            expect(url).toBe(CATALOG_URL);
            return treeResponseFactory.fromTarArchive({
              stream: Readable.from(archive),
              etag: 'main',
              filter: options?.filter,
            });
          },
        },
      },
    ],
  ],
});

describe('importing a catalog from a URL', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('reads the catalog’s files through the UrlReader, as from a folder', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseTemplateStore.create(
      mockServices.database({ knex }),
    );
    const importer = new CatalogImporter({
      store,
      limits: { ...DEFAULT_LIMITS, maxYamlBytes: 2048 },
      urlReader,
    });
    const report = await importer.importUrl(CATALOG_URL, {
      source: CATALOG_URL,
      owner: 'group:default/ops',
      createdBy: 'template-store:source:tekton',
    });
    expect(report.files.map(f => `${f.path} ${f.outcome}`)).toEqual([
      'pipeline/build-and-test/0.1/build-and-test.yaml added',
      'stepaction/git-checkout/0.1/git-checkout.yaml added',
      'task/big/0.1/big.yaml rejected',
      'task/broken/0.1/broken.yaml rejected',
      'task/git-clone/0.8/git-clone.yaml added',
      'task/git-clone/0.9/git-clone.yaml added',
      'task/golang-build/0.1/golang-build.yaml added',
      'task/golang-build/0.2/golang-build.yaml added',
      'task/golang-build/0.3/golang-build.yaml added',
      'task/not-a-task/0.1/not-a-task.yaml rejected',
    ]);
    expect(
      (await store.getVersion('Task', 'git-clone', '0.9'))?.readme,
    ).toContain('Clones a git repository.');
  });
});

describe('the demo catalog', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('imports whole, nothing rejected', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseTemplateStore.create(
      mockServices.database({ knex }),
    );
    const report = await new CatalogImporter({
      store,
      limits: DEFAULT_LIMITS,
    }).importDirectory(join(__dirname, '../../../../examples/template-store'), {
      source: 'demo',
      owner: 'group:default/ops',
      createdBy: 'template-store:source:demo',
    });
    expect(report.files.filter(f => f.outcome !== 'added')).toEqual([]);
    expect(report.added).toBe(5);
  });
});
