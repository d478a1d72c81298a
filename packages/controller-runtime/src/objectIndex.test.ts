import {
  byLabel,
  byNamespace,
  byOwner,
  ObjectIndex,
  objectKey,
  ownerIndexValue,
  splitObjectKey,
} from './objectIndex';

type Labelled = {
  metadata: {
    namespace: string;
    name: string;
    labels?: Record<string, string>;
  };
};

const byRun = () =>
  new ObjectIndex<Labelled>(o =>
    o.metadata.labels?.run
      ? [`${o.metadata.namespace}/${o.metadata.labels.run}`]
      : [],
  );

const object = (
  namespace: string,
  name: string,
  run?: string,
  extra: Record<string, string> = {},
): Labelled => ({
  metadata: {
    namespace,
    name,
    labels: { ...(run ? { run } : {}), ...extra },
  },
});

const names = (objects: Labelled[]) => objects.map(o => o.metadata.name).sort();

describe('ObjectIndex', () => {
  it('finds the objects that share an index value, per namespace', () => {
    const index = byRun();
    index.upsert(object('a', 'r1-build', 'r1'));
    index.upsert(object('a', 'r1-test', 'r1'));
    index.upsert(object('a', 'r2-build', 'r2'));
    index.upsert(object('b', 'r1-build', 'r1'));
    index.upsert(object('a', 'unowned'));
    expect(names(index.get('a/r1'))).toEqual(['r1-build', 'r1-test']);
    expect(names(index.get('a/r2'))).toEqual(['r2-build']);
    expect(names(index.get('b/r1'))).toEqual(['r1-build']);
    expect(index.get('a/r3')).toEqual([]);
  });

  it('holds the latest version of an updated object', () => {
    const index = byRun();
    index.upsert(object('a', 'r1-build', 'r1'));
    const updated = object('a', 'r1-build', 'r1', { phase: 'done' });
    index.upsert(updated);
    expect(index.get('a/r1')).toEqual([updated]);
  });

  it('moves an object whose index value changed', () => {
    const index = byRun();
    index.upsert(object('a', 'x', 'r1'));
    index.upsert(object('a', 'x', 'r2'));
    expect(index.get('a/r1')).toEqual([]);
    expect(names(index.get('a/r2'))).toEqual(['x']);
    index.upsert(object('a', 'x'));
    expect(index.get('a/r2')).toEqual([]);
  });

  it('forgets deleted objects, and ignores deletes of objects it never held', () => {
    const index = byRun();
    index.upsert(object('a', 'r1-build', 'r1'));
    index.upsert(object('a', 'r1-test', 'r1'));
    index.remove(object('a', 'r1-build', 'r1'));
    index.remove(object('a', 'never-seen', 'r1'));
    expect(names(index.get('a/r1'))).toEqual(['r1-test']);
    index.remove(object('a', 'r1-test', 'r1'));
    expect(index.get('a/r1')).toEqual([]);
  });

  it('indexes an object under every value the function gives', () => {
    const index = new ObjectIndex<Labelled>(o =>
      Object.values(o.metadata.labels ?? {}),
    );
    const both = object('a', 'x', 'r1', { other: 'r2' });
    index.upsert(both);
    expect(index.get('r1')).toEqual([both]);
    expect(index.get('r2')).toEqual([both]);
    index.remove(both);
    expect(index.get('r1')).toEqual([]);
    expect(index.get('r2')).toEqual([]);
  });
});

describe('index functions', () => {
  const pod = {
    metadata: {
      namespace: 'shop',
      name: 'web-a-0',
      labels: { 'rollouts.cairn.dev/group': 'a' },
      ownerReferences: [
        { kind: 'Stone', name: 'web', uid: '1' },
        { kind: 'ReplicaSet', name: 'rs', uid: '2' },
      ],
    },
  };

  it('index by namespace, by label per namespace and by owner', () => {
    expect(byNamespace(pod)).toEqual(['shop']);
    expect(byLabel('rollouts.cairn.dev/group')(pod)).toEqual(['shop/a']);
    expect(byLabel('missing')(pod)).toEqual([]);
    expect(byOwner()(pod)).toEqual([
      ownerIndexValue('Stone', 'shop', 'web'),
      ownerIndexValue('ReplicaSet', 'shop', 'rs'),
    ]);
    expect(byOwner('Stone')(pod)).toEqual(['Stone/shop/web']);
    expect(byNamespace({ metadata: { name: 'node-1' } })).toEqual([]);
  });

  it('key objects as client-go does, and split the keys again', () => {
    expect(objectKey(pod)).toBe('shop/web-a-0');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitObjectKey('shop/web-a-0')).toEqual({
      namespace: 'shop',
      name: 'web-a-0',
    });
    expect(splitObjectKey('node-1')).toEqual({ name: 'node-1' });
  });

  it('find the objects of an owner through an ObjectIndex', () => {
    const index = new ObjectIndex(byOwner('Stone'));
    index.upsert(pod);
    expect(index.get(ownerIndexValue('Stone', 'shop', 'web'))).toEqual([pod]);
    expect(index.get(ownerIndexValue('Stone', 'other', 'web'))).toEqual([]);
  });
});
