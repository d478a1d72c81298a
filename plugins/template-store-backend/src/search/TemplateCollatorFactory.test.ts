import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AddressInfo } from 'node:net';
import { catalogCopy, filesOf, tarGz } from '../__testUtils__/archives';
import { startTestRouter } from '../__testUtils__/testRouter';
import {
  TemplateDocument,
  TemplateCollatorFactory,
} from './TemplateCollatorFactory';

jest.setTimeout(60_000);

describe('TemplateCollatorFactory', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('reads every template from the store’s API as the search backend’s service', async () => {
    const { app, as } = await startTestRouter(await databases.init('SQLITE_3'));
    await as('user:default/olga')
      .post('/imports')
      .set('Content-Type', 'application/gzip')
      .send(tarGz(filesOf(catalogCopy())));
    // More templates than one page of the API holds.
    for (let i = 0; i < 30; i++) {
      const published = await as('user:default/olga')
        .post('/templates')
        .send({
          owner: 'group:default/ops',
          version: '0.1',
          yaml: `apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: extra-${String(
            i,
          ).padStart(2, '0')}\nspec:\n  steps: [{name: a, image: alpine}]\n`,
        });
      expect(published.status).toBe(201);
    }
    const server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const factory = new TemplateCollatorFactory({
        discovery: mockServices.discovery.mock({
          getBaseUrl: async () => `http://localhost:${port}`,
        }),
        auth: mockServices.auth({ pluginId: 'search' }),
      });
      const documents: TemplateDocument[] = [];
      for await (const document of await factory.getCollator()) {
        documents.push(document);
      }
      // The fixture's 5 templates (task/big fits the default cap) and the 30 published.
      expect(new Set(documents.map(d => d.location)).size).toBe(35);
      expect(documents).toHaveLength(35);
      expect(documents.find(d => d.name === 'git-clone')).toEqual({
        title: 'git clone',
        text: 'Clones a git repository into the output workspace. git Git',
        location: '/templates/Task/git-clone',
        kind: 'Task',
        name: 'git-clone',
        owner: 'group:default/ops',
        latestVersion: '0.9',
        tags: ['git'],
        categories: ['Git'],
      });
      expect(factory.visibilityPermission.name).toBe('templates.read');
    } finally {
      server.close();
    }
  });
});
