import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DeliveryStore } from './DeliveryStore';

jest.setTimeout(60_000);

const delivery = (id: string, receivedAt: Date) => ({
  id: `github:${id}`,
  provider: 'github' as const,
  deliveryId: id,
  event: 'push',
  receivedAt,
  signatureOk: true,
  headers: { 'x-github-delivery': id, 'x-github-event': 'push' },
  payload: '{"ref":"refs/heads/main"}',
});

describe('DeliveryStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: any) {
    const knex = await databases.init(databaseId);
    return DeliveryStore.create(mockServices.database({ knex }));
  }

  it.each(databases.eachSupportedId())(
    'stores a delivery once and counts its replays as duplicates on %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const first = delivery('d-1', new Date('2026-12-07T10:00:00Z'));
      expect(await store.insert(first)).toBe(true);
      expect(
        await store.insert({ ...first, receivedAt: new Date(), payload: '{}' }),
      ).toBe(false);
      expect(await store.insert(first)).toBe(false);
      const stored = await store.get('github:d-1');
      expect(stored).toMatchObject({
        provider: 'github',
        deliveryId: 'd-1',
        outcome: 'pending',
        processed: false,
        duplicates: 2,
        payload: '{"ref":"refs/heads/main"}',
        headers: first.headers,
      });
      // The replay did not replace what was received first.
      expect(stored!.receivedAt.toISOString()).toBe('2026-12-07T10:00:00.000Z');
    },
  );

  it.each(databases.eachSupportedId())(
    'lists the unprocessed, records outcomes, lists newest first and expires processed ones on %p',
    async databaseId => {
      const store = await createStore(databaseId);
      await store.insert(delivery('old', new Date('2026-12-01T00:00:00Z')));
      await store.insert(delivery('new', new Date('2026-12-07T00:00:00Z')));
      await store.insert(delivery('stuck', new Date('2026-11-01T00:00:00Z')));
      expect((await store.unprocessed()).map(d => d.deliveryId)).toEqual([
        'stuck',
        'old',
        'new',
      ]);
      const run = {
        cluster: 'dev',
        namespace: 'ci',
        name: 'build-x1',
        pipeline: 'build',
      };
      await store.finish('github:old', {
        outcome: 'runs-created',
        repository: 'https://github.com/acme/shop',
        ref: 'refs/heads/main',
        runs: [run],
        matches: [
          {
            cluster: 'dev',
            namespace: 'ci',
            pipeline: 'build',
            matched: true,
          },
        ],
      });
      await store.finish('github:new', {
        outcome: 'no-match',
        reason: 'no Pipeline declares it',
      });
      expect((await store.unprocessed()).map(d => d.deliveryId)).toEqual([
        'stuck',
      ]);
      const listed = await store.list({ limit: 10 });
      expect(listed.map(d => [d.deliveryId, d.outcome])).toEqual([
        ['new', 'no-match'],
        ['old', 'runs-created'],
        ['stuck', 'pending'],
      ]);
      expect(listed[1].runs).toEqual([run]);
      expect(
        (await store.list({ limit: 10, outcome: 'no-match' })).map(
          d => d.deliveryId,
        ),
      ).toEqual(['new']);
      // An entity's deliveries: those that met its Pipelines, by label.
      await store.insert(delivery('other', new Date('2026-12-06T00:00:00Z')));
      await store.finish('github:other', {
        outcome: 'no-match',
        matches: [
          {
            cluster: 'dev',
            namespace: 'ci',
            pipeline: 'build',
            kubernetesId: 'shop_x',
            matched: false,
            reason: 'master is not one of main',
          },
        ],
      });
      await store.finish('github:old', {
        outcome: 'runs-created',
        runs: [run],
        matches: [
          {
            cluster: 'dev',
            namespace: 'ci',
            pipeline: 'build',
            kubernetesId: 'shop',
            matched: true,
          },
        ],
      });
      const ofEntity = async (kubernetesId: string) =>
        (await store.list({ limit: 10, kubernetesId })).map(d => d.deliveryId);
      expect(await ofEntity('shop')).toEqual(['old']);
      expect(await ofEntity('shop_x')).toEqual(['other']);
      // `_` is not a wildcard: shopAx names no Pipeline.
      expect(await ofEntity('shopAx')).toEqual([]);
      expect(await ofEntity('sho')).toEqual([]);
      // Retention keeps unprocessed deliveries, whatever their age.
      expect(await store.expireBefore(new Date('2026-12-05T00:00:00Z'))).toBe(
        1,
      );
      expect((await store.list({ limit: 10 })).map(d => d.deliveryId)).toEqual([
        'new',
        'other',
        'stuck',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'stores deliveries arriving together in shared writes: each once, replays among them counted, outcomes recorded together on %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const at = new Date('2026-12-07T12:00:00Z');
      const ids = Array.from({ length: 250 }, (_, i) => `c-${i}`);
      // c-0 twice and c-1 three times within the same burst.
      const sent = [...ids, 'c-0', 'c-1', 'c-1'];
      const stored = await Promise.all(
        sent.map(id => store.insert(delivery(id, at))),
      );
      expect(stored.filter(Boolean)).toHaveLength(250);
      expect(stored.slice(250)).toEqual([false, false, false]);
      expect((await store.get('github:c-0'))!.duplicates).toBe(1);
      expect((await store.get('github:c-1'))!.duplicates).toBe(2);
      expect((await store.get('github:c-2'))!.duplicates).toBe(0);

      const match = {
        cluster: 'dev',
        namespace: 'ci',
        pipeline: 'build',
        kubernetesId: 'shop',
        matched: false,
        reason: "o'clock is not one of main",
      };
      await Promise.all(
        ids.map((id, i) =>
          store.finish(`github:${id}`, {
            outcome: 'no-match',
            reason: i % 2 ? `reason ${i}` : undefined,
            event: i === 3 ? 'push-renamed' : undefined,
            repository: 'https://github.com/acme/shop',
            ref: `refs/heads/b-${i}`,
            matches: [match],
          }),
        ),
      );
      expect(await store.unprocessed()).toEqual([]);
      const all = await store.list({ limit: 300, kubernetesId: 'shop' });
      expect(all).toHaveLength(250);
      const byId = new Map(all.map(d => [d.deliveryId, d]));
      expect(byId.get('c-7')).toMatchObject({
        outcome: 'no-match',
        reason: 'reason 7',
        event: 'push',
        ref: 'refs/heads/b-7',
        matches: [match],
        runs: [],
        processed: true,
      });
      expect(byId.get('c-8')!.reason).toBeUndefined();
      expect(byId.get('c-3')!.event).toBe('push-renamed');
      // The received time is kept as stored.
      expect(byId.get('c-7')!.receivedAt.toISOString()).toBe(
        '2026-12-07T12:00:00.000Z',
      );
    },
  );
});
