import { StoreError } from './errors';
import { ObjectStore } from './objectStore';
import type { KubeObject, StoreEvent } from './types';

const cm = (
  namespace: string,
  name: string,
  data: Record<string, string> = {},
): KubeObject => ({
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { name, namespace },
  data,
});

describe('ObjectStore', () => {
  it('finds the objects a controller owns, as a list filtered by controller would', () => {
    const store = new ObjectStore();
    const owned = (name: string, uid?: string, controller = true) => ({
      ...cm('ns', name),
      metadata: {
        name,
        namespace: 'ns',
        ...(uid
          ? {
              ownerReferences: [
                {
                  apiVersion: 'batch/v1',
                  kind: 'Job',
                  name: 'j',
                  uid,
                  controller,
                },
              ],
            }
          : {}),
      },
    });
    const names = (uid: string) =>
      store.controlledBy('/configmaps', uid).map(o => o.metadata.name);
    store.create('/configmaps', 'ns/c', 'ns', owned('c', 'job-1'));
    store.create('/configmaps', 'ns/a', 'ns', owned('a', 'job-1'));
    store.create('/configmaps', 'ns/b', 'ns', owned('b', 'job-2'));
    store.create('/configmaps', 'ns/d', 'ns', owned('d', 'job-1', false));
    expect(names('job-1')).toEqual(['a', 'c']);
    // Adopted by another controller, released, deleted.
    store.update('/configmaps', 'ns/c', 'ns', owned('c', 'job-2'));
    expect([names('job-1'), names('job-2')]).toEqual([['a'], ['b', 'c']]);
    store.update('/configmaps', 'ns/b', 'ns', owned('b'));
    store.delete('/configmaps', 'ns/a', 'ns');
    expect([names('job-1'), names('job-2')]).toEqual([[], ['c']]);
    // A restored store has the index too.
    const restored = new ObjectStore();
    restored.restore(store.snapshot());
    expect(
      restored.controlledBy('/configmaps', 'job-2').map(o => o.metadata.name),
    ).toEqual(['c']);
  });

  it('versions every write from one counter and checks expected versions', () => {
    const store = new ObjectStore();
    const a = store.create('/configmaps', 'ns/a', 'ns', cm('ns', 'a'));
    const b = store.create('/secrets', 'ns/b', 'ns', cm('ns', 'b'));
    expect([a.metadata.resourceVersion, b.metadata.resourceVersion]).toEqual([
      '1',
      '2',
    ]);
    expect(() =>
      store.create('/configmaps', 'ns/a', 'ns', cm('ns', 'a')),
    ).toThrow(StoreError);
    expect(() =>
      store.update('/configmaps', 'ns/a', 'ns', cm('ns', 'a', { x: 'y' }), '7'),
    ).toThrow(expect.objectContaining({ code: 'Conflict' }));
    const updated = store.update(
      '/configmaps',
      'ns/a',
      'ns',
      cm('ns', 'a', { x: 'y' }),
      '1',
    );
    expect(updated.metadata.resourceVersion).toBe('3');
    const deleted = store.delete('/configmaps', 'ns/a', 'ns');
    expect(deleted.metadata.resourceVersion).toBe('4');
    expect(store.get('/configmaps', 'ns/a')).toBeUndefined();
  });

  it('lists in key order by namespace, pages, and serves past versions from history', () => {
    const store = new ObjectStore();
    for (const [ns, name] of [
      ['b', 'x'],
      ['a', 'z'],
      ['a', 'y'],
      ['c', 'w'],
    ]) {
      store.create('/configmaps', `${ns}/${name}`, ns, cm(ns, name));
    }
    const all = store.list('/configmaps');
    expect(
      all.items.map(o => `${o.metadata.namespace}/${o.metadata.name}`),
    ).toEqual(['a/y', 'a/z', 'b/x', 'c/w']);
    expect(
      store
        .list('/configmaps', { namespace: 'a' })
        .items.map(o => o.metadata.name),
    ).toEqual(['y', 'z']);

    const page = store.list('/configmaps', { limit: 3 });
    expect(page.lastKey).toBe('b/x');
    expect(page.remaining).toBe(1);
    const at = page.resourceVersion;
    store.delete('/configmaps', 'c/w', 'c');
    store.create('/configmaps', 'd/v', 'd', cm('d', 'v'));
    const rest = store.list('/configmaps', {
      startAfter: page.lastKey,
      atResourceVersion: at,
    });
    expect(rest.items.map(o => o.metadata.name)).toEqual(['w']);
    expect(rest.resourceVersion).toBe(at);
  });

  it('replays history to watchers and expires versions older than its window', () => {
    const store = new ObjectStore({ historyLimit: 3 });
    for (let i = 0; i < 5; i++)
      store.create('/configmaps', `ns/c${i}`, 'ns', cm('ns', `c${i}`));
    const events: StoreEvent[] = [];
    const handle = store.watch('/configmaps', { sinceResourceVersion: 3 }, e =>
      events.push(e),
    );
    expect(handle.initial.map(e => e.object.metadata.name)).toEqual([
      'c3',
      'c4',
    ]);
    store.delete('/configmaps', 'ns/c0', 'ns');
    expect(events.map(e => [e.type, e.object.metadata.name])).toEqual([
      ['DELETED', 'c0'],
    ]);
    handle.stop();
    expect(() =>
      store.watch('/configmaps', { sinceResourceVersion: 1 }, () => undefined),
    ).toThrow('too old resource version: 1 (3)');
  });

  it('starts an unversioned watch with the current objects', () => {
    const store = new ObjectStore();
    store.create('/configmaps', 'a/x', 'a', cm('a', 'x'));
    store.create('/configmaps', 'b/y', 'b', cm('b', 'y'));
    const handle = store.watch(
      '/configmaps',
      { namespace: 'b' },
      () => undefined,
    );
    expect(handle.initial.map(e => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'y'],
    ]);
  });

  it('delivers events written by listeners after the current one, in order', () => {
    const store = new ObjectStore();
    const seen: string[] = [];
    store.watch('/configmaps', {}, e => {
      seen.push(`first:${e.object.metadata.name}`);
      if (e.object.metadata.name === 'a')
        store.create('/configmaps', 'ns/b', 'ns', cm('ns', 'b'));
    });
    store.watch('/configmaps', {}, e =>
      seen.push(`second:${e.object.metadata.name}`),
    );
    store.create('/configmaps', 'ns/a', 'ns', cm('ns', 'a'));
    expect(seen).toEqual(['first:a', 'second:a', 'first:b', 'second:b']);
  });

  it('restores a snapshot without history before it', () => {
    const store = new ObjectStore();
    store.create('/configmaps', 'ns/a', 'ns', cm('ns', 'a'));
    const restored = new ObjectStore();
    restored.restore(JSON.parse(JSON.stringify(store.snapshot())));
    expect(restored.get('/configmaps', 'ns/a')?.metadata.resourceVersion).toBe(
      '1',
    );
    expect(
      restored.create('/configmaps', 'ns/b', 'ns', cm('ns', 'b')).metadata
        .resourceVersion,
    ).toBe('2');
    expect(() =>
      restored.watch(
        '/configmaps',
        { sinceResourceVersion: 0 },
        () => undefined,
      ),
    ).toThrow(StoreError);
  });
});

describe('ObjectStore key order', () => {
  it('lists in key order after creates and deletes in any order (the sorted keys are kept up to date)', () => {
    const store = new ObjectStore();
    const live = new Set<string>();
    // A deterministic pseudo-random sequence of creates and deletes in two namespaces.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let i = 0; i < 600; i++) {
      const ns = next() % 2 ? 'a' : 'b';
      const name = `p${next() % 150}`;
      const key = `${ns}/${name}`;
      if (live.has(key)) {
        store.delete('/pods', key, ns);
        live.delete(key);
      } else {
        store.create('/pods', key, ns, cm(ns, name));
        live.add(key);
      }
      if (i % 50 === 0) {
        // Lists in between make the store keep its sorted key arrays.
        store.list('/pods');
        store.list('/pods', { namespace: 'a' });
      }
    }
    const sorted = [...live].sort();
    expect(store.list('/pods').items.map(o => objectKeyOf(o))).toEqual(sorted);
    expect(
      store.list('/pods', { namespace: 'a' }).items.map(o => objectKeyOf(o)),
    ).toEqual(sorted.filter(k => k.startsWith('a/')));
    const page = store.list('/pods', { limit: 10 });
    expect(page.remaining).toBe(sorted.length - 10);
    expect(page.lastKey).toBe(sorted[9]);
  });
});

function objectKeyOf(object: KubeObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}
