import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { ClusterWatches } from '@cairn/plugin-kubernetes-node';
import { component, waitFor } from '@cairn/plugin-kubernetes-node/testUtils';
import { ROLLOUTS_SIGNAL_CHANNEL } from '@cairn/plugin-rollouts-common';
import { StoneEvents } from './StoneEvents';
import type { CachedStone } from './stoneResources';

/*
 * StoneEvents over watches that the test feeds by hand, and a catalog whose
 * entities the test changes: which Stone changes become signals, and for
 * which entity. (The watches and the whole backend on the dev cluster are
 * tested in stones.test.ts.)
 */

jest.setTimeout(30_000);

type Listener = (event: { type: string; object: any }) => void;

/** The caches StoneEvents reads: Stones by namespace/name, and listeners of any kind. */
function fakeWatches() {
  const stones = new Map<string, CachedStone>();
  const listeners: Listener[] = [];
  const cache = (plural: string) => ({
    subscribe: (listener: Listener) => {
      if (plural === 'stones') listeners.push(listener);
      return () => {};
    },
    get: (namespace: string, name: string) =>
      plural === 'stones' ? stones.get(`${namespace}/${name}`) : undefined,
    indexLabel: () => {},
  });
  const watches = {
    clusterNames: () => ['dev'],
    cache: (_cluster: string, resource: { plural: string }) =>
      cache(resource.plural),
  } as unknown as ClusterWatches;
  /** The Stone as a watch event brings it. */
  const change = (stone: CachedStone) => {
    stones.set(`${stone.metadata.namespace}/${stone.metadata.name}`, stone);
    listeners.forEach(l => l({ type: 'MODIFIED', object: stone }));
  };
  return { watches, change };
}

const stone = (generation: number): CachedStone =>
  ({
    apiVersion: 'rollouts.cairn.dev/v1alpha1',
    kind: 'Stone',
    metadata: {
      name: 'checkout',
      namespace: 'shop',
      generation,
      labels: { 'backstage.io/kubernetes-id': 'checkout' },
    },
    spec: { strategy: 'Alpha', template: {}, coordinates: [] },
  } as unknown as CachedStone);

function start(entities: Entity[], unknownEntityRefreshMs: number) {
  const { watches, change } = fakeWatches();
  const reads: number[] = [];
  const catalog = {
    getEntities: async () => {
      reads.push(Date.now());
      return { items: [...entities] };
    },
  } as unknown as CatalogService;
  const published: any[] = [];
  const events = new StoneEvents({
    watches,
    catalog,
    auth: mockServices.auth(),
    signals: { publish: async (signal: any) => void published.push(signal) },
    notifications: { send: async () => {} } as any,
    logger: mockServices.logger.mock(),
    opsGroups: ['group:default/ops'],
    throttleMs: 10,
    unknownEntityRefreshMs,
  });
  events.start();
  return { events, change, reads, published };
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('StoneEvents', () => {
  it('signals a Stone of an entity the catalog took in after the entities were read, at its next change', async () => {
    const entities: Entity[] = [];
    const { events, change, reads, published } = start(entities, 50);
    try {
      // The portal starts: the Stone changes before the catalog has its entity.
      change(stone(1));
      await waitFor(
        async () => reads.length,
        n => n === 1,
        'the entities to be read',
        10_000,
      );
      await sleep(30);
      expect(published).toEqual([]);

      // The catalog takes the entity in; the Stone's next change is signalled
      // for it, not after the minute-long refresh.
      entities.push(
        component('checkout', { 'backstage.io/kubernetes-id': 'checkout' }),
      );
      await sleep(60);
      change(stone(2));
      await waitFor(
        async () => published,
        p => p.length === 1,
        'the signal of the change',
        10_000,
      );
      expect(published[0]).toEqual({
        recipients: { type: 'broadcast' },
        channel: ROLLOUTS_SIGNAL_CHANNEL,
        message: {
          cluster: 'dev',
          namespace: 'shop',
          name: 'checkout',
          entityRef: 'component:default/checkout',
        },
      });
    } finally {
      events.stop();
    }
  });

  it('reads the entities again for a Stone of none of them only once they are older than the setting', async () => {
    const { events, change, reads, published } = start([], 60_000);
    try {
      change(stone(1));
      await waitFor(
        async () => reads.length,
        n => n === 1,
        'the first read',
      );
      for (let generation = 2; generation < 5; generation++) {
        change(stone(generation));
        await sleep(30);
      }
      expect(reads).toHaveLength(1);
      expect(published).toEqual([]);
    } finally {
      events.stop();
    }
  });
});
