import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from './testing';

/*
 * A write that changes nothing (an update, patch or status write of what is
 * stored) is answered with the stored object: no new resourceVersion, no
 * watch event — as kube-apiserver's storage skips unchanged objects, so
 * controllers that write what they read do not wake every watcher.
 */

jest.setTimeout(60_000);

const NAMESPACE = 'noop';

describe('no-op writes on the dev cluster', () => {
  let cluster: TestCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  /** The names and types of the watch events from `resourceVersion` up to the first one `last` accepts. */
  function eventsUntil(
    path: string,
    resourceVersion: string,
    last: (object: any) => boolean,
  ): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const seen: string[] = [];
      let controller: AbortController | undefined;
      let done = false;
      new Watch(kc)
        .watch(
          path,
          { resourceVersion },
          (type, object) => {
            if (done) return;
            seen.push(`${type} ${object.metadata.name}`);
            if (last(object)) {
              done = true;
              controller?.abort();
              resolve(seen);
            }
          },
          err => {
            if (!done) reject(err ?? new Error('watch ended'));
          },
        )
        .then(c => {
          controller = c;
          if (done) c.abort();
        }, reject);
    });
  }

  it('keeps the resourceVersion and sends no watch event for an update, patches and a status write that change nothing', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'same', labels: { app: 'x' } },
        data: { k: 'v' },
      },
    });
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'same-pod' },
        spec: {
          // Not scheduled anywhere: nothing else writes this pod.
          nodeSelector: { 'example.com/nowhere': 'true' },
          containers: [{ name: 'app', image: 'busybox:1.36' }],
        },
      },
    });
    // Once the scheduler has said why it cannot place the pod, nothing
    // writes it any more.
    let pod = await core.readNamespacedPod({
      name: 'same-pod',
      namespace: NAMESPACE,
    });
    while (!pod.status?.conditions?.some(c => c.type === 'PodScheduled')) {
      await new Promise(resolve => setTimeout(resolve, 50));
      pod = await core.readNamespacedPod({
        name: 'same-pod',
        namespace: NAMESPACE,
      });
    }
    const watched = eventsUntil(
      `/api/v1/namespaces/${NAMESPACE}/configmaps`,
      created.metadata!.resourceVersion!,
      object => object.metadata.name === 'marker',
    );
    const podEvents = eventsUntil(
      `/api/v1/namespaces/${NAMESPACE}/pods`,
      pod.metadata!.resourceVersion!,
      object => object.metadata.labels?.marker === 'true',
    );

    // A get-modify-put of what was read, by the same and by another manager.
    const replaced = await core.replaceNamespacedConfigMap({
      name: 'same',
      namespace: NAMESPACE,
      body: created,
    });
    const replacedByOther = await core.replaceNamespacedConfigMap({
      name: 'same',
      namespace: NAMESPACE,
      body: created,
      fieldManager: 'other',
    });
    const mergePatched = await core.patchNamespacedConfigMap(
      {
        name: 'same',
        namespace: NAMESPACE,
        body: { metadata: { labels: { app: 'x' } }, data: { k: 'v' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const jsonPatched = await core.patchNamespacedConfigMap(
      {
        name: 'same',
        namespace: NAMESPACE,
        body: [{ op: 'replace', path: '/data/k', value: 'v' }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    for (const answer of [replaced, replacedByOther, mergePatched, jsonPatched])
      expect(answer.metadata).toEqual(created.metadata);

    const statusWritten = await core.patchNamespacedPodStatus(
      {
        name: 'same-pod',
        namespace: NAMESPACE,
        body: { status: pod.status },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(statusWritten.metadata?.resourceVersion).toBe(
      pod.metadata!.resourceVersion,
    );

    // The first events after the no-op writes are the markers'.
    await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: 'marker' } },
    });
    await core.patchNamespacedPod(
      {
        name: 'same-pod',
        namespace: NAMESPACE,
        body: { metadata: { labels: { marker: 'true' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(await watched).toEqual(['ADDED marker']);
    expect(await podEvents).toEqual(['MODIFIED same-pod']);
  });

  it('still records a real change with a new resourceVersion and the writer in managedFields', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: 'changed' }, data: { k: 'v' } },
    });
    const updated = await core.patchNamespacedConfigMap(
      {
        name: 'changed',
        namespace: NAMESPACE,
        body: { data: { k: 'w' } },
        fieldManager: 'editor',
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    expect(updated.metadata?.managedFields?.map(m => m.manager)).toContain(
      'editor',
    );
  });
});
