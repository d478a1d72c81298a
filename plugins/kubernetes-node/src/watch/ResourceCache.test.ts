import tls from 'node:tls';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  PortalTestCluster,
  startPortalTestCluster,
  waitFor,
} from '../testUtils';
import { ResourceCache } from './ResourceCache';
import { parseLabelSelector } from './labelSelector';

jest.setTimeout(120_000);

/** A core kind the portal may read everywhere (portal-access.yaml). */
const kind = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
};

/**
 * The label of the test's own ConfigMaps: every namespace also has its
 * `kube-root-ca.crt`, and the system namespaces more.
 */
const OURS = 'cairn.dev/test';

function configMap(name: string, namespace: string, labels = {}) {
  return {
    metadata: {
      name,
      namespace,
      labels: { [OURS]: 'resource-cache', ...labels },
    },
    data: { greeting: 'hi' },
  };
}

/** The test's own objects of a cache, as `namespace/name`, sorted. */
function names(
  cache: ResourceCache,
  query: { namespace?: string; selector?: string } = {},
) {
  return cache
    .list({
      namespace: query.namespace,
      selector: parseLabelSelector(
        [OURS, query.selector].filter(Boolean).join(','),
      ),
    })
    .map(o => `${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
}

describe('ResourceCache against a dev cluster', () => {
  let tc: PortalTestCluster;
  let core: CoreV1Api;
  let caches: ResourceCache[] = [];

  beforeAll(async () => {
    // A short watch history, so a watch that falls behind gets 410 Gone.
    tc = await startPortalTestCluster({
      devCluster: { watchHistory: 20 },
      namespaces: ['ci', 'other'],
    });
    core = tc.admin.makeApiClient(CoreV1Api);
  });

  afterEach(async () => {
    tc.cluster.server.setFaults(undefined);
    await Promise.all(caches.map(c => c.stop()));
    caches = [];
  });

  afterAll(async () => {
    await tc?.stop();
  });

  function newCache() {
    const cache = new ResourceCache({
      cluster: 'dev',
      kubeConfig: tc.portal,
      kind,
      indexedLabels: ['backstage.io/kubernetes-id'],
      backoffMs: { initial: 20, max: 100 },
      pageSize: 2,
    });
    caches.push(cache);
    return cache;
  }

  async function create(name: string, namespace: string, labels = {}) {
    await core.createNamespacedConfigMap({
      namespace,
      body: configMap(name, namespace, labels),
    });
  }

  it('lists in pages, follows changes, and answers selectors from its indexes', async () => {
    await create('a', 'ci', { 'backstage.io/kubernetes-id': 'shop' });
    await create('b', 'ci', { 'backstage.io/kubernetes-id': 'cart' });
    await create('c', 'other', { 'backstage.io/kubernetes-id': 'shop' });
    const cache = newCache();
    const events: string[] = [];
    cache.subscribe(e => events.push(`${e.type} ${e.object.metadata.name}`));
    cache.start();
    expect(await cache.waitForSync(30_000)).toBe(true);
    expect(names(cache)).toHaveLength(3);
    expect(cache.get('ci', 'a')?.metadata.managedFields).toBeUndefined();

    const found = (namespace?: string, selector?: string) =>
      names(cache, { namespace, selector });
    expect(found(undefined, 'backstage.io/kubernetes-id=shop')).toEqual([
      'ci/a',
      'other/c',
    ]);
    expect(found('ci', 'backstage.io/kubernetes-id=shop')).toEqual(['ci/a']);
    expect(found('ci')).toEqual(['ci/a', 'ci/b']);
    expect(found(undefined, 'backstage.io/kubernetes-id notin (shop)')).toEqual(
      ['ci/b'],
    );

    await create('d', 'ci', { 'backstage.io/kubernetes-id': 'shop' });
    await core.patchNamespacedConfigMap({
      namespace: 'ci',
      name: 'a',
      body: [
        {
          op: 'replace',
          path: '/metadata/labels/backstage.io~1kubernetes-id',
          value: 'cart',
        },
      ],
    });
    await core.deleteNamespacedConfigMap({
      namespace: 'other',
      name: 'c',
    });
    await waitFor(
      () => found(undefined, 'backstage.io/kubernetes-id=shop'),
      n => n.join() === 'ci/d',
      'the index to follow the changes',
    );
    expect(found(undefined, 'backstage.io/kubernetes-id=cart')).toEqual([
      'ci/a',
      'ci/b',
    ]);
    expect(events).toEqual(
      expect.arrayContaining(['added d', 'modified a', 'deleted c']),
    );
  });

  it('reads every page of its list over one kept-alive connection', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']) {
      await create(name, 'ci');
    }
    const connections = jest.spyOn(tls, 'connect');
    try {
      const cache = newCache();
      cache.start();
      expect(await cache.waitForSync(30_000)).toBe(true);
      // Pages of 2: at least 4 list requests, then the watch.
      expect(names(cache).length).toBeGreaterThanOrEqual(6);
      expect(connections.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      connections.mockRestore();
    }
  });

  it('answers selectors on a label it indexes later, and keeps that index up to date', async () => {
    await create('web-1', 'ci', { app: 'web' });
    await create('web-2', 'other', { app: 'web' });
    await create('api-1', 'ci', { app: 'api' });
    const cache = newCache();
    cache.start();
    expect(await cache.waitForSync(30_000)).toBe(true);
    cache.indexLabel('app');
    const found = (selector: string) => names(cache, { selector });
    expect(found('app=web')).toEqual(['ci/web-1', 'other/web-2']);
    expect(found('app=web,backstage.io/kubernetes-id')).toEqual([]);

    await create('web-3', 'ci', { app: 'web' });
    await core.patchNamespacedConfigMap({
      namespace: 'ci',
      name: 'web-1',
      body: [{ op: 'replace', path: '/metadata/labels/app', value: 'api' }],
    });
    await core.deleteNamespacedConfigMap({
      namespace: 'other',
      name: 'web-2',
    });
    await waitFor(
      () => found('app=web'),
      n => n.join() === 'ci/web-3',
      'the later index to follow the changes',
    );
    expect(found('app=api')).toEqual(['ci/api-1', 'ci/web-1']);
  });

  it('keeps objects through its transform and finds them by a named index as they change', async () => {
    await create('team-1', 'ci', { team: 'blue' });
    await create('team-2', 'other', { team: 'blue' });
    await create('team-3', 'ci', { team: 'red' });
    const cache = new ResourceCache({
      cluster: 'dev',
      kubeConfig: tc.portal,
      kind,
      indexers: {
        team: object =>
          object.metadata.labels?.team &&
          `${object.metadata.namespace}/${object.metadata.labels.team}`,
      },
      // Keeps only the metadata (this test reads nothing else).
      transform: object => ({ metadata: object.metadata }),
      pageSize: 2,
    });
    caches.push(cache);
    cache.start();
    expect(await cache.waitForSync(30_000)).toBe(true);
    const team = (value: string) =>
      cache
        .byIndex('team', value)
        .map(o => o.metadata.name)
        .sort();
    expect(team('ci/blue')).toEqual(['team-1']);
    expect(team('other/blue')).toEqual(['team-2']);
    expect(team('ci/green')).toEqual([]);
    expect(cache.get('ci', 'team-1')).toEqual({
      metadata: expect.objectContaining({ name: 'team-1' }),
    });
    expect(() => cache.byIndex('owner', 'x')).toThrow(
      'configmaps have no index "owner"; name it in the cache\'s indexers',
    );

    await create('team-4', 'ci', { team: 'blue' });
    await core.patchNamespacedConfigMap({
      namespace: 'ci',
      name: 'team-1',
      body: [{ op: 'replace', path: '/metadata/labels/team', value: 'red' }],
    });
    await core.deleteNamespacedConfigMap({
      namespace: 'ci',
      name: 'team-3',
    });
    await waitFor(
      () => team('ci/red'),
      n => n.join() === 'team-1',
      'the named index to follow the changes',
    );
    expect(team('ci/blue')).toEqual(['team-4']);
    // Objects from the watch go through the transform too.
    expect(Object.keys(cache.get('ci', 'team-4') ?? {})).toEqual(['metadata']);
    expect(Object.keys(cache.get('ci', 'team-1') ?? {})).toEqual(['metadata']);
  });

  it('relists after 410 Gone when its watch fell behind', async () => {
    // Watches fail from the start, so the cache lists and then cannot watch;
    // meanwhile more changes happen than the server's history keeps.
    tc.cluster.server.setFaults({
      rules: [
        {
          verbs: ['watch'],
          resources: ['configmaps'],
          errorRate: 1,
          errorCode: 503,
        },
      ],
    });
    const cache = newCache();
    cache.start();
    expect(await cache.waitForSync(30_000)).toBe(true);
    expect(cache.relists).toBe(1);
    expect(cache.get('ci', 'd')).toBeDefined();
    await waitFor(() => cache.lastError, Boolean, 'a failed watch');

    await core.deleteNamespacedConfigMap({
      namespace: 'ci',
      name: 'd',
    });
    for (let i = 0; i < 30; i++) {
      await create(`churn-${i}`, 'other');
    }
    await create('e', 'ci');
    tc.cluster.server.setFaults(undefined);

    await waitFor(
      () => cache.get('ci', 'e'),
      Boolean,
      'the relisted ConfigMap',
    );
    expect(cache.relists).toBe(2);
    expect(cache.get('ci', 'd')).toBeUndefined();
    expect(cache.get('other', 'churn-29')).toBeDefined();
    expect(cache.lastError).toBeUndefined();
  });
});
