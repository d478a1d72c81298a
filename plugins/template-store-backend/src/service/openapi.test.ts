import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogCopy, filesOf, tarGz } from '../__testUtils__/archives';
import { conformsTo } from '../__testUtils__/conformance';
import { startTestRouter } from '../__testUtils__/testRouter';
import { testOpenApiDocument } from '@cairn/backend-openapi/testUtils';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';
import { DEFAULT_LIMITS } from '../import/limits';
import { createRouter } from './router';

jest.setTimeout(60_000);

type Json = Record<string, any>;

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  testOpenApiDocument({
    document: doc,
    router: () => createRouter({ limits: DEFAULT_LIMITS } as any),
  });

  it('takes parameters and bodies from the request schemas', () => {
    const list = doc.paths['/templates'].get;
    expect(list.parameters.map((p: Json) => p.name)).toEqual([
      'search',
      'kind',
      'category',
      'tag',
      'platform',
      'owner',
      'starred',
      'sort',
      'page',
    ]);
    expect(
      list.parameters.find((p: Json) => p.name === 'kind').schema.enum,
    ).toEqual(['Task', 'Pipeline', 'StepAction']);
    const publish =
      doc.paths['/templates'].post.requestBody.content['application/json']
        .schema;
    expect(publish.required).toEqual(['owner', 'version', 'yaml']);
    expect(publish.additionalProperties).toBe(false);
    expect(Object.keys(doc.paths['/imports'].post.requestBody.content)).toEqual(
      ['application/gzip', 'multipart/form-data'],
    );
  });

  describe('describes the responses as the server sends them', () => {
    const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

    it('on every operation with a body, and errors', async () => {
      const { as } = await startTestRouter(await databases.init('SQLITE_3'));
      const ops = 'user:default/olga';
      const imported = await as(ops)
        .post('/imports')
        .set('Content-Type', 'application/gzip')
        .send(tarGz(filesOf(catalogCopy())));
      const calls: Record<string, () => Promise<any>> = {
        listTemplates: () => as(ops).get('/templates'),
        facets: () => as(ops).get('/facets'),
        publish: () =>
          as(ops).post('/templates').send({
            owner: 'group:default/ops',
            version: '0.1',
            yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: x}\nspec: {steps: [{name: a, image: alpine}]}\n',
          }),
        getTemplate: () => as(ops).get('/templates/Task/git-clone'),
        getVersion: () => as(ops).get('/templates/Task/git-clone/versions/0.9'),
        diff: () =>
          as(ops).get('/templates/Task/git-clone/diff?from=0.8&to=0.9'),
        fork: () =>
          as(ops)
            .post('/templates/Task/git-clone/forks')
            .send({ owner: 'ops', name: 'y', version: '0.9' }),
        importArchive: async () => imported,
        getImport: () => as(ops).get(`/imports/${imported.body.id}`),
        listUsage: () => as(ops).get('/templates/Task/git-clone/usage'),
      };
      // Installs need a cluster: install.test.ts checks their responses.
      const elsewhere = ['installTargets', 'install', 'clusterTemplate'];
      for (const [id, operation] of Object.entries<Json>(API_OPERATIONS)) {
        if (!operation.success.schema || elsewhere.includes(id)) continue;
        const response = await calls[id]();
        expect({ id, status: response.status }).toEqual({
          id,
          status: operation.success.status,
        });
        expect({
          id,
          errors: conformsTo(operation.success.schema, response.body),
        }).toEqual({ id, errors: [] });
      }
      const error = await as(ops).get('/templates/Task/nope');
      expect(
        conformsTo({ $ref: '#/components/schemas/Error' }, error.body),
      ).toEqual([]);
    });
  });
});
