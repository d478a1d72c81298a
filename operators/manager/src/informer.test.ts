import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Informer } from '@cairn/controller-runtime';
import { DevCluster, startDevCluster } from '@cairn/dev-cluster';
import { CoreV1Api, KubeConfig, V1ConfigMap } from '@kubernetes/client-node';

/*
 * The informers every controller of the manager reads from, against a dev
 * cluster that keeps a short watch history (20 events per resource) and
 * drops every watch after a second, as API servers do when they restart or
 * compact: an informer must resume from where it was, and list again only
 * when the server says its resourceVersion is gone.
 */

jest.setTimeout(120_000);

const ROOT_CA = 'kube-root-ca.crt';

async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe('Informer', () => {
  let stateDir: string;
  let cluster: DevCluster;
  let kubeConfig: KubeConfig;
  let core: CoreV1Api;
  /** verb of each request to configmaps, per namespace. */
  const requests = new Map<string, string[]>();
  const informers: Informer[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'informer-test-'));
    cluster = await startDevCluster({
      stateDir,
      port: 0,
      tekton: false,
      runWorkloads: false,
      watchHistory: 20,
      bookmarkIntervalMs: 100,
      faults: { dropWatchesAfterMs: 1_000 },
    });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(cluster.kubeconfig);
    core = kubeConfig.makeApiClient(CoreV1Api);
    cluster.server.onRequest(({ info }) => {
      if (info.resource !== 'configmaps') return;
      const verbs = requests.get(info.namespace) ?? [];
      verbs.push(info.verb);
      requests.set(info.namespace, verbs);
    });
    for (const name of ['quiet', 'busy', 'gone', 'resync'])
      await core.createNamespace({ body: { metadata: { name } } });
  });

  afterEach(() => {
    for (const informer of informers.splice(0)) informer.stop();
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const verbs = (namespace: string, verb: string) =>
    (requests.get(namespace) ?? []).filter(v => v === verb).length;

  function configMapInformer(namespace: string, resyncPeriodMs?: number) {
    const informer = new Informer<V1ConfigMap>({
      kubeConfig,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      resyncPeriodMs,
    });
    informers.push(informer);
    return informer;
  }

  /** Writes enough ConfigMaps elsewhere to push older resourceVersions out of the watch history. */
  async function churn(prefix: string) {
    for (let i = 0; i < 50; i++)
      await core.createNamespacedConfigMap({
        namespace: 'busy',
        body: { metadata: { name: `${prefix}-${i}` } },
      });
  }

  it('keeps a quiet watch current with bookmarks, so it resumes after dropped watches without listing again', async () => {
    const informer = configMapInformer('quiet');
    await informer.start();
    expect(informer.hasSynced()).toBe(true);
    const listed = informer.lastSyncResourceVersion();
    await churn('quiet');
    // Bookmarks move the quiet collection's resourceVersion on…
    await until(
      () => Number(informer.lastSyncResourceVersion()) > Number(listed),
      'a bookmark',
    );
    // …so watches dropped after the churn resume from a version the server still has.
    const watchesBefore = verbs('quiet', 'watch');
    await until(
      () => verbs('quiet', 'watch') >= watchesBefore + 2,
      'the informer to watch again after dropped watches',
    );
    await core.createNamespacedConfigMap({
      namespace: 'quiet',
      body: { metadata: { name: 'seen' } },
    });
    await until(() => !!informer.get('quiet/seen'), 'the new ConfigMap');
    expect(verbs('quiet', 'list')).toBe(1);
  });

  it('lists again on 410 Gone, delivering what vanished meanwhile as deleted and what appeared as added', async () => {
    for (const name of ['keep', 'drop'])
      await core.createNamespacedConfigMap({
        namespace: 'gone',
        body: { metadata: { name } },
      });
    const informer = configMapInformer('gone');
    const events: string[] = [];
    // Every namespace has the cluster's kube-root-ca.crt ConfigMap too.
    const record = (event: string) => (o: V1ConfigMap) => {
      if (o.metadata!.name !== ROOT_CA)
        events.push(`${event} ${o.metadata!.name}`);
    };
    informer.addEventHandler({
      add: record('add'),
      update: (_, o) => record('update')(o),
      delete: record('delete'),
    });
    await informer.start();
    expect(events.sort()).toEqual(['add drop', 'add keep']);
    expect(
      informer
        .list('gone')
        .map(o => o.metadata!.name)
        .sort(),
    ).toEqual(['drop', 'keep', ROOT_CA]);

    // While it is stopped, its resourceVersion falls out of the history.
    informer.stop();
    events.length = 0;
    await core.deleteNamespacedConfigMap({ namespace: 'gone', name: 'drop' });
    await core.createNamespacedConfigMap({
      namespace: 'gone',
      body: { metadata: { name: 'new' } },
    });
    await churn('gone');
    void informer.start();
    await until(() => !!informer.get('gone/new'), 'the relisted cache');
    expect(events.sort()).toEqual(['add new', 'delete drop']);
    expect(informer.get('gone/drop')).toBeUndefined();
    expect(verbs('gone', 'list')).toBe(2);
  });

  it('delivers every cached object again as an update each resync period', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'resync',
      body: { metadata: { name: 'only' } },
    });
    const informer = configMapInformer('resync', 100);
    const resynced: Array<[V1ConfigMap, V1ConfigMap]> = [];
    informer.addEventHandler({
      update: (previous, object) => resynced.push([previous, object]),
    });
    await informer.start();
    const only = () =>
      resynced.filter(([, object]) => object.metadata!.name === 'only');
    await until(() => only().length >= 2, 'two resyncs');
    for (const [previous, object] of resynced) expect(previous).toBe(object);
    expect(verbs('resync', 'list')).toBe(1);
  });

  it('answers by namespace and by custom index, and refuses an index it does not have', async () => {
    const informer = new Informer<V1ConfigMap>({
      kubeConfig,
      path: '/api/v1/configmaps',
      indexers: {
        byData: o => Object.keys(o.data ?? {}),
      },
    });
    informers.push(informer);
    await core.createNamespacedConfigMap({
      namespace: 'quiet',
      body: { metadata: { name: 'indexed' }, data: { colour: 'blue' } },
    });
    await informer.start();
    expect(
      informer.byIndex('byData', 'colour').map(o => o.metadata!.name),
    ).toEqual(['indexed']);
    expect(informer.list('quiet').map(o => o.metadata!.name)).toContain(
      'indexed',
    );
    expect(() => informer.byIndex('missing', 'x')).toThrow(
      'informer for /api/v1/configmaps has no index "missing"',
    );
  });
});
