import { ClusterAccess } from '@cairn/plugin-kubernetes-node';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigReader } from '@backstage/config';
import {
  startTektonTestCluster,
  TektonTestCluster,
  waitFor,
} from '../__testUtils__/tektonCluster';
import { ResourceCache } from './ResourceCache';
import { parseLabelSelector } from './labelSelector';

jest.setTimeout(120_000);

const kind = { group: 'tekton.dev', version: 'v1', plural: 'pipelines' };

function pipeline(name: string, namespace: string, labels = {}) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: { name, namespace, labels },
    spec: {
      tasks: [
        {
          name: 'hello',
          taskSpec: {
            steps: [{ name: 'echo', image: 'busybox', script: 'echo hi' }],
          },
        },
      ],
    },
  };
}

describe('ResourceCache against a dev cluster', () => {
  let tc: TektonTestCluster;
  let portal: KubeConfig;
  let caches: ResourceCache[] = [];

  beforeAll(async () => {
    // A short watch history, so a watch that falls behind gets 410 Gone.
    tc = await startTektonTestCluster({ watchHistory: 20 });
    portal = ClusterAccess.fromConfig(
      new ConfigReader({ kubernetes: tc.kubernetesConfig }),
    ).get('dev').kubeConfig;
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
      kubeConfig: portal,
      kind,
      indexedLabels: ['backstage.io/kubernetes-id'],
      backoffMs: { initial: 20, max: 100 },
      pageSize: 2,
    });
    caches.push(cache);
    return cache;
  }

  async function create(name: string, namespace: string, labels = {}) {
    await tc.custom.createNamespacedCustomObject({
      ...kind,
      namespace,
      body: pipeline(name, namespace, labels),
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
    expect(cache.size).toBe(3);
    expect(cache.get('ci', 'a')?.metadata.managedFields).toBeUndefined();

    const names = (ns?: string, selector = '') =>
      cache
        .list({ namespace: ns, selector: parseLabelSelector(selector) })
        .map(o => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
    expect(names(undefined, 'backstage.io/kubernetes-id=shop')).toEqual([
      'ci/a',
      'other/c',
    ]);
    expect(names('ci', 'backstage.io/kubernetes-id=shop')).toEqual(['ci/a']);
    expect(names('ci')).toEqual(['ci/a', 'ci/b']);
    expect(names(undefined, 'backstage.io/kubernetes-id notin (shop)')).toEqual(
      ['ci/b'],
    );

    await create('d', 'ci', { 'backstage.io/kubernetes-id': 'shop' });
    await tc.custom.patchNamespacedCustomObject({
      ...kind,
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
    await tc.custom.deleteNamespacedCustomObject({
      ...kind,
      namespace: 'other',
      name: 'c',
    });
    await waitFor(
      () => names(undefined, 'backstage.io/kubernetes-id=shop'),
      n => n.join() === 'ci/d',
      'the index to follow the changes',
    );
    expect(names(undefined, 'backstage.io/kubernetes-id=cart')).toEqual([
      'ci/a',
      'ci/b',
    ]);
    expect(events).toEqual(
      expect.arrayContaining(['added d', 'modified a', 'deleted c']),
    );
  });

  it('answers selectors on a label it indexes later, and keeps that index up to date', async () => {
    await create('web-1', 'ci', { app: 'web' });
    await create('web-2', 'other', { app: 'web' });
    await create('api-1', 'ci', { app: 'api' });
    const cache = newCache();
    cache.start();
    expect(await cache.waitForSync(30_000)).toBe(true);
    cache.indexLabel('app');
    const names = (selector: string) =>
      cache
        .list({ selector: parseLabelSelector(selector) })
        .map(o => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
    expect(names('app=web')).toEqual(['ci/web-1', 'other/web-2']);
    expect(names('app=web,backstage.io/kubernetes-id')).toEqual([]);

    await create('web-3', 'ci', { app: 'web' });
    await tc.custom.patchNamespacedCustomObject({
      ...kind,
      namespace: 'ci',
      name: 'web-1',
      body: [{ op: 'replace', path: '/metadata/labels/app', value: 'api' }],
    });
    await tc.custom.deleteNamespacedCustomObject({
      ...kind,
      namespace: 'other',
      name: 'web-2',
    });
    await waitFor(
      () => names('app=web'),
      n => n.join() === 'ci/web-3',
      'the later index to follow the changes',
    );
    expect(names('app=api')).toEqual(['ci/api-1', 'ci/web-1']);
  });

  it('keeps objects through its transform and finds them by a named index as they change', async () => {
    await create('team-1', 'ci', { team: 'blue' });
    await create('team-2', 'other', { team: 'blue' });
    await create('team-3', 'ci', { team: 'red' });
    const cache = new ResourceCache({
      cluster: 'dev',
      kubeConfig: portal,
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
      'pipelines have no index "owner"; name it in the cache\'s indexers',
    );

    await create('team-4', 'ci', { team: 'blue' });
    await tc.custom.patchNamespacedCustomObject({
      ...kind,
      namespace: 'ci',
      name: 'team-1',
      body: [{ op: 'replace', path: '/metadata/labels/team', value: 'red' }],
    });
    await tc.custom.deleteNamespacedCustomObject({
      ...kind,
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
          resources: ['pipelines.tekton.dev'],
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

    await tc.custom.deleteNamespacedCustomObject({
      ...kind,
      namespace: 'ci',
      name: 'd',
    });
    for (let i = 0; i < 30; i++) {
      await create(`churn-${i}`, 'other');
    }
    await create('e', 'ci');
    tc.cluster.server.setFaults(undefined);

    await waitFor(() => cache.get('ci', 'e'), Boolean, 'the relisted pipeline');
    expect(cache.relists).toBe(2);
    expect(cache.get('ci', 'd')).toBeUndefined();
    expect(cache.get('other', 'churn-29')).toBeDefined();
    expect(cache.lastError).toBeUndefined();
  });
});
