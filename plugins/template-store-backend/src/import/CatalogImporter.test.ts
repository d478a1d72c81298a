import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogCopy, filesOf, tarGz } from '../__testUtils__/archives';
import { DatabaseTemplateStore } from '../store/DatabaseTemplateStore';
import { CatalogImporter } from './CatalogImporter';
import { DEFAULT_LIMITS } from './limits';

jest.setTimeout(60_000);

const FIXTURE_CATALOG = catalogCopy();

const options = {
  source: 'fixture',
  owner: 'group:default/platform',
  createdBy: 'user:default/ops-ada',
};
// Small enough that the fixture's task/big (3.9 KB) is over it.
const limits = { ...DEFAULT_LIMITS, maxYamlBytes: 2048 };

describe('CatalogImporter', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function setUp(databaseId: any) {
    const knex = await databases.init(databaseId);
    const store = await DatabaseTemplateStore.create(
      mockServices.database({ knex }),
    );
    return { knex, store, importer: new CatalogImporter({ store, limits }) };
  }

  const summary = (report: {
    files: Array<{ path: string; outcome: string; reason?: string }>;
  }) =>
    Object.fromEntries(
      report.files.map(f => [
        f.path,
        f.reason ? `${f.outcome}: ${f.reason}` : f.outcome,
      ]),
    );

  it.each(databases.eachSupportedId())(
    'imports a catalog folder file by file, and again with nothing new, on %p',
    async databaseId => {
      const { store, importer } = await setUp(databaseId);
      const first = await importer.importDirectory(FIXTURE_CATALOG, options);
      expect(summary(first)).toEqual({
        'pipeline/build-and-test/0.1/build-and-test.yaml': 'added',
        'stepaction/git-checkout/0.1/git-checkout.yaml': 'added',
        'task/big/0.1/big.yaml':
          'rejected: the YAML is 3895 bytes, more than the limit of 2048',
        'task/broken/0.1/broken.yaml':
          'rejected: Flow map in block collection must be sufficiently indented and end with a } at line 7, column 1; Flow sequence in block collection must be sufficiently indented and end with a ] at line 7, column 1',
        'task/git-clone/0.8/git-clone.yaml': 'added',
        'task/git-clone/0.9/git-clone.yaml': 'added',
        'task/golang-build/0.1/golang-build.yaml': 'added',
        'task/golang-build/0.2/golang-build.yaml': 'added',
        'task/golang-build/0.3/golang-build.yaml': 'added',
        'task/not-a-task/0.1/not-a-task.yaml':
          'rejected: not a Task, Pipeline or StepAction: kind "ConfigMap"',
      });
      expect([first.added, first.unchanged, first.rejected]).toEqual([7, 0, 3]);
      expect(await store.getImport(first.id)).toEqual(first);

      const again = await importer.importDirectory(FIXTURE_CATALOG, options);
      expect([again.added, again.unchanged, again.rejected]).toEqual([0, 7, 3]);

      const gitClone = await store.getTemplate(
        'Task',
        'git-clone',
        'user:default/dev',
      );
      expect(gitClone).toMatchObject({
        owner: 'group:default/platform',
        latestVersion: '0.9',
        displayName: 'git clone',
        categories: ['Git'],
        platforms: ['linux/amd64', 'linux/arm64'],
      });
      expect(gitClone!.versions.map(v => [v.version, v.apiVersion])).toEqual([
        ['0.9', 'tekton.dev/v1'],
        ['0.8', 'tekton.dev/v1beta1'],
      ]);
      const version = await store.getVersion('Task', 'git-clone', '0.9');
      // Byte for byte, comment and all.
      expect(version!.yaml).toBe(
        readFileSync(
          join(FIXTURE_CATALOG, 'task/git-clone/0.9/git-clone.yaml'),
          'utf8',
        ),
      );
      expect(version!.readme).toContain('Clones a git repository.');
      expect(version!.docs.params.map(p => p.name)).toEqual([
        'url',
        'revision',
      ]);
      expect(version!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    },
  );

  it.each(databases.eachSupportedId())(
    'imports the same catalog as an archive, and rejects a changed version as a conflict, on %p',
    async databaseId => {
      const { store, importer } = await setUp(databaseId);
      await importer.importDirectory(FIXTURE_CATALOG, options);
      const entries = filesOf(FIXTURE_CATALOG).map(e =>
        e.path === 'task/golang-build/0.3/golang-build.yaml'
          ? { ...e, content: `${e.content}\n# changed\n` }
          : e,
      );
      const report = await importer.importArchive(tarGz(entries), options);
      expect([report.added, report.unchanged, report.rejected]).toEqual([
        0, 6, 4,
      ]);
      expect(
        report.files.find(
          f => f.path === 'task/golang-build/0.3/golang-build.yaml',
        )?.reason,
      ).toMatch(
        /^version conflict: Task golang-build 0.3 is already stored with different content \(sha256:[0-9a-f]{64}\)$/,
      );
      expect(
        (await store.getVersion('Task', 'golang-build', '0.3'))!.yaml,
      ).not.toContain('# changed');
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses a whole archive with a path leaving its root, importing nothing, on %p',
    async databaseId => {
      const { store, importer } = await setUp(databaseId);
      const good = filesOf(FIXTURE_CATALOG);
      const cases: Array<[object, string]> = [
        [
          { path: '../x.yaml', content: 'a: b' },
          'the archive was refused: the entry "../x.yaml" is outside the archive\'s root',
        ],
        [
          { path: 'task/a/../../../etc/x.yaml', content: 'a: b' },
          'the archive was refused: the entry "task/a/../../../etc/x.yaml" is outside the archive\'s root',
        ],
        [
          { path: '/etc/passwd', content: 'a: b' },
          'the archive was refused: the entry "/etc/passwd" is outside the archive\'s root',
        ],
        [
          {
            path: 'task/x/0.1/x.yaml',
            type: 'SymbolicLink',
            linkpath: '../../../../secret',
          },
          'the archive was refused: the link "task/x/0.1/x.yaml" points outside the archive\'s root ("../../../../secret")',
        ],
        [
          { path: 'task/y/0.1/y.yaml', type: 'Link', linkpath: '/etc/shadow' },
          'the archive was refused: the link "task/y/0.1/y.yaml" points outside the archive\'s root ("/etc/shadow")',
        ],
      ];
      for (const [evil, message] of cases) {
        await expect(
          importer.importArchive(tarGz([...good, evil as any]), options),
        ).rejects.toThrow(message);
      }
      const list = await store.list(
        { sort: 'name', page: 1, pageSize: 50 },
        'user:default/x',
      );
      expect(list.totalCount).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'stores nothing of an import that fails mid-way, on %p',
    async databaseId => {
      const { knex, store, importer } = await setUp(databaseId);
      // The fifth version insert fails, as a lost connection would: the
      // store's transactions run on a knex whose queries fail from then on.
      let inserts = 0;
      const failing = new Proxy(knex, {
        get(target, property, receiver) {
          if (property !== 'transaction')
            return Reflect.get(target, property, receiver);
          return (fn: (tx: any) => Promise<unknown>) =>
            target.transaction(async tx => {
              tx.on('query', (query: { sql: string }) => {
                if (
                  /^insert into ["`]template_versions["`]/i.test(query.sql) &&
                  ++inserts === 5
                ) {
                  throw new Error('connection lost');
                }
              });
              return fn(tx);
            });
        },
      });
      await expect(
        new CatalogImporter({
          store: new DatabaseTemplateStore(failing),
          limits,
        }).importDirectory(FIXTURE_CATALOG, options),
      ).rejects.toThrow('connection lost');
      expect(inserts).toBeGreaterThanOrEqual(5);
      expect(
        Number((await knex('template_versions').count({ n: '*' }))[0].n),
      ).toBe(0);
      expect(Number((await knex('templates').count({ n: '*' }))[0].n)).toBe(0);
      // Then it imports whole.
      const report = await importer.importDirectory(FIXTURE_CATALOG, options);
      expect(report.added).toBe(7);
      expect(
        (await store.list({ sort: 'name', page: 1, pageSize: 50 }, 'u'))
          .totalCount,
      ).toBe(4);
    },
  );

  it('refuses an archive with too many files, or not an archive', async () => {
    const importer = new CatalogImporter({
      store: {} as any,
      limits: { ...limits, maxArchiveFiles: 3 },
    });
    await expect(
      importer.importArchive(tarGz(filesOf(FIXTURE_CATALOG)), options),
    ).rejects.toMatchObject({
      statusCode: 413,
      message: 'the archive holds more than 3 files',
    });
    await expect(
      importer.importArchive(Buffer.from('not an archive at all'), options),
    ).rejects.toThrow(/^the archive could not be read as a \.tar\.gz: /);
  });
});
