import {
  auditRecorder,
  component,
  permissionPolicy,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
} from '../__testUtils__/tektonCluster';
import {
  PipelinesTestBackend,
  startPipelinesTestBackend,
} from '../__testUtils__/testBackend';

/*
 * The pipeline builder's routes in a test backend against a dev cluster
 * with Tekton (and its admission webhook's validation). The portal's service
 * account may write Pipelines only in namespace `ci`. The policy lets
 * everyone read, and only `shop`'s and `web`'s owners change Pipelines.
 * These routes keep nothing in the database: the cluster is the store.
 */

jest.setTimeout(180_000);

const SHOP = 'component:default/shop';
const CART = 'component:default/cart';
const WEB = 'component:default/web';
const OUTSIDER = 'component:default/outsider';

const entities = [
  component('shop', { 'backstage.io/kubernetes-id': 'shop' }),
  component('cart', {
    'backstage.io/kubernetes-id': 'cart',
    'backstage.io/kubernetes-namespace': 'ci',
  }),
  component('web', {
    'backstage.io/kubernetes-label-selector': 'app=web,tier in (front,back)',
    'backstage.io/kubernetes-namespace': 'ci',
  }),
  component('outsider', { 'backstage.io/kubernetes-id': 'outsider' }),
];

const TEKTON = tektonObjects('pipelines');

/** A Pipeline as the builder sends it: no labels, and fields it has no form for. */
function newPipeline(name: string, extra: object = {}) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: { name, annotations: { 'example.com/note': 'kept' } },
    spec: {
      description: 'first version',
      tasks: [
        {
          name: 'hello',
          taskSpec: {
            steps: [
              {
                name: 'say',
                image: 'alpine',
                script: 'echo test',
                securityContext: { runAsNonRoot: true },
              },
            ],
          },
        },
      ],
      // A Tekton field without a form (Tekton refuses fields it does not have).
      displayName: 'Says hello',
      ...extra,
    },
  };
}

describe('the pipeline builder API against a dev cluster with Tekton', () => {
  let tc: TektonTestCluster;
  let call: PipelinesTestBackend['call'];
  const policy = permissionPolicy(
    ({ permission, resourceRef }) =>
      permission === 'pipelines.run.read' ||
      resourceRef === SHOP ||
      resourceRef === WEB ||
      resourceRef === OUTSIDER,
  );
  const authorizeCalls = policy.calls;
  const auditor = auditRecorder();
  const audit = auditor.events;

  const readFromCluster = (namespace: string, name: string) =>
    tc.custom.getNamespacedCustomObject({ ...TEKTON, namespace, name });

  beforeAll(async () => {
    tc = await startTektonTestCluster();
    await tc.custom.createNamespacedCustomObject({
      ...TEKTON,
      namespace: 'ci',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Pipeline',
        metadata: {
          name: 'cart-build',
          labels: { 'backstage.io/kubernetes-id': 'cart' },
        },
        spec: {
          tasks: [{ name: 'one', taskSpec: { steps: [{ image: 'alpine' }] } }],
        },
      },
    });
    await tc.custom.createNamespacedCustomObject({
      ...tektonObjects('tasks'),
      namespace: 'ci',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Task',
        metadata: { name: 'git-clone' },
        spec: {
          description: 'Clones a repository',
          params: [
            { name: 'url', type: 'string', description: 'repository URL' },
            { name: 'depth', default: '1' },
            { name: 'mode', enum: ['full', 'shallow'], default: 'shallow' },
          ],
          workspaces: [
            { name: 'output' },
            { name: 'ssh', optional: true, description: 'SSH keys' },
          ],
          results: [{ name: 'commit', description: 'the commit cloned' }],
          steps: [{ name: 'clone', image: 'alpine/git', script: 'git clone' }],
        },
      },
    });

    ({ call } = await startPipelinesTestBackend({
      cluster: tc,
      entities,
      permissions: policy.permissions.factory,
      features: auditor.factories,
    }));
  });

  afterAll(async () => {
    await tc?.stop();
  });

  const create = (entityRef: string, body: object) =>
    call('post', '/pipelines', entityRef).send(body);
  const read = (entityRef: string, namespace: string, name: string) =>
    call('get', `/pipelines/dev/${namespace}/${name}`, entityRef);
  const update = (
    entityRef: string,
    namespace: string,
    name: string,
    body: object,
  ) => call('put', `/pipelines/dev/${namespace}/${name}`, entityRef).send(body);

  it('creates a Pipeline labelled for the entity, keeping fields the builder has no form for, and reads it back', async () => {
    const res = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: newPipeline('hello'),
    });
    expect(res.status).toBe(201);
    const inCluster = (await readFromCluster('ci', 'hello')) as any;
    expect(res.body).toEqual({
      cluster: 'dev',
      namespace: 'ci',
      name: 'hello',
      resourceVersion: inCluster.metadata.resourceVersion,
      pipeline: inCluster,
    });
    expect(inCluster.metadata.labels).toEqual({
      'backstage.io/kubernetes-id': 'shop',
    });
    expect(inCluster.metadata.annotations).toEqual({
      'example.com/note': 'kept',
    });
    expect(inCluster.spec).toEqual(newPipeline('hello').spec);
    expect(authorizeCalls).toContainEqual({
      permission: 'pipelines.pipeline.update',
      resourceRef: SHOP,
    });
    expect(audit).toContainEqual({
      eventId: 'pipeline-definition-create',
      meta: { entityRef: SHOP, cluster: 'dev', namespace: 'ci', name: 'hello' },
      outcome: 'success',
    });

    const loaded = await read(SHOP, 'ci', 'hello');
    expect(loaded.status).toBe(200);
    expect(loaded.body.resourceVersion).toBe(
      inCluster.metadata.resourceVersion,
    );
    expect(loaded.body.pipeline.spec).toEqual(newPipeline('hello').spec);
    // The entity's CI/CD tab lists it.
    await waitFor(
      async () =>
        (
          await call('get', '/pipelines', SHOP)
        ).body.items?.map((p: any) => p.name),
      names => Boolean(names?.includes('hello')),
      'the new pipeline in the entity list',
    );
  });

  it('refuses to create a Pipeline whose name is taken', async () => {
    const res = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: newPipeline('hello', { description: 'another' }),
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'pipeline "hello" already exists in namespace "ci" on cluster "dev"; choose another name, or open that one to edit it',
    );
    expect(
      ((await readFromCluster('ci', 'hello')) as any).spec.description,
    ).toBe('first version');
  });

  it('updates a Pipeline from the version loaded; it keeps its identity, labels and annotations', async () => {
    const loaded = (await read(SHOP, 'ci', 'hello')).body;
    const before = (await readFromCluster('ci', 'hello')) as any;
    // What the editor sends: user-owned fields only.
    const { uid, resourceVersion, generation, creationTimestamp, ...meta } =
      loaded.pipeline.metadata;
    const edited = {
      ...loaded.pipeline,
      metadata: meta,
      spec: { ...loaded.pipeline.spec, description: 'second version' },
    };
    delete edited.status;
    const res = await update(SHOP, 'ci', 'hello', {
      pipeline: edited,
      resourceVersion: loaded.resourceVersion,
    });
    expect(res.status).toBe(200);
    const after = (await readFromCluster('ci', 'hello')) as any;
    expect(res.body.resourceVersion).toBe(after.metadata.resourceVersion);
    expect(after.metadata.resourceVersion).not.toBe(loaded.resourceVersion);
    expect(after.spec).toEqual({
      ...newPipeline('hello').spec,
      description: 'second version',
    });
    expect(after.metadata).toMatchObject({
      uid: before.metadata.uid,
      creationTimestamp: before.metadata.creationTimestamp,
      labels: { 'backstage.io/kubernetes-id': 'shop' },
      annotations: { 'example.com/note': 'kept' },
    });
    expect(audit).toContainEqual({
      eventId: 'pipeline-definition-update',
      meta: {
        entityRef: SHOP,
        cluster: 'dev',
        namespace: 'ci',
        name: 'hello',
        loadedResourceVersion: loaded.resourceVersion,
      },
      outcome: 'success',
    });
  });

  it("refuses an update made from a stale version and keeps the other person's change", async () => {
    const loaded = (await read(SHOP, 'ci', 'hello')).body;
    // Someone else changes the Pipeline after it was loaded.
    const theirs = (await readFromCluster('ci', 'hello')) as any;
    await tc.custom.replaceNamespacedCustomObject({
      ...TEKTON,
      namespace: 'ci',
      name: 'hello',
      body: { ...theirs, spec: { ...theirs.spec, description: 'theirs' } },
    });
    const res = await update(SHOP, 'ci', 'hello', {
      pipeline: {
        ...loaded.pipeline,
        spec: { ...loaded.pipeline.spec, description: 'mine' },
      },
      resourceVersion: loaded.resourceVersion,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'pipeline "hello" was changed by someone else since you loaded it; reload it and apply your change again',
    );
    expect(
      ((await readFromCluster('ci', 'hello')) as any).spec.description,
    ).toBe('theirs');
    expect(audit[audit.length - 1]).toMatchObject({
      eventId: 'pipeline-definition-update',
      outcome: 'fail',
    });
  });

  it('refuses changes to a non-owner and writes nothing', async () => {
    const loaded = (await read(CART, 'ci', 'cart-build')).body;
    expect(loaded.name).toBe('cart-build');
    const auditsBefore = audit.length;
    const res = await update(CART, 'ci', 'cart-build', {
      pipeline: { ...loaded.pipeline, spec: { tasks: [] } },
      resourceVersion: loaded.resourceVersion,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you may not update pipelines of component:default/cart (permission pipelines.pipeline.update); ask its owners or the ops group',
    );
    const created = await create(CART, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: newPipeline('cart-new'),
    });
    expect(created.status).toBe(403);
    // Both refusals are recorded, with their reasons.
    expect(audit.slice(auditsBefore)).toEqual([
      expect.objectContaining({
        eventId: 'pipeline-definition-update',
        outcome: 'fail',
        error: res.body.error.message,
      }),
      expect.objectContaining({
        eventId: 'pipeline-definition-create',
        outcome: 'fail',
        error: created.body.error.message,
      }),
    ]);
    expect(
      ((await readFromCluster('ci', 'cart-build')) as any).metadata
        .resourceVersion,
    ).toBe(loaded.resourceVersion);
    await expect(readFromCluster('ci', 'cart-new')).rejects.toMatchObject({
      code: 404,
    });
  });

  it('refuses an invalid Pipeline with each problem and where it is, and creates nothing', async () => {
    const pipeline = newPipeline('broken');
    delete (pipeline.spec.tasks[0].taskSpec.steps[0] as any).image;
    const res = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'pipeline "broken" is not valid: ',
    );
    expect(res.body.error.message).toContain(
      'spec.tasks[0].taskSpec.steps[0].image',
    );
    await expect(readFromCluster('ci', 'broken')).rejects.toMatchObject({
      code: 404,
    });

    // Checked against the namespace's Tasks: git-clone needs a url.
    const unbound = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: newPipeline('clone', {
        workspaces: [{ name: 'src' }],
        tasks: [
          {
            name: 'fetch',
            taskRef: { name: 'git-clone' },
            workspaces: [{ name: 'output', workspace: 'src' }],
          },
        ],
      }),
    });
    expect(unbound.status).toBe(400);
    expect(unbound.body.error.message).toContain(
      'pipeline "clone" is not valid: spec.tasks[0].params: missing parameters: [url]',
    );

    const wrongKind = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: { ...newPipeline('x'), apiVersion: 'tekton.dev/v1beta1' },
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.message).toBe(
      'invalid body: pipeline.apiVersion: must be tekton.dev/v1: the builder writes Tekton v1 Pipelines',
    );
  });

  it('refuses a field Tekton does not have (spec.bogus) on create and on update, naming it, and writes nothing', async () => {
    const refusal =
      'spec.bogus: unknown field "spec.bogus"; a Tekton v1 Pipeline has no such field';
    const created = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: newPipeline('bogus', { bogus: 'yes' }),
    });
    expect(created.status).toBe(400);
    expect(created.body.error.message).toContain(
      `pipeline "bogus" is not valid: ${refusal}`,
    );
    await expect(readFromCluster('ci', 'bogus')).rejects.toMatchObject({
      code: 404,
    });

    const loaded = (await read(SHOP, 'ci', 'hello')).body;
    const updated = await update(SHOP, 'ci', 'hello', {
      pipeline: {
        ...loaded.pipeline,
        spec: { ...loaded.pipeline.spec, bogus: 'yes' },
      },
      resourceVersion: loaded.resourceVersion,
    });
    expect(updated.status).toBe(400);
    expect(updated.body.error.message).toContain(
      `pipeline "hello" is not valid: ${refusal}`,
    );
    const inCluster = (await readFromCluster('ci', 'hello')) as any;
    expect(inCluster.metadata.resourceVersion).toBe(loaded.resourceVersion);
    expect(inCluster.spec).not.toHaveProperty('bogus');
  });

  it('says when the name or namespace in the object differ from where it is saved', async () => {
    const loaded = (await read(SHOP, 'ci', 'hello')).body;
    const renamed = await update(SHOP, 'ci', 'hello', {
      pipeline: {
        ...loaded.pipeline,
        metadata: { ...loaded.pipeline.metadata, name: 'hello-2' },
      },
      resourceVersion: loaded.resourceVersion,
    });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.message).toBe(
      'metadata.name is "hello-2" but the Pipeline saved is "hello"; a Pipeline cannot be renamed: create one with the new name instead',
    );
    const moved = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: {
        ...newPipeline('moved'),
        metadata: { name: 'moved', namespace: 'other' },
      },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toBe(
      'metadata.namespace is "other" but the Pipeline is saved in namespace "ci"; make them the same',
    );
  });

  it("treats another entity's Pipeline as not found", async () => {
    const res = await read(SHOP, 'ci', 'cart-build');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'pipeline "cart-build" not found in namespace "ci" on cluster "dev" for component:default/shop (its pipelines are those matching backstage.io/kubernetes-id=shop)',
    );
    const cart = (await read(CART, 'ci', 'cart-build')).body;
    const put = await update(SHOP, 'ci', 'cart-build', {
      pipeline: cart.pipeline,
      resourceVersion: cart.resourceVersion,
    });
    expect(put.status).toBe(404);
    expect(
      ((await readFromCluster('ci', 'cart-build')) as any).metadata.labels,
    ).toEqual({ 'backstage.io/kubernetes-id': 'cart' });
    // A Pipeline outside the entity's namespace is not found either.
    expect((await read(CART, 'other', 'cart-build')).status).toBe(404);
  });

  it("sets the equality labels of an entity's label selector, and refuses one it cannot match", async () => {
    const res = await create(WEB, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: {
        ...newPipeline('web-build'),
        metadata: { name: 'web-build', labels: { tier: 'front' } },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.pipeline.metadata.labels).toEqual({
      app: 'web',
      tier: 'front',
    });
    const unmatched = await create(WEB, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: newPipeline('web-other'),
    });
    expect(unmatched.status).toBe(400);
    expect(unmatched.body.error.message).toBe(
      `the Pipeline's labels do not match "app=web,tier in (front,back)", the label selector of component:default/web, so its CI/CD tab would not find it; set metadata.labels so they match`,
    );
    const taken = await create(SHOP, {
      cluster: 'dev',
      namespace: 'ci',
      pipeline: {
        ...newPipeline('shop-x'),
        metadata: {
          name: 'shop-x',
          labels: { 'backstage.io/kubernetes-id': 'cart' },
        },
      },
    });
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toBe(
      'metadata.labels["backstage.io/kubernetes-id"] is "cart", but the Pipelines of component:default/shop carry "shop"; remove the label or set it to "shop"',
    );
  });

  it("refuses a namespace outside the entity's", async () => {
    const web = await create(WEB, {
      cluster: 'dev',
      namespace: 'other',
      pipeline: newPipeline('web-elsewhere'),
    });
    expect(web.status).toBe(400);
    expect(web.body.error.message).toBe(
      'the Pipelines of component:default/web are in namespace "ci" (its backstage.io/kubernetes-namespace annotation), not "other"',
    );
  });

  it('says which grant the portal service account lacks when the cluster refuses', async () => {
    const res = await create(OUTSIDER, {
      cluster: 'dev',
      namespace: 'other',
      pipeline: newPipeline('outside'),
    });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain(
      `the portal's service account may not create pipelines.tekton.dev in namespace "other" on cluster "dev": grant it "create" on "pipelines" in API group "tekton.dev"`,
    );
  });

  it('lists the Tasks of a namespace with their params, workspaces and results', async () => {
    const list = await waitFor(
      async () =>
        (
          await call('get', '/tasks', CART).query({
            cluster: 'dev',
            namespace: 'ci',
          })
        ).body,
      body => body.items?.length > 0,
      'the Tasks of namespace ci',
    );
    expect(list.clusterErrors).toEqual([]);
    expect(list.items).toHaveLength(1);
    const { task, ...summary } = list.items[0];
    expect(summary).toEqual({
      cluster: 'dev',
      namespace: 'ci',
      name: 'git-clone',
      description: 'Clones a repository',
      params: [
        {
          name: 'url',
          type: 'string',
          description: 'repository URL',
          required: true,
        },
        {
          name: 'depth',
          type: 'string',
          required: false,
          default: '1',
          initialValue: '1',
        },
        {
          name: 'mode',
          type: 'string',
          required: false,
          default: 'shallow',
          enum: ['full', 'shallow'],
          initialValue: 'shallow',
        },
      ],
      workspaces: [
        { name: 'output', optional: false },
        { name: 'ssh', description: 'SSH keys', optional: true },
      ],
      results: [{ name: 'commit', description: 'the commit cloned' }],
    });
    expect(task.spec.steps).toEqual([
      { name: 'clone', image: 'alpine/git', script: 'git clone' },
    ]);
    const outside = await call('get', '/tasks', CART).query({
      cluster: 'dev',
      namespace: 'other',
    });
    expect(outside.status).toBe(400);
    const missing = await call('get', '/tasks', CART).query({ cluster: 'dev' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe(
      'invalid query: namespace: is required: the namespace of the Tasks',
    );
  });

  it('tells where an entity may create Pipelines', async () => {
    const shop = await call('get', '/targets', SHOP);
    expect(shop.body).toEqual({ clusters: ['dev'] });
    const cart = await call('get', '/targets', CART);
    expect(cart.body).toEqual({ clusters: ['dev'], namespace: 'ci' });
  });
});
