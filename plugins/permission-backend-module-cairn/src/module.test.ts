import { resolve as resolvePath } from 'node:path';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import { permissionModuleCairnPolicy } from './module';

jest.setTimeout(120_000);

const examples = resolvePath(__dirname, '../../../examples');

// A static external-access token the test reads the catalog with.
const catalogReaderToken = 'cairn-test-catalog-reader';

type Server = Awaited<ReturnType<typeof startTestBackend>>['server'];

/**
 * The policy inside a real portal backend on each database: the user signs in
 * (their groups resolved from the demo catalog stored in that database), and
 * conditional decisions are resolved by the catalog against the stored
 * entities' owners. Only the configuration is made up for the test.
 */
describe('Cairn policy in a portal backend', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function startPortalBackend(databaseId: TestDatabaseId, user: string) {
    // Each plugin gets a database of its own, as in a real deployment: a
    // schema per plugin in the test's PostgreSQL database, or its own
    // in-memory SQLite database.
    const knex = await databases.init(databaseId);
    const database = databaseId.startsWith('POSTGRES')
      ? {
          client: 'pg',
          connection: knex.client.config.connection,
          pluginDivisionMode: 'schema',
        }
      : { client: 'better-sqlite3', connection: ':memory:' };
    const { server } = await startTestBackend({
      features: [
        authPlugin,
        guestProviderModule,
        catalogPlugin,
        permissionPlugin,
        permissionModuleCairnPolicy,
        authServiceFactory,
        httpAuthServiceFactory,
        userInfoServiceFactory,
        mockServices.database.factory(),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              database,
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: catalogReaderToken, subject: 'test' },
                  },
                ],
              },
            },
            auth: {
              providers: {
                guest: {
                  userEntityRef: user,
                  dangerouslyAllowOutsideDevelopment: true,
                },
              },
            },
            permission: { enabled: true },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'Resource',
                    'Domain',
                    'Location',
                  ],
                },
              ],
              locations: [
                { type: 'file', target: `${examples}/entities.yaml` },
                {
                  type: 'file',
                  target: `${examples}/org.yaml`,
                  rules: [{ allow: ['User', 'Group'] }],
                },
              ],
              processingInterval: { seconds: 1 },
            },
          },
        }),
      ],
    });
    return server;
  }

  /** Waits until the catalog has stored and stitched the given entity. */
  async function waitForEntity(
    server: Server,
    path: string,
    isReady: (entity: any) => boolean = () => true,
  ) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(server)
        .get(`/api/catalog/entities/by-name/${path}`)
        .set('Authorization', `Bearer ${catalogReaderToken}`);
      if (res.status === 200 && isReady(res.body)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `catalog never served ${path}: ${res.status} ${JSON.stringify(
            res.body,
          )}`,
        );
      }
      await new Promise(r => setTimeout(r, 200));
    }
  }

  async function waitForDemoCatalog(server: Server, user: string) {
    await waitForEntity(server, 'component/default/payments-api');
    await waitForEntity(server, 'component/default/storefront-web');
    // Sign-in reads the user's groups from its memberOf relations.
    await waitForEntity(server, user.replace(':', '/'), entity =>
      (entity.relations ?? []).some((r: any) => r.type === 'memberOf'),
    );
  }

  async function signIn(server: Server): Promise<string> {
    const res = await request(server)
      .post('/api/auth/guest/refresh')
      .set('X-Requested-With', 'XMLHttpRequest');
    expect(res.status).toBe(200);
    return res.body.backstageIdentity.token;
  }

  async function mayDelete(server: Server, token: string, entityRef: string) {
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', `Bearer ${token}`)
      .send({
        items: [
          {
            id: '1',
            permission: catalogEntityDeletePermission,
            resourceRef: entityRef,
          },
        ],
      });
    expect(res.status).toBe(200);
    return res.body.items[0].result;
  }

  it.each(databases.eachSupportedId())(
    'lets a developer change only what their team owns (%s)',
    async databaseId => {
      const server = await startPortalBackend(databaseId, 'user:default/bob');
      await waitForDemoCatalog(server, 'user:default/bob');
      const bob = await signIn(server);

      // bob is in team-payments, which owns payments-api, not storefront-web.
      expect(
        await mayDelete(server, bob, 'component:default/payments-api'),
      ).toBe(AuthorizeResult.ALLOW);
      expect(
        await mayDelete(server, bob, 'component:default/storefront-web'),
      ).toBe(AuthorizeResult.DENY);
    },
  );

  it.each(databases.eachSupportedId())(
    'lets an ops member change anything (%s)',
    async databaseId => {
      const server = await startPortalBackend(databaseId, 'user:default/alice');
      await waitForDemoCatalog(server, 'user:default/alice');
      const alice = await signIn(server);

      expect(
        await mayDelete(server, alice, 'component:default/storefront-web'),
      ).toBe(AuthorizeResult.ALLOW);
    },
  );
});
