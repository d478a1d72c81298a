import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  V1ConfigMap,
  Watch,
} from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from './testing';

/*
 * Conformance with @kubernetes/client-node: CRUD, optimistic concurrency,
 * the patch types, paging, watches and informers behave as on a real cluster.
 */

jest.setTimeout(60_000);

function statusOf(error: unknown): any {
  expect(error).toBeInstanceOf(ApiException);
  const body = (error as ApiException<string>).body;
  return typeof body === 'string' ? JSON.parse(body) : body;
}

async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (e) {
    return statusOf(e);
  }
  throw new Error('expected the request to fail');
}

/** Collects watch events until `until` holds for the list of events seen. */
function collect(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean>,
  until: (events: Array<{ type: string; object: any }>) => boolean,
): Promise<Array<{ type: string; object: any }>> {
  return new Promise((resolve, reject) => {
    const events: Array<{ type: string; object: any }> = [];
    let controller: AbortController | undefined;
    let done = false;
    const finish = () => {
      done = true;
      controller?.abort();
      resolve(events);
    };
    new Watch(kc)
      .watch(
        path,
        query,
        (type, object) => {
          if (done) return;
          events.push({ type, object });
          if (until(events)) finish();
        },
        err => {
          if (!done) {
            done = true;
            if (err && err.name !== 'AbortError') reject(err);
            else resolve(events);
          }
        },
      )
      .then(c => {
        controller = c;
        if (done) c.abort();
      }, reject);
  });
}

describe('@kubernetes/client-node against the dev cluster', () => {
  let cluster: TestCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startTestCluster({
      bookmarkIntervalMs: 100,
      watchHistory: 20,
    });
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'client' } } });
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('creates with generateName and enforces optimistic concurrency', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'client',
      body: { metadata: { generateName: 'cfg-' }, data: { a: '1' } },
    });
    expect(created.metadata!.name).toMatch(
      /^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
    const name = created.metadata!.name!;

    const updated = await core.replaceNamespacedConfigMap({
      name,
      namespace: 'client',
      body: { ...created, data: { a: '2' } },
    });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(
      Number(created.metadata!.resourceVersion),
    );

    const stale = await failure(
      core.replaceNamespacedConfigMap({
        name,
        namespace: 'client',
        body: { ...created, data: { a: '3' } },
      }),
    );
    expect(stale).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      reason: 'Conflict',
      details: { name, kind: 'configmaps' },
      code: 409,
    });

    const missing = await failure(
      core.readNamespacedConfigMap({ name: 'nope', namespace: 'client' }),
    );
    expect(missing).toMatchObject({
      reason: 'NotFound',
      code: 404,
      message: 'configmaps "nope" not found',
      details: { name: 'nope', kind: 'configmaps' },
    });
  });

  it('applies JSON patch, merge patch, strategic merge patch and server-side apply', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'client',
      body: {
        metadata: { name: 'patched', labels: { app: 'patched' } },
        spec: {
          selector: { matchLabels: { app: 'patched' } },
          template: {
            metadata: { labels: { app: 'patched' } },
            spec: {
              containers: [
                { name: 'main', image: 'main:1' },
                { name: 'side', image: 'side:1' },
              ],
            },
          },
        },
      },
    });
    const json = await apps.patchNamespacedDeployment(
      {
        name: 'patched',
        namespace: 'client',
        body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(json.spec!.replicas).toBe(3);

    const merge = await apps.patchNamespacedDeployment(
      {
        name: 'patched',
        namespace: 'client',
        body: { metadata: { labels: { tier: 'web' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merge.metadata!.labels).toEqual({ app: 'patched', tier: 'web' });

    // Strategic merge patch merges containers by name; a merge patch would replace the list.
    const strategic = await apps.patchNamespacedDeployment(
      {
        name: 'patched',
        namespace: 'client',
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'side', image: 'side:2' }] },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(
      strategic.spec!.template.spec!.containers.map(
        c => `${c.name}=${c.image}`,
      ),
    ).toEqual(['main=main:1', 'side=side:2']);

    const failedTest = await failure(
      apps.patchNamespacedDeployment(
        {
          name: 'patched',
          namespace: 'client',
          body: [{ op: 'test', path: '/spec/replicas', value: 9 }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(failedTest.code).toBe(422);

    const applied = await core.patchNamespacedConfigMap(
      {
        name: 'applied',
        namespace: 'client',
        fieldManager: 'tests',
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'applied', namespace: 'client' },
          data: { x: 'y' },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.data).toEqual({ x: 'y' });
    expect(applied.metadata!.managedFields![0]).toMatchObject({
      manager: 'tests',
      operation: 'Apply',
    });
  });

  it('pages lists with limit and continue', async () => {
    for (let i = 0; i < 5; i++) {
      await core.createNamespacedSecret({
        namespace: 'client',
        body: { metadata: { name: `s${i}` } },
      });
    }
    const first = await core.listNamespacedSecret({
      namespace: 'client',
      limit: 2,
    });
    expect(first.items.map(s => s.metadata!.name)).toEqual(['s0', 's1']);
    expect(first.metadata!.remainingItemCount).toBe(3);
    // A page continues from the snapshot of the first: later writes do not show.
    await core.createNamespacedSecret({
      namespace: 'client',
      body: { metadata: { name: 's10' } },
    });
    const second = await core.listNamespacedSecret({
      namespace: 'client',
      limit: 2,
      _continue: first.metadata!._continue,
    });
    expect(second.items.map(s => s.metadata!.name)).toEqual(['s2', 's3']);
    const last = await core.listNamespacedSecret({
      namespace: 'client',
      limit: 2,
      _continue: second.metadata!._continue,
    });
    expect(last.items.map(s => s.metadata!.name)).toEqual(['s4']);
    expect(last.metadata!._continue).toBeUndefined();
    expect(last.metadata!.resourceVersion).toBe(
      first.metadata!.resourceVersion,
    );
  });

  it('watches from a resourceVersion with bookmarks, and answers 410 for an expired one', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'client' });
    const events = collect(
      kc,
      '/api/v1/namespaces/client/configmaps',
      {
        resourceVersion: list.metadata!.resourceVersion!,
        allowWatchBookmarks: true,
      },
      seen =>
        seen.some(e => e.type === 'DELETED') &&
        seen.some(e => e.type === 'BOOKMARK'),
    );
    await core.createNamespacedConfigMap({
      namespace: 'client',
      body: { metadata: { name: 'watched' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'watched', namespace: 'client', body: { data: { k: 'v' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({
      name: 'watched',
      namespace: 'client',
    });
    const seen = (await events).filter(e => e.type !== 'BOOKMARK');
    expect(seen.map(e => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED watched',
      'MODIFIED watched',
      'DELETED watched',
    ]);
    expect(seen[1].object.data).toEqual({ k: 'v' });

    // More changes than the history keeps push resourceVersion 1 out of the window.
    for (let i = 0; i < 25; i++) {
      await core.createNamespacedConfigMap({
        namespace: 'client',
        body: { metadata: { name: `churn-${i}` } },
      });
    }
    const expired = await collect(
      kc,
      '/api/v1/namespaces/client/configmaps',
      { resourceVersion: '1' },
      () => true,
    );
    expect(expired).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          code: 410,
          reason: 'Expired',
        }),
      },
    ]);
    expect(expired[0].object.message).toMatch(
      /^too old resource version: 1 \(\d+\)$/,
    );
  });

  it('injects failures, latency and dropped watches', async () => {
    cluster.server.setFaults({
      rules: [
        {
          verbs: ['list'],
          resources: ['configmaps'],
          errorRate: 1,
          errorCode: 503,
        },
      ],
    });
    const failed = await failure(
      core.listNamespacedConfigMap({ namespace: 'client' }),
    );
    expect(failed).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    // Other verbs and resources are untouched.
    await core.listNamespacedSecret({ namespace: 'client' });

    // A rule for a subresource leaves the resource itself alone.
    cluster.server.setFaults({
      rules: [
        { resources: ['namespaces'], subresources: ['status'], errorRate: 1 },
      ],
    });
    expect(
      await failure(core.readNamespaceStatus({ name: 'client' })),
    ).toMatchObject({ code: 500 });
    await core.readNamespace({ name: 'client' });

    cluster.server.setFaults({ dropWatchesAfterMs: 50 });
    const ended = await collect(
      kc,
      '/api/v1/namespaces/client/secrets',
      { resourceVersion: '0' },
      () => false,
    );
    expect(ended.length).toBeGreaterThan(0);
    cluster.server.setFaults(undefined);
    await core.listNamespacedConfigMap({ namespace: 'client' });
  });

  it('keeps an informer in sync', async () => {
    const informer = makeInformer<V1ConfigMap>(
      kc,
      '/api/v1/namespaces/client/configmaps',
      () =>
        core.listNamespacedConfigMap({
          namespace: 'client',
          labelSelector: 'informed=yes',
        }),
      'informed=yes',
    );
    const added = new Promise<string>(resolve =>
      informer.on('add', cm => resolve(cm.metadata!.name!)),
    );
    await informer.start();
    await core.createNamespacedConfigMap({
      namespace: 'client',
      body: { metadata: { name: 'informed', labels: { informed: 'yes' } } },
    });
    expect(await added).toBe('informed');
    const deleted = new Promise<string>(resolve =>
      informer.on('delete', cm => resolve(cm.metadata!.name!)),
    );
    await core.deleteNamespacedConfigMap({
      name: 'informed',
      namespace: 'client',
    });
    expect(await deleted).toBe('informed');
    expect(informer.list('client')).toEqual([]);
    await informer.stop();
  });
});
