import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { join } from 'node:path';
import request from 'supertest';
import { templateStorePlugin } from './plugin';

jest.setTimeout(60_000);

const DEMO = join(__dirname, '../../../examples/template-store');

describe('the template store plugin in a backend', () => {
  it('imports its configured sources on schedule and serves them, with its permissions registered', async () => {
    const { server } = await startTestBackend({
      features: [
        templateStorePlugin,
        mockServices.rootConfig.factory({
          data: {
            templateStore: {
              sources: [
                {
                  id: 'demo',
                  type: 'directory',
                  target: DEMO,
                  owner: 'group:default/platform',
                },
              ],
            },
          },
        }),
        // Runs the scheduled import (it has an initial delay) as the backend starts.
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
      ],
    });
    const list = await request(server)
      .get('/api/template-store/templates')
      .set('Authorization', mockCredentials.user.header());
    expect(list.status).toBe(200);
    expect(
      list.body.items.map(
        (t: any) => `${t.name}@${t.latestVersion} ${t.owner}`,
      ),
    ).toEqual([
      'buildah@0.1 group:default/platform',
      'git-clone@0.2 group:default/platform',
      'golang-test@0.1 group:default/platform',
      'kubectl-apply@0.1 group:default/platform',
    ]);

    const metadata = await request(server).get(
      '/api/template-store/.well-known/backstage/permissions/metadata',
    );
    expect(metadata.body.permissions.map((p: any) => p.name).sort()).toEqual([
      'templates.delete',
      'templates.import',
      'templates.install',
      'templates.publish',
      'templates.read',
    ]);
    expect(metadata.body.rules).toEqual([
      expect.objectContaining({
        name: 'IS_TEMPLATE_OWNER',
        resourceType: 'template-store-template',
      }),
    ]);
    const openapi = await request(server).get(
      '/api/template-store/openapi.json',
    );
    expect(openapi.body.info.title).toBe('template-store');
  });
});
