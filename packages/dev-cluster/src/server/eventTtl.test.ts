import { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { DEFAULT_EVENT_TTL_MS, EventTtlController } from './eventTtl';

const event = (name: string, message = 'm'): KubeObject => ({
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name, namespace: 'ns' },
  message,
});

describe('EventTtlController', () => {
  it('deletes each Event the TTL after its last write, as --event-ttl does', () => {
    let now = 1_000;
    const store = new ObjectStore();
    const ttl = new EventTtlController(store, { ttlMs: 100, now: () => now });
    ttl.start();
    const seen: StoreEvent[] = [];
    store.watch('/events', {}, e => seen.push(e));
    store.create('/events', 'ns/a', 'ns', event('a'));
    now = 1_050;
    store.create('/events', 'ns/b', 'ns', event('b'));
    now = 1_090;
    // An update renews a's lease.
    store.update('/events', 'ns/a', 'ns', event('a', 'again'));
    now = 1_100;
    expect(ttl.expire()).toBe(0);
    now = 1_150;
    expect(ttl.expire()).toBe(1);
    expect(store.get('/events', 'ns/b')).toBeUndefined();
    expect(store.get('/events', 'ns/a')).toBeDefined();
    now = 1_190;
    expect(ttl.expire()).toBe(1);
    expect(store.count('/events')).toBe(0);
    expect(seen.map(e => `${e.type} ${e.key}`)).toEqual([
      'ADDED ns/a',
      'ADDED ns/b',
      'MODIFIED ns/a',
      'DELETED ns/b',
      'DELETED ns/a',
    ]);
    ttl.stop();
  });

  it('gives Events already stored a full TTL and leaves other resources alone', () => {
    let now = 0;
    const store = new ObjectStore();
    store.create('/events', 'ns/old', 'ns', event('old'));
    store.create('/configmaps', 'ns/c', 'ns', event('c'));
    const ttl = new EventTtlController(store, { now: () => now });
    ttl.start();
    now = DEFAULT_EVENT_TTL_MS - 1;
    expect(ttl.expire()).toBe(0);
    now = DEFAULT_EVENT_TTL_MS;
    expect(ttl.expire()).toBe(1);
    expect(store.count('/events')).toBe(0);
    expect(store.count('/configmaps')).toBe(1);
    ttl.stop();
  });

  it('expires Events on its own timer', async () => {
    const store = new ObjectStore();
    const ttl = new EventTtlController(store, { ttlMs: 20 });
    ttl.start();
    store.create('/events', 'ns/a', 'ns', event('a'));
    for (let i = 0; i < 100 && store.count('/events') > 0; i++)
      await new Promise(resolve => setTimeout(resolve, 10));
    expect(store.count('/events')).toBe(0);
    ttl.stop();
  });
});
