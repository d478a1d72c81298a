import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { catalogCopy, filesOf, tarGz } from '../__testUtils__/archives';
import { startTestRouter } from '../__testUtils__/testRouter';
import { DEFAULT_LIMITS } from '../import/limits';

jest.setTimeout(60_000);

const OPS = 'user:default/olga';
const PLATFORM = 'user:default/pia';
const PAYMENTS = 'user:default/dan';

const catalog = tarGz(filesOf(catalogCopy()));
const limits = {
  ...DEFAULT_LIMITS,
  maxYamlBytes: 2048,
  maxArchiveBytes: 64 * 1024,
};

const task = (name: string, extra = '') =>
  `apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: ${name}\n  annotations:\n    tekton.dev/tags: git\nspec:\n  params:\n    - name: url\n  steps:\n    - name: a\n      image: alpine\n${extra}`;

describe('the template store API', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  const knexes = new Map<string, Knex>();
  const knexOf = (databaseId: string) => knexes.get(databaseId)!;

  async function withCatalog(databaseId: any) {
    const knex = await databases.init(databaseId);
    knexes.set(databaseId, knex);
    const router = await startTestRouter(knex, { limits });
    const imported = await router
      .as(OPS)
      .post('/imports?owner=group:default/platform')
      .set('Content-Type', 'application/gzip')
      .send(catalog);
    expect(imported.status).toBe(201);
    expect([imported.body.added, imported.body.rejected]).toEqual([7, 3]);
    return router;
  }

  it.each(databases.eachSupportedId())(
    'imports are for ops, as the body or a multipart field, within the size cap, on %p',
    async databaseId => {
      const { as, auditEvents } = await withCatalog(databaseId);
      const refused = await as(PAYMENTS)
        .post('/imports')
        .set('Content-Type', 'application/gzip')
        .send(catalog);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe('not allowed: templates.import');

      const form = await as(OPS)
        .post('/imports')
        .attach('file', catalog, 'catalog.tar.gz');
      expect(form.status).toBe(201);
      expect([form.body.added, form.body.unchanged]).toEqual([0, 7]);
      const report = await as(OPS).get(`/imports/${form.body.id}`);
      expect(report.body).toEqual(form.body);

      const big = await as(OPS)
        .post('/imports')
        .set('Content-Type', 'application/gzip')
        .send(Buffer.alloc(65 * 1024, 1));
      expect(big.status).toBe(413);
      const bigForm = await as(OPS)
        .post('/imports')
        .attach('file', Buffer.alloc(65 * 1024, 1), 'big.tar.gz');
      expect(bigForm.status).toBe(413);
      expect(
        auditEvents
          .filter(e => e.eventId === 'template-import')
          .map(e => e.status),
      ).toEqual(['succeeded', 'failed', 'succeeded']);
    },
  );

  it.each(databases.eachSupportedId())(
    'searches, filters, and reads templates, versions and diffs, on %p',
    async databaseId => {
      const { as } = await withCatalog(databaseId);
      const names = async (query: string) =>
        (await as(PAYMENTS).get(`/templates?${query}`)).body.items.map(
          (i: any) => `${i.kind}/${i.name}`,
        );
      // The pipeline's description says "Clones a repository", not "git".
      expect(await names('search=git')).toEqual([
        'StepAction/git-checkout',
        'Task/git-clone',
      ]);
      expect(await names('search=GO%20build')).toEqual(['Task/golang-build']);
      expect(await names('kind=Pipeline')).toEqual(['Pipeline/build-and-test']);
      expect(await names('category=Build%20Tools')).toEqual([
        'Pipeline/build-and-test',
        'Task/golang-build',
      ]);
      expect(await names('tag=git&platform=linux%2Farm64')).toEqual([
        'Task/git-clone',
      ]);
      expect(await names('owner=group:default/nobody')).toEqual([]);
      const list = await as(PAYMENTS).get('/templates');
      expect(list.body.totalCount).toBe(4);
      expect(list.body.items.find((i: any) => i.name === 'git-clone')).toEqual({
        kind: 'Task',
        name: 'git-clone',
        owner: 'group:default/platform',
        displayName: 'git clone',
        description: 'Clones a git repository into the output workspace.',
        categories: ['Git'],
        tags: ['git'],
        platforms: ['linux/amd64', 'linux/arm64'],
        latestVersion: '0.9',
        stars: 0,
        starred: false,
        usage: 0,
        updatedAt: expect.any(String),
      });
      expect(
        (await as(PAYMENTS).get('/templates?kind=Job')).body.error.message,
      ).toBe(
        'invalid query: kind: must be one of Task, Pipeline, StepAction (as Tekton spells it)',
      );

      const facets = (await as(PAYMENTS).get('/facets')).body;
      expect(facets.kinds).toEqual([
        { value: 'Pipeline', count: 1 },
        { value: 'StepAction', count: 1 },
        { value: 'Task', count: 2 },
      ]);
      expect(facets.tags).toContainEqual({ value: 'git', count: 2 });

      const detail = await as(PAYMENTS).get('/templates/Task/golang-build');
      expect(detail.body.versions.map((v: any) => v.version)).toEqual([
        '0.3',
        '0.2',
        '0.1',
      ]);
      const version = await as(PAYMENTS).get(
        '/templates/Task/git-clone/versions/0.9',
      );
      expect(version.body.docs.params.map((p: any) => p.name)).toEqual([
        'url',
        'revision',
      ]);
      expect(version.body.yaml).toMatch(/^# A clone of a git repository/);
      const diff = await as(PAYMENTS).get(
        '/templates/Task/git-clone/diff?from=0.8&to=0.9',
      );
      expect(diff.body.patch).toContain(
        '-apiVersion: tekton.dev/v1beta1\n+apiVersion: tekton.dev/v1\n',
      );
      expect((await as(PAYMENTS).get('/templates/Task/nope')).status).toBe(404);
      expect(
        (await as(PAYMENTS).get('/templates/Task/git-clone/versions/7.0'))
          .status,
      ).toBe(404);
    },
  );

  it.each(databases.eachSupportedId())(
    'lets the owner group and ops publish, deprecate and delete, not another team, on %p',
    async databaseId => {
      const { as, auditEvents } = await withCatalog(databaseId);
      const publish = (user: string, body: object) =>
        as(user).post('/templates').send(body);
      const gitClone = (
        await as(PLATFORM).get('/templates/Task/git-clone/versions/0.9')
      ).body.yaml;
      const newer = gitClone.replace('"0.9"', '"1.0"');

      const other = await publish(PAYMENTS, {
        owner: 'group:default/platform',
        version: '1.0',
        yaml: newer,
      });
      expect(other.status).toBe(403);
      expect(other.body.error.message).toBe(
        'not allowed: templates.publish on templates of group:default/platform',
      );
      const hijack = await publish(PAYMENTS, {
        owner: 'group:default/team-payments',
        version: '1.0',
        yaml: newer,
      });
      expect(hijack.status).toBe(409);
      expect(hijack.body.error.message).toBe(
        'Task git-clone is owned by group:default/platform, not group:default/team-payments',
      );
      const owner = await publish(PLATFORM, {
        owner: 'platform',
        version: '1.0',
        yaml: newer,
      });
      expect(owner.status).toBe(201);
      expect(owner.body).toMatchObject({
        version: '1.0',
        createdBy: PLATFORM,
        yaml: newer,
      });
      const lower = await publish(OPS, {
        owner: 'group:default/platform',
        version: '0.9.5',
        yaml: newer,
      });
      expect(lower.status).toBe(409);
      expect(lower.body.error.message).toBe(
        'version 0.9.5 must be greater than the latest version 1.0',
      );
      const again = await publish(PLATFORM, {
        owner: 'group:default/platform',
        version: '1.0',
        yaml: newer,
      });
      expect(again.status).toBe(201);

      const own = await publish(PAYMENTS, {
        owner: 'group:default/team-payments',
        version: '0.1',
        yaml: task('pay-check'),
      });
      expect(own.status).toBe(201);
      const bad = await publish(PAYMENTS, {
        owner: 'group:default/team-payments',
        version: '0.2',
        yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: pay-check}\nspec: {}\n',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toBe(
        'invalid template: missing field(s): spec.steps',
      );
      const tooBig = await publish(PAYMENTS, {
        owner: 'group:default/team-payments',
        version: '0.2',
        yaml: task(
          'pay-check',
          `      script: |\n${'        echo x\n'.repeat(200)}`,
        ),
      });
      expect(tooBig.status).toBe(413);

      const deprecate = (user: string) =>
        as(user)
          .put('/templates/Task/git-clone/versions/0.8/deprecated')
          .send({ deprecated: true });
      expect((await deprecate(PAYMENTS)).status).toBe(403);
      expect((await deprecate(PLATFORM)).status).toBe(204);
      const versions = (await as(PAYMENTS).get('/templates/Task/git-clone'))
        .body.versions;
      expect(versions.map((v: any) => [v.version, v.deprecated])).toEqual([
        ['1.0', false],
        ['0.9', false],
        ['0.8', true],
      ]);

      // A version a pipeline uses (as the usage job records it) stays.
      const { id } = await knexOf(databaseId)('templates')
        .where({ kind: 'Task', name: 'git-clone' })
        .first();
      await knexOf(databaseId)('template_usage').insert({
        template_id: id,
        version: '0.9',
        cluster: 'dev',
        namespace: 'ci',
        pipeline: 'build',
        observed_at: new Date(),
      });
      const used = await as(OPS).delete(
        '/templates/Task/git-clone/versions/0.9',
      );
      expect(used.status).toBe(409);
      expect(used.body.error.message).toBe(
        'Task git-clone 0.9 is used by 1 pipeline(s); it can be deprecated, not deleted',
      );
      expect(
        (await as(PAYMENTS).get('/templates/Task/git-clone')).body.usage,
      ).toBe(1);

      const remove = (user: string, version: string) =>
        as(user).delete(`/templates/Task/git-clone/versions/${version}`);
      expect((await remove(PAYMENTS, '0.8')).status).toBe(403);
      expect((await remove(OPS, '0.8')).status).toBe(204);
      expect((await remove(PLATFORM, '1.0')).status).toBe(204);
      // The template shows its latest remaining version again.
      expect(
        (await as(PAYMENTS).get('/templates/Task/git-clone')).body
          .latestVersion,
      ).toBe('0.9');
      expect(auditEvents.map(e => `${e.eventId} ${e.status}`)).toEqual(
        expect.arrayContaining([
          'template-publish failed',
          'template-publish succeeded',
          'template-deprecate succeeded',
          'template-version-delete failed',
          'template-version-delete succeeded',
        ]),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'stars per user, and forks into a group the user may publish under, on %p',
    async databaseId => {
      const { as } = await withCatalog(databaseId);
      expect(
        (await as(PAYMENTS).put('/templates/Task/git-clone/star')).status,
      ).toBe(204);
      expect(
        (await as(PAYMENTS).put('/templates/Task/git-clone/star')).status,
      ).toBe(204);
      expect(
        (await as(PLATFORM).put('/templates/Task/golang-build/star')).status,
      ).toBe(204);
      const mine = await as(PAYMENTS).get('/templates?sort=stars');
      expect(
        mine.body.items
          .slice(0, 2)
          .map((i: any) => [i.name, i.stars, i.starred]),
      ).toEqual([
        ['git-clone', 1, true],
        ['golang-build', 1, false],
      ]);
      expect(
        (await as(PAYMENTS).get('/templates?starred=true')).body.items.map(
          (i: any) => i.name,
        ),
      ).toEqual(['git-clone']);
      expect(
        (await as(PAYMENTS).delete('/templates/Task/git-clone/star')).status,
      ).toBe(204);
      expect(
        (await as(PAYMENTS).get('/templates/Task/git-clone')).body.stars,
      ).toBe(0);

      const fork = (user: string, owner: string) =>
        as(user)
          .post('/templates/Task/git-clone/forks')
          .send({ owner, name: 'payments-git-clone', version: '0.9' });
      expect((await fork(PAYMENTS, 'group:default/platform')).status).toBe(403);
      const forked = await fork(PAYMENTS, 'group:default/team-payments');
      expect(forked.status).toBe(201);
      expect(forked.body.yaml).toContain('name: payments-git-clone');
      expect(forked.body.yaml).toMatch(/^# A clone of a git repository/);
      const detail = (
        await as(PAYMENTS).get('/templates/Task/payments-git-clone')
      ).body;
      expect(detail).toMatchObject({
        owner: 'group:default/team-payments',
        forkedFrom: { kind: 'Task', name: 'git-clone', version: '0.9' },
        latestVersion: '0.9',
      });
      expect((await fork(PAYMENTS, 'group:default/team-payments')).status).toBe(
        409,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'records usage per cluster, replacing what a cluster had, matching versions by semver and leaving out those the store lacks, on %p',
    async databaseId => {
      const { as, store } = await withCatalog(databaseId);
      const use = (pipeline: string, version: string, cluster = 'dev') => ({
        kind: 'Task' as const,
        name: 'git-clone',
        version,
        cluster,
        namespace: 'ci',
        pipeline,
      });
      await store.replaceUsage('dev', [
        use('build', '0.9'),
        { ...use('test', '0.8'), entityRef: 'component:default/shop' },
        use('old', '0.1'),
      ]);
      // A hub resolver ref spells the catalog's 0.9 as Artifact Hub does.
      await store.replaceUsage('prod', [use('build', '0.9.0', 'prod')]);
      await store.replaceUsage('dev', [use('build', '0.9')]);
      const usage = await as(PAYMENTS).get('/templates/Task/git-clone/usage');
      expect(
        usage.body.items.map(
          (u: any) => `${u.cluster}/${u.namespace}/${u.pipeline}@${u.version}`,
        ),
      ).toEqual(['dev/ci/build@0.9', 'prod/ci/build@0.9']);
      expect(
        (await as(PAYMENTS).get('/templates?search=git-clone')).body.items[0]
          .usage,
      ).toBe(2);
      expect(
        (await as(PLATFORM).delete('/templates/Task/git-clone/versions/0.9'))
          .status,
      ).toBe(409);
      expect(
        (await as(PLATFORM).delete('/templates/Task/git-clone/versions/0.8'))
          .status,
      ).toBe(204);
    },
  );
});
