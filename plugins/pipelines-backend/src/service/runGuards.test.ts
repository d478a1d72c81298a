import {
  auditRecorder,
  component,
  permissionPolicy,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
  WRITABLE_NAMESPACE,
} from '../__testUtils__/tektonCluster';
import {
  PipelinesTestBackend,
  startPipelinesTestBackend,
} from '../__testUtils__/testBackend';

/*
 * What keeps a run to its own entity and its caller to their rights,
 * against a dev cluster with Tekton: the objects a run may mount as
 * workspaces in a namespace two teams share, the permission that starts a
 * held run, label selectors the API server would refuse, and the audit of
 * every refused change.
 */

jest.setTimeout(180_000);

const SHOP = 'component:default/shop';
const CART = 'component:default/cart';
const NS = WRITABLE_NAMESPACE;
const STARTER = 'user:default/starter';
const CANCELLER = 'user:default/canceller';

const entities = [
  component('shop', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-id': 'shop',
  }),
  component('cart', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-id': 'cart',
  }),
  component('web', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-label-selector': 'app=web,tier in (frontend)',
  }),
];
const WEB = 'component:default/web';
const WEB_LABELS = { app: 'web', tier: 'frontend' };

const RUNS = { ...tektonObjects('pipelineruns'), namespace: NS };

describe('run guards against a dev cluster with Tekton', () => {
  let tc: TektonTestCluster;
  let backend: PipelinesTestBackend;
  const auditor = auditRecorder();
  const policy = permissionPolicy(({ permission }, user) => {
    if (permission === 'pipelines.run.read') return true;
    if (user === STARTER) return permission !== 'pipelines.run.cancel';
    if (user === CANCELLER) return permission === 'pipelines.run.cancel';
    return true;
  });

  beforeAll(async () => {
    tc = await startTektonTestCluster();
    const core = tc.admin.makeApiClient(CoreV1Api);
    const labelled = (name: string, id?: string) => ({
      name,
      ...(id ? { labels: { 'backstage.io/kubernetes-id': id } } : {}),
    });
    for (const [name, id] of [
      ['shop-token', 'shop'],
      ['cart-token', 'cart'],
      ['shared-ca', undefined],
    ] as const) {
      await core.createNamespacedSecret({
        namespace: NS,
        body: { metadata: labelled(name, id), stringData: { value: name } },
      });
    }
    for (const [name, labels] of [
      ['web-token', WEB_LABELS],
      ['web-backend-token', { app: 'web', tier: 'backend' }],
    ] as const) {
      await core.createNamespacedSecret({
        namespace: NS,
        body: { metadata: { name, labels }, stringData: { value: name } },
      });
    }
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: labelled('cart-config', 'cart'), data: { a: 'b' } },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace: NS,
      body: {
        metadata: labelled('cart-cache', 'cart'),
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    for (const [name, labels] of [
      ['deploy', { 'backstage.io/kubernetes-id': 'shop' }],
      ['web-deploy', WEB_LABELS],
    ] as const) {
      await tc.custom.createNamespacedCustomObject({
        ...tektonObjects('pipelines'),
        namespace: NS,
        body: {
          apiVersion: 'tekton.dev/v1',
          kind: 'Pipeline',
          metadata: { name, labels },
          spec: {
            workspaces: [{ name: 'creds' }],
            tasks: [
              {
                name: 'push',
                workspaces: [{ name: 'creds', workspace: 'creds' }],
                taskSpec: {
                  workspaces: [{ name: 'creds' }],
                  steps: [{ name: 'push', image: 'alpine', script: 'true' }],
                },
              },
            ],
          },
        },
      });
    }
    backend = await startPipelinesTestBackend({
      cluster: tc,
      entities,
      permissions: policy.permissions.factory,
      features: auditor.factories,
      config: {
        pipelines: {
          workspaces: { secrets: [{ name: 'shared-ca', namespace: NS }] },
        },
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await tc?.stop();
  });

  const runNames = async () =>
    (
      (await tc.custom.listNamespacedCustomObject(RUNS)) as {
        items: Array<{ metadata: { name: string } }>;
      }
    ).items
      .map(r => r.metadata.name)
      .sort();

  /** Starts `deploy` held (nothing of it runs) with `creds` bound as given. */
  const startWith = (creds: object, headers = userAuth()) =>
    backend.call('post', '/runs', SHOP, headers).send({
      cluster: 'dev',
      namespace: NS,
      pipeline: 'deploy',
      pending: true,
      workspaces: [{ name: 'creds', ...creds }],
    });

  describe('workspaces in a namespace two teams share', () => {
    it("binds the entity's own Secret", async () => {
      const res = await startWith({ secret: { secretName: 'shop-token' } });
      expect(res.status).toBe(201);
    });

    it('binds an object pipelines.workspaces lists', async () => {
      const res = await startWith({ secret: { secretName: 'shared-ca' } });
      expect(res.status).toBe(201);
    });

    it.each([
      [
        'Secret',
        'cart-token',
        { secret: { secretName: 'cart-token' } },
        'secrets',
      ],
      [
        'ConfigMap',
        'cart-config',
        { configMap: { name: 'cart-config' } },
        'configMaps',
      ],
      [
        'PersistentVolumeClaim',
        'cart-cache',
        { persistentVolumeClaim: { claimName: 'cart-cache' } },
        'persistentVolumeClaims',
      ],
    ])(
      "refuses another team's %s, naming it, and creates nothing",
      async (kind, name, creds, list) => {
        const before = await runNames();
        const res = await startWith(creds);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `workspace "creds" binds the ${kind} "${name}" in namespace "${NS}", which does not belong to ${SHOP} (its objects match backstage.io/kubernetes-id=shop) and is not listed in pipelines.workspaces.${list}; bind one of the entity's own, label this one for the entity if it is the entity's, or ask the platform team to list it in pipelines.workspaces.${list} in app-config`,
        );
        expect(await runNames()).toEqual(before);
      },
    );

    it("goes by the entity's label selector when it has one", async () => {
      const startWeb = (secretName: string) =>
        backend.call('post', '/runs', WEB).send({
          cluster: 'dev',
          namespace: NS,
          pipeline: 'web-deploy',
          pending: true,
          workspaces: [{ name: 'creds', secret: { secretName } }],
        });
      expect((await startWeb('web-token')).status).toBe(201);
      const other = await startWeb('web-backend-token');
      expect(other.status).toBe(403);
      expect(other.body.error.message).toContain(
        `the Secret "web-backend-token" in namespace "${NS}", which does not belong to ${WEB} (its objects match app=web,tier in (frontend))`,
      );
    });

    it('refuses a Secret that does not exist, which anyone could create later', async () => {
      const res = await startWith({ secret: { secretName: 'nowhere' } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `workspace "creds" binds the Secret "nowhere" in namespace "${NS}", which does not exist; create it labelled for ${SHOP} (backstage.io/kubernetes-id=shop) or bind another`,
      );
    });

    it('applies the same rule to a rerun of a run started outside the portal', async () => {
      await tc.custom.createNamespacedCustomObject({
        ...RUNS,
        body: {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          metadata: {
            name: 'with-cart-token',
            labels: { 'backstage.io/kubernetes-id': 'shop' },
          },
          spec: {
            pipelineRef: { name: 'deploy' },
            status: 'PipelineRunPending',
            workspaces: [
              { name: 'creds', secret: { secretName: 'cart-token' } },
            ],
          },
        },
      });
      await waitFor(
        () => backend.call('get', `/runs/dev/${NS}/with-cart-token`, SHOP),
        res => res.status === 200,
        'the run to be seen',
      );
      const before = await runNames();
      const res = await backend
        .call('post', `/runs/dev/${NS}/with-cart-token/rerun`, SHOP)
        .send({});
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /^run "with-cart-token" cannot be rerun: workspace "creds" binds the Secret "cart-token" in namespace "ci", which does not belong to component:default\/shop/,
      );
      expect(await runNames()).toEqual(before);
      expect(auditor.events).toContainEqual({
        eventId: 'pipeline-run-rerun',
        meta: {
          entityRef: SHOP,
          cluster: 'dev',
          namespace: NS,
          name: 'with-cart-token',
        },
        outcome: 'fail',
        error: res.body.error.message,
      });
    });
    it("holds a rerun's pod template volumes to the same rule", async () => {
      await tc.custom.createNamespacedCustomObject({
        ...RUNS,
        body: {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          metadata: {
            name: 'with-pod-volumes',
            labels: { 'backstage.io/kubernetes-id': 'shop' },
          },
          spec: {
            pipelineRef: { name: 'deploy' },
            status: 'PipelineRunPending',
            taskRunTemplate: {
              podTemplate: {
                volumes: [
                  { name: 'cart', secret: { secretName: 'cart-token' } },
                ],
              },
            },
            taskRunSpecs: [
              {
                pipelineTaskName: 'deploy',
                podTemplate: {
                  volumes: [{ name: 'host', hostPath: { path: '/' } }],
                },
              },
            ],
          },
        },
      });
      await waitFor(
        () => backend.call('get', `/runs/dev/${NS}/with-pod-volumes`, SHOP),
        res => res.status === 200,
        'the run to be seen',
      );
      const before = await runNames();
      const res = await backend
        .call('post', `/runs/dev/${NS}/with-pod-volumes/rerun`, SHOP)
        .send({});
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        `pod template volume "cart" binds the Secret "cart-token" in namespace "${NS}", which does not belong to ${SHOP}`,
      );
      expect(res.body.error.message).toContain(
        `pod template volume "host" mounts a hostPath volume, whose contents the portal cannot tell belong to ${SHOP}`,
      );
      expect(await runNames()).toEqual(before);
    });
  });

  describe('a run held pending', () => {
    let held: string;
    beforeAll(async () => {
      const res = await startWith({ secret: { secretName: 'shop-token' } });
      if (res.status !== 201) {
        throw new Error(`could not start a held run: ${res.text}`);
      }
      held = res.body.name;
      await waitFor(
        () => backend.call('get', `/runs/dev/${NS}/${held}`, SHOP),
        r => r.status === 200,
        'the held run to be seen',
      );
    });
    const start = (user: string) =>
      backend.call(
        'post',
        `/runs/dev/${NS}/${held}/start`,
        SHOP,
        userAuth(user),
      );

    it('is not started with only the permission to cancel', async () => {
      const res = await start(CANCELLER);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `you may not create pipeline runs of ${SHOP} (permission pipelines.run.create); ask its owners or the ops group`,
      );
      const run = (await tc.custom.getNamespacedCustomObject({
        ...RUNS,
        name: held,
      })) as any;
      expect(run.spec.status).toBe('PipelineRunPending');
    });

    it('is started with the permission to start runs', async () => {
      const res = await start(STARTER);
      expect(res.status).toBe(204);
      const run = (await tc.custom.getNamespacedCustomObject({
        ...RUNS,
        name: held,
      })) as any;
      expect(run.spec.status).toBeUndefined();
    });
  });

  it('rejects a label selector the API server would, in its words', async () => {
    for (const [label, message] of [
      ['a=b,,,', "found ',', expected: identifier after ','"],
      [
        'a in (b',
        "unable to parse requirement: found '', expected: ',' or ')'",
      ],
    ]) {
      const res = await backend.call('get', '/runs', SHOP).query({ label });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `invalid query: label: ${JSON.stringify(
          label,
        )} is not a label selector: ${message}`,
      );
    }
    // "()" is the empty value to the API server, not an error.
    const empty = await backend
      .call('get', '/runs', SHOP)
      .query({ label: 'a in ()' });
    expect(empty.status).toBe(200);
  });

  it('records every refused change with the auditor: who, what, which entity, why', async () => {
    const refused = [
      await backend
        .call('post', '/runs', CART, userAuth(CANCELLER))
        .send({ cluster: 'dev', namespace: NS, pipeline: 'deploy' }),
      await backend
        .call('post', `/runs/dev/${NS}/x/rerun`, CART, userAuth(CANCELLER))
        .send({}),
      await backend
        .call('post', `/runs/dev/${NS}/x/cancel`, CART, userAuth(STARTER))
        .send({}),
      await backend.call(
        'post',
        `/runs/dev/${NS}/x/start`,
        CART,
        userAuth(CANCELLER),
      ),
      await backend.call(
        'delete',
        `/runs/dev/${NS}/x`,
        CART,
        userAuth(CANCELLER),
      ),
      await backend.call('post', '/pipelines', CART, userAuth(CANCELLER)).send({
        cluster: 'dev',
        namespace: NS,
        pipeline: {
          apiVersion: 'tekton.dev/v1',
          kind: 'Pipeline',
          metadata: { name: 'p' },
          spec: { tasks: [] },
        },
      }),
      await backend
        .call('put', `/pipelines/dev/${NS}/deploy`, CART, userAuth(CANCELLER))
        .send({
          resourceVersion: '1',
          pipeline: {
            apiVersion: 'tekton.dev/v1',
            kind: 'Pipeline',
            metadata: { name: 'deploy' },
            spec: { tasks: [] },
          },
        }),
    ];
    expect(refused.map(r => r.status)).toEqual([
      403, 403, 403, 403, 403, 403, 403,
    ]);
    const failed = auditor.log.filter(
      e => e.status === 'failed' && e.meta?.entityRef === CART,
    );
    expect(
      failed.map(e => ({
        eventId: e.eventId,
        actor: e.actor.actorId,
        severityLevel: e.severityLevel,
        error: e.error,
      })),
    ).toEqual(
      [
        [
          'pipeline-run-start',
          CANCELLER,
          'create pipeline runs',
          'pipelines.run.create',
        ],
        [
          'pipeline-run-rerun',
          CANCELLER,
          'create pipeline runs',
          'pipelines.run.rerun',
        ],
        [
          'pipeline-run-cancel',
          STARTER,
          'update pipeline runs',
          'pipelines.run.cancel',
        ],
        [
          'pipeline-run-start-pending',
          CANCELLER,
          'create pipeline runs',
          'pipelines.run.create',
        ],
        [
          'pipeline-run-delete',
          CANCELLER,
          'delete pipeline runs',
          'pipelines.run.delete',
        ],
        [
          'pipeline-definition-create',
          CANCELLER,
          'update pipelines',
          'pipelines.pipeline.update',
        ],
        [
          'pipeline-definition-update',
          CANCELLER,
          'update pipelines',
          'pipelines.pipeline.update',
        ],
      ].map(([eventId, actor, what, permission], i) => {
        expect(refused[i].body.error.message).toBe(
          `you may not ${what} of ${CART} (permission ${permission}); ask its owners or the ops group`,
        );
        return {
          eventId,
          actor,
          severityLevel: 'medium',
          error: refused[i].body.error.message,
        };
      }),
    );
  });
});
