import { DatabaseService } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { EnvironmentRequest } from '@cairn/plugin-environments-common';
import { RequestStore } from './RequestStore';

jest.setTimeout(60_000);

const quota: EnvironmentRequest = {
  id: '0b8e9c51-1f6e-4d4b-9f39-5d7a1b2c3d40',
  kind: 'quota',
  cluster: 'dev',
  environment: 'storefront',
  namespace: 'storefront',
  group: 'group:default/team-storefront',
  quota: { pods: '20', 'requests.cpu': '4' },
  reason: 'the spring sale',
  requestedBy: 'user:default/sam',
  requestedAt: '2026-12-07T10:00:00.000Z',
  state: 'pending',
};

const fresh: EnvironmentRequest = {
  id: '5f1d2c3b-4a59-4c8e-8d7f-6e5a4b3c2d10',
  kind: 'environment',
  cluster: 'dev',
  environment: 'checkout-qa',
  namespace: 'checkout-qa',
  group: 'group:default/team-b',
  spec: {
    namespace: 'checkout-qa',
    owner: 'group:default/team-b',
    placement: { zones: ['local-1a'] },
    storageClasses: [],
    quota: { pods: '5' },
  },
  reason: 'QA',
  requestedBy: 'user:default/bob',
  requestedAt: '2026-12-07T11:00:00.000Z',
  state: 'pending',
};

describe('RequestStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database: DatabaseService = mockServices.database({ knex });
    return RequestStore.create(database);
  }

  it.each(databases.eachSupportedId())(
    'keeps requests as asked, lists them newest first by group and state, on %p',
    async databaseId => {
      const store = await createStore(databaseId);
      await store.add(quota);
      await store.add(fresh);
      expect(await store.get(quota.id)).toStrictEqual(quota);
      expect(await store.get(fresh.id)).toStrictEqual(fresh);
      expect((await store.list()).map(r => r.id)).toEqual([fresh.id, quota.id]);
      expect(
        (await store.list({ groups: ['group:default/team-storefront'] })).map(
          r => r.id,
        ),
      ).toEqual([quota.id]);
      expect(await store.list({ groups: [] })).toEqual([]);
      expect(await store.pendingFor(quota)).toEqual(quota);
      expect(
        await store.pendingFor({ ...quota, environment: 'other' }),
      ).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'records one decision per request, and errors only while pending, on %p',
    async databaseId => {
      const store = await createStore(databaseId);
      await store.add(quota);
      await store.setError(quota.id, 'the cluster refused');
      expect((await store.get(quota.id))!.error).toBe('the cluster refused');
      const decision = {
        state: 'approved' as const,
        decidedBy: 'user:default/olga',
        decidedAt: new Date('2026-12-07T12:00:00Z'),
        comment: 'ok for the sale',
      };
      expect(await store.decide(quota.id, decision)).toBe(true);
      // A second decision (a double click, another ops) changes nothing.
      expect(
        await store.decide(quota.id, { ...decision, state: 'rejected' }),
      ).toBe(false);
      await store.setError(quota.id, 'late');
      expect(await store.get(quota.id)).toStrictEqual({
        ...quota,
        state: 'approved',
        decidedBy: 'user:default/olga',
        decidedAt: '2026-12-07T12:00:00.000Z',
        comment: 'ok for the sale',
      });
      expect(await store.list({ state: 'pending' })).toEqual([]);
      expect(await store.pendingFor(quota)).toBeUndefined();
    },
  );
});
