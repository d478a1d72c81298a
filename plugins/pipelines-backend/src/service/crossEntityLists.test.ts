import {
  component,
  ownersOf,
  permissionPolicy,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  READ_ONLY_NAMESPACE,
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
  WRITABLE_NAMESPACE,
} from '../__testUtils__/tektonCluster';
import {
  PipelinesTestBackend,
  pushedRuns,
  startPipelinesTestBackend,
  withEventStream,
} from '../__testUtils__/testBackend';

/*
 * The lists without `entityRef` (GET /runs, /pipelines, /runs/events)
 * against a dev cluster with Tekton: they cover exactly the entities that
 * opt in to Pipelines and whose runs the caller may read. The permission
 * policy lets a user read the runs of the entities they own, and `ops` read
 * everything.
 */

jest.setTimeout(180_000);

const MOCK = 'user:default/mock';
const OTHER = 'user:default/other';
const OPS = 'user:default/ops';
const SHOP = 'component:default/shop';
const CART = 'component:default/cart';

const entities = [
  component(
    'shop',
    {
      'cairn.dev/pipelines': 'true',
      'backstage.io/kubernetes-id': 'shop',
    },
    MOCK,
  ),
  // Opted in with the community Tekton plugin's annotation, found by label.
  component(
    'cart',
    {
      'tekton.dev/cicd': 'true',
      'backstage.io/kubernetes-label-selector': 'app=cart',
      'backstage.io/kubernetes-namespace': READ_ONLY_NAMESPACE,
    },
    OTHER,
  ),
  // Not opted in: its runs are listed nowhere without its entityRef.
  component('legacy', { 'backstage.io/kubernetes-id': 'legacy' }, MOCK),
];

const owners = ownersOf(entities);

const step = { name: 's', image: 'alpine', script: '#!/bin/sh\necho ok\n' };

function pipeline(namespace: string, name: string, labels: object) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: { name, namespace, labels },
    spec: { tasks: [{ name: 'one', taskSpec: { steps: [step] } }] },
  };
}

function run(
  namespace: string,
  name: string,
  pipelineName: string,
  labels: object,
  pending = false,
) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace, labels },
    spec: {
      pipelineRef: { name: pipelineName },
      ...(pending ? { status: 'PipelineRunPending' } : {}),
    },
  };
}

describe('lists of every readable entity against a dev cluster with Tekton', () => {
  let tc: TektonTestCluster;
  let api: PipelinesTestBackend['api'];
  let server: PipelinesTestBackend['server'];
  /** Reads granted besides ownership, by user. */
  const grants: Record<string, string[]> = {};
  const policy = permissionPolicy(
    ({ resourceRef }, user) =>
      user === OPS ||
      Boolean(
        resourceRef &&
          (owners[resourceRef] === user ||
            grants[user!]?.includes(resourceRef)),
      ),
  );
  /** Each authorize call's run.read requests, by resource. */
  const readChecks = () =>
    policy.batches
      .map(batch =>
        batch
          .filter(call => call.permission === 'pipelines.run.read')
          .map(call => call.resourceRef!),
      )
      .filter(reads => reads.length);

  async function listRuns(user: string, query: Record<string, string> = {}) {
    const res = await api()
      .get('/api/pipelines/runs')
      .query(query)
      .set(userAuth(user));
    expect(res.status).toBe(200);
    return res.body;
  }
  const names = (body: { items: Array<{ name: string }> }) =>
    body.items.map(r => r.name).sort();
  /** Changes a PipelineRun's annotations, so that its watchers see it change. */
  const annotateRun = (
    namespace: string,
    name: string,
    annotations: Record<string, string>,
  ) =>
    tc.custom.patchNamespacedCustomObject(
      {
        ...tektonObjects('pipelineruns'),
        namespace,
        name,
        body: { metadata: { annotations } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

  beforeAll(async () => {
    tc = await startTektonTestCluster();
    const create = (plural: 'pipelines' | 'pipelineruns', body: any) =>
      tc.custom.createNamespacedCustomObject({
        ...tektonObjects(plural),
        namespace: body.metadata.namespace,
        body,
      });
    const shopLabels = { 'backstage.io/kubernetes-id': 'shop' };
    const cartLabels = { app: 'cart' };
    await create(
      'pipelines',
      pipeline(WRITABLE_NAMESPACE, 'shop-build', shopLabels),
    );
    await create(
      'pipelines',
      pipeline(READ_ONLY_NAMESPACE, 'cart-build', cartLabels),
    );
    await create(
      'pipelines',
      pipeline(WRITABLE_NAMESPACE, 'legacy-build', {
        'backstage.io/kubernetes-id': 'legacy',
      }),
    );
    await create('pipelines', pipeline(WRITABLE_NAMESPACE, 'loose', {}));
    for (const body of [
      run(WRITABLE_NAMESPACE, 'shop-1', 'shop-build', shopLabels),
      run(WRITABLE_NAMESPACE, 'shop-2', 'shop-build', {
        ...shopLabels,
        tier: 'nightly',
      }),
      run(WRITABLE_NAMESPACE, 'shop-held', 'shop-build', shopLabels, true),
      run(READ_ONLY_NAMESPACE, 'cart-1', 'cart-build', cartLabels),
      // The cart's label in another namespace than the cart's own.
      run(WRITABLE_NAMESPACE, 'cart-stray', 'loose', cartLabels, true),
      run(WRITABLE_NAMESPACE, 'legacy-1', 'legacy-build', {
        'backstage.io/kubernetes-id': 'legacy',
      }),
      run(WRITABLE_NAMESPACE, 'unrelated-1', 'loose', {}),
    ]) {
      await create('pipelineruns', body);
    }

    ({ server, api } = await startPipelinesTestBackend({
      cluster: tc,
      entities,
      permissions: policy.permissions.factory,
      features: [mockServices.database.factory()],
      config: {
        pipelines: {
          serviceAccounts: [
            'ci-runner',
            { name: 'deployer', namespace: WRITABLE_NAMESPACE },
          ],
        },
      },
    }));
    // The non-pending runs have ended, so statuses below are stable.
    await waitFor(
      () => listRuns(OPS, { status: 'running,pending' }),
      body =>
        names(body).join() === 'shop-held' && body.clusterErrors.length === 0,
      'every run that is not held to end',
      90_000,
    );
  });

  afterAll(async () => {
    await tc?.stop();
  });

  it('lists exactly the runs of the entities the user may read, each with its entity', async () => {
    const mine = await listRuns(MOCK);
    expect(names(mine)).toEqual(['shop-1', 'shop-2', 'shop-held']);
    expect(mine.totalCount).toBe(3);
    expect(new Set(mine.items.map((r: any) => r.entityRef))).toEqual(
      new Set([SHOP]),
    );

    // The cart is found by its label selector, in its own namespace only.
    const theirs = await listRuns(OTHER);
    expect(names(theirs)).toEqual(['cart-1']);
    expect(theirs.items[0]).toMatchObject({
      entityRef: CART,
      cluster: 'dev',
      namespace: READ_ONLY_NAMESPACE,
      status: { status: 'succeeded' },
    });

    // Runs of entities that did not opt in, and runs of no entity, are not
    // listed even for a user who may read everything.
    expect(names(await listRuns(OPS))).toEqual([
      'cart-1',
      'shop-1',
      'shop-2',
      'shop-held',
    ]);
  });

  it('asks the permission backend once per list, for all entities together', async () => {
    policy.batches.length = 0;
    await listRuns('user:default/newcomer');
    expect(readChecks().map(refs => [...refs].sort())).toEqual([[CART, SHOP]]);
  });

  it('keeps the filters, and filters by entity, cluster and namespace', async () => {
    expect(names(await listRuns(OPS, { status: 'pending' }))).toEqual([
      'shop-held',
    ]);
    expect(names(await listRuns(OPS, { pipeline: 'cart-build' }))).toEqual([
      'cart-1',
    ]);
    expect(names(await listRuns(OPS, { label: 'tier=nightly' }))).toEqual([
      'shop-2',
    ]);
    expect(names(await listRuns(OPS, { search: 'held' }))).toEqual([
      'shop-held',
    ]);
    expect(names(await listRuns(OPS, { entity: CART }))).toEqual(['cart-1']);
    expect(
      names(await listRuns(OPS, { namespace: READ_ONLY_NAMESPACE })),
    ).toEqual(['cart-1']);
    expect(names(await listRuns(OPS, { cluster: 'dev' }))).toHaveLength(4);
    // An entity the user may not read is no way around the permission.
    expect(names(await listRuns(MOCK, { entity: CART }))).toEqual([]);

    const unknown = await listRuns(OPS, { cluster: 'prod' });
    expect(unknown.items).toEqual([]);
    expect(unknown.clusterErrors).toEqual([
      {
        cluster: 'prod',
        message:
          'cluster "prod" is not in kubernetes.clusterLocatorMethods; filter by one of "dev"',
      },
    ]);
  });

  it('pages and sorts on the server', async () => {
    const query = { sort: 'name', order: 'asc', limit: '3' };
    const first = await listRuns(OPS, query);
    expect(first.items.map((r: any) => r.name)).toEqual([
      'cart-1',
      'shop-1',
      'shop-2',
    ]);
    expect(first.totalCount).toBe(4);
    const second = await listRuns(OPS, { ...query, cursor: first.nextCursor });
    expect(second.items.map((r: any) => r.name)).toEqual(['shop-held']);
    expect(second.nextCursor).toBeUndefined();
  });

  it("lists the Pipelines of the user's entities, with the service accounts each may name", async () => {
    const res = await api().get('/api/pipelines/pipelines').set(userAuth(OPS));
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((p: any) => ({
        entityRef: p.entityRef,
        name: p.name,
        serviceAccounts: p.serviceAccounts,
      })),
    ).toEqual([
      {
        entityRef: SHOP,
        name: 'shop-build',
        serviceAccounts: ['ci-runner', 'deployer'],
      },
      { entityRef: CART, name: 'cart-build', serviceAccounts: ['ci-runner'] },
    ]);
    const mine = await api()
      .get('/api/pipelines/pipelines')
      .set(userAuth(MOCK));
    expect(mine.body.items.map((p: any) => p.name)).toEqual(['shop-build']);
  });

  it("pushes the changes of the user's entities' runs only", async () => {
    await withEventStream(
      server,
      '/api/pipelines/runs/events',
      userAuth(MOCK),
      async stream => {
        const seen = () => pushedRuns(stream);
        // The cart's change comes first; the shop's after it.
        const patch = (namespace: string, name: string) =>
          annotateRun(namespace, name, { 'cairn.dev/test': name });
        await patch(WRITABLE_NAMESPACE, 'cart-stray');
        await patch(READ_ONLY_NAMESPACE, 'cart-1');
        await patch(WRITABLE_NAMESPACE, 'shop-1');
        await waitFor(
          seen,
          s => s.some(r => r.name === 'shop-1'),
          "the shop's change to be pushed",
        );
        expect(seen().map(r => r.name)).not.toContain('cart-1');
        expect(seen().find(r => r.name === 'shop-1')?.entityRef).toBe(SHOP);
      },
    );
  });

  it('keeps a stream of every readable entity in step with what the user may read', async () => {
    const user = 'user:default/late';
    await withEventStream(
      server,
      '/api/pipelines/runs/events',
      userAuth(user),
      async stream => {
        // The user may read the cart's runs only after the stream opened.
        grants[user] = [CART];
        let touches = 0;
        const received = await waitFor(
          async () => {
            await annotateRun(READ_ONLY_NAMESPACE, 'cart-1', {
              'cairn.dev/touch': `${++touches}`,
            });
            await new Promise(resolve => setTimeout(resolve, 1000));
            return stream.received();
          },
          text => text.includes('"name":"cart-1"'),
          "the cart's change on the stream once the user may read it",
          90_000,
        );
        // It comes as the cart's run.
        expect(received).toContain(`"entityRef":"${CART}"`);
      },
    );
  });
});
