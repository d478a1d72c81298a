import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { jsonLogger, Manager } from '@cairn/controller-runtime';
import { stoneCrd, Stone, StoneStage } from '@cairn/operators-api';
import { stoneController } from '@cairn/operators-stone';
import { decide } from '@cairn/plugin-permission-backend-module-cairn';
import type { StoneSummary } from '@cairn/plugin-rollouts-common';
import {
  auditRecorder,
  component,
  PortalTestCluster,
  startPortalTestCluster,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  CustomObjectsApi,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import request from 'supertest';
import { rolloutsPlugin } from '../plugin';

/*
 * The Rollouts API on a dev cluster that runs the Stone operator, read and
 * patched as the portal's service account with the shipped RBAC
 * (examples/kubernetes/portal-access.yaml), with the Cairn policy's rules
 * deciding who may do what: `web` belongs to team-a (Ann), ops is Olga, Bob
 * is on another team.
 */

jest.setTimeout(240_000);

const NAMESPACE = 'shop';
const OPS = 'user:default/olga';
const OWNER = 'user:default/ann';
const OTHER = 'user:default/bob';
const CLAIMS: Record<string, string[]> = {
  [OPS]: [OPS, 'group:default/ops'],
  [OWNER]: [OWNER, 'group:default/team-a'],
  [OTHER]: [OTHER, 'group:default/team-b'],
};
const WEB = 'component:default/web';
/** The stages owners may approve, for the policy and the notifications alike. */
const OWNER_APPROVABLE_STAGES: StoneStage[] = ['Alpha', 'Beta'];
const entities = [
  component('web', { 'backstage.io/kubernetes-id': 'web' }, 'team-a'),
  component('other', { 'backstage.io/kubernetes-id': 'other' }, 'team-b'),
];
const OWNER_OF: Record<string, string> = {
  [WEB]: 'group:default/team-a',
  'component:default/other': 'group:default/team-b',
};
const STONE_API = {
  group: 'rollouts.cairn.dev',
  version: 'v1alpha1',
  plural: 'stones',
  namespace: NAMESPACE,
};

/**
 * The Cairn policy's rules for each user; the catalog's IS_ENTITY_OWNER
 * condition on an entity permission is applied as the catalog would.
 */
const permissions = mockServices.permissions.mock({
  authorize: async (requests, { credentials }) => {
    const user = (credentials.principal as any).userEntityRef as string;
    const requester = {
      userEntityRef: user,
      ownershipEntityRefs: CLAIMS[user],
    };
    return requests.map(r => {
      const decision = decide((r as any).permission, requester, {
        opsGroups: ['group:default/ops'],
      });
      if (decision.result !== AuthorizeResult.CONDITIONAL) return decision;
      const owner = OWNER_OF[(r as any).resourceRef];
      return {
        result: CLAIMS[user].includes(owner)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }) as any;
  },
  authorizeConditional: async (requests, { credentials }) => {
    const user = (credentials.principal as any).userEntityRef as string;
    const requester = {
      userEntityRef: user,
      ownershipEntityRefs: CLAIMS[user],
    };
    return requests.map(r =>
      decide((r as any).permission, requester, {
        opsGroups: ['group:default/ops'],
        ownerApprovableStages: OWNER_APPROVABLE_STAGES,
      }),
    ) as PolicyDecision[] as any;
  },
});

const sentNotifications: any[] = [];
const publishedSignals: any[] = [];

let cluster: PortalTestCluster;
let manager: Manager;
let custom: CustomObjectsApi;
let backend: TestBackend;
const audit = auditRecorder();

const readStone = async () =>
  (await custom.getNamespacedCustomObject({
    ...STONE_API,
    name: 'web',
  })) as Stone;

const stageDone = (stage: string) => (stone: Stone) =>
  stone.spec.strategy === stage &&
  stone.status?.stage === stage &&
  stone.status?.observedGeneration === stone.metadata.generation &&
  !!stone.status?.stageComplete;

const api = (
  method: 'get' | 'post',
  path: string,
  user: string,
  entityRef: string | undefined = WEB,
) =>
  request(backend.server)
    [method](`/api/rollouts${path}`)
    .query(entityRef ? { entityRef } : {})
    .set(userAuth(user));

beforeAll(async () => {
  cluster = await startPortalTestCluster({ namespaces: [NAMESPACE] });
  // client-node serializes a body through its model of the kind, which
  // drops fields a plain object spells as in YAML (x-kubernetes-int-or-string);
  // loadYaml builds that model.
  await KubernetesObjectApi.makeApiClient(cluster.admin).create(
    loadYaml<KubernetesObject>(JSON.stringify(stoneCrd)),
  );
  custom = cluster.admin.makeApiClient(CustomObjectsApi);
  await waitFor(
    () =>
      custom
        .listNamespacedCustomObject(STONE_API)
        .then(() => true)
        .catch(() => false),
    served => served,
    'the Stone CRD to be served',
  );
  manager = new Manager({
    kubeConfig: cluster.admin,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    leaderElection: { namespace: 'cairn-system', id: 'rollouts-test' },
    logger: jsonLogger(() => {}),
  });
  await manager.add(stoneController());
  await manager.start();

  const zoneset = (zone: string) => [
    {
      zone: `local-1${zone}`,
      rack: `local-1${zone}-r1`,
      host: `node-${zone}1-1`,
    },
    {
      zone: `local-1${zone}`,
      rack: `local-1${zone}-r2`,
      host: `node-${zone}2-1`,
    },
  ];
  await custom.createNamespacedCustomObject({
    ...STONE_API,
    body: {
      apiVersion: 'rollouts.cairn.dev/v1alpha1',
      kind: 'Stone',
      metadata: {
        name: 'web',
        labels: { 'backstage.io/kubernetes-id': 'web' },
      },
      spec: {
        strategy: 'Release',
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
        coordinates: ['a', 'b', 'c'].map(zone => ({
          group: zone,
          replicas: 2,
          zoneset: zoneset(zone),
        })),
      },
    },
  });
  const released = await waitFor(
    readStone,
    stone =>
      stageDone('Release')(stone) &&
      stone.status?.currentRevision === stone.status?.updateRevision,
    'the first release',
    120_000,
  );
  // An update to 1.28, taken to Beta: Omega awaits approval.
  await custom.patchNamespacedCustomObject(
    {
      ...STONE_API,
      name: 'web',
      body: {
        metadata: { resourceVersion: released.metadata.resourceVersion },
        spec: {
          strategy: 'Beta',
          template: {
            spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] },
          },
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await waitFor(readStone, stageDone('Beta'), 'stage Beta', 120_000);

  backend = await startTestBackend({
    features: [
      rolloutsPlugin,
      catalogServiceMock.factory({ entities }),
      permissions.factory,
      ...audit.factories,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: cluster.kubernetesConfig as any,
          cairn: {
            permission: {
              rollouts: { ownerApprovableStages: OWNER_APPROVABLE_STAGES },
            },
          },
        },
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (n: any) => {
            sentNotifications.push(n);
          },
        }),
      }),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({
          publish: async (s: any) => {
            publishedSignals.push(s);
          },
        }),
      }),
    ],
  });
});

afterAll(async () => {
  await backend?.stop();
  await manager?.stop();
  await cluster?.stop();
});

it('lists the entity’s Stones and shows one with its pods, revisions and stage', async () => {
  const list = await waitFor(
    () => api('get', '/stones', OTHER),
    res => res.status === 200 && res.body.items.length === 1,
    'the Stone in the list',
  );
  expect(list.body.items[0]).toMatchObject({
    cluster: 'dev',
    namespace: NAMESPACE,
    name: 'web',
    entityRef: WEB,
    strategy: 'Beta',
    stageComplete: true,
    replicas: 6,
    updatedReplicas: 3,
  });
  expect(list.body.clusterErrors).toEqual([]);
  // Across every readable entity, without one.
  const all = await api('get', '/stones', OTHER, undefined);
  expect(all.body.items.map((s: any) => s.entityRef)).toEqual([WEB]);
  // Another entity has none.
  const none = await api('get', '/stones', OTHER, 'component:default/other');
  expect(none.body.items).toEqual([]);

  const detail = await waitFor(
    () => api('get', `/stones/dev/${NAMESPACE}/web`, OTHER),
    res => res.status === 200 && res.body.pods.length === 6,
    'the Stone’s pods',
  );
  const stone = detail.body;
  expect(stone.summary.strategy).toBe('Beta');
  expect(stone.revisions).toHaveLength(2);
  expect(stone.revisions[0].name).toBe(stone.summary.updateRevision);
  // One pod per zone runs the update revision in Beta.
  const updated = stone.pods.filter(
    (p: any) => p.revision === stone.summary.updateRevision,
  );
  expect(updated.map((p: any) => p.zone).sort()).toEqual([
    'local-1a',
    'local-1b',
    'local-1c',
  ]);
  expect(stone.pods[0]).toMatchObject({ rack: expect.any(String) });

  // Not another entity's.
  const elsewhere = await api(
    'get',
    `/stones/dev/${NAMESPACE}/web`,
    OTHER,
    'component:default/other',
  );
  expect(elsewhere.status).toBe(404);
});

it('refuses every action to other teams and stage approval to owners, changing nothing', async () => {
  const before = await readStone();
  const body = { resourceVersion: before.metadata.resourceVersion };
  const attempts: Array<[string, string, object]> = [
    [OTHER, 'update', { ...body, images: { web: 'nginx:1.26' } }],
    [OTHER, 'pause', body],
    [OTHER, 'resume', body],
    [OTHER, 'abort', body],
    [OTHER, 'rollback', { ...body, revision: before.status!.currentRevision }],
    [OTHER, 'approve', { ...body, stage: 'Omega' }],
    // Owners may approve only the stages the config lists (here Alpha and Beta).
    [OWNER, 'approve', { ...body, stage: 'Omega' }],
  ];
  for (const [user, action, payload] of attempts) {
    const res = await api(
      'post',
      `/stones/dev/${NAMESPACE}/web/${action}`,
      user,
    ).send(payload);
    expect({ user, action, status: res.status }).toEqual({
      user,
      action,
      status: 403,
    });
  }
  const after = await readStone();
  expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  expect(
    audit.events.filter(e => e.outcome === 'fail').map(e => e.eventId),
  ).toEqual([
    'rollouts-update-start',
    'rollouts-update-pause',
    'rollouts-update-resume',
    'rollouts-update-abort',
    'rollouts-update-rollback',
    'rollouts-stage-approve',
    'rollouts-stage-approve',
  ]);
});

it('lets owners pause and resume their update, notifying them of the pause, refusing a stale view with 409 but not a status write when the generation is sent', async () => {
  const before = await readStone();
  const paused = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/pause`,
    OWNER,
  ).send({ resourceVersion: before.metadata.resourceVersion });
  expect(paused.status).toBe(200);
  expect((await readStone()).spec.paused).toBe(true);

  // The same view again: the Stone changed since.
  const stale = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/resume`,
    OWNER,
  ).send({ resourceVersion: before.metadata.resourceVersion });
  expect(stale.status).toBe(409);
  expect(stale.body.error.message).toContain(
    'the Stone changed since you loaded it',
  );
  expect((await readStone()).spec.paused).toBe(true);

  // Once the operator reports the pause, the Stone stays as it is.
  const observed = await waitFor(
    readStone,
    s =>
      s.status?.observedGeneration === s.metadata.generation &&
      !!s.status?.conditions?.some(
        c => c.type === 'Paused' && c.status === 'True',
      ),
    'the operator to report the pause',
  );
  // The entity's owners hear of it, once; ops are not told of owners' pauses.
  const pausedNotice = (n: any) =>
    n.payload.title === 'The update of Stone shop/web is paused at stage Beta';
  await waitFor(
    () => sentNotifications.filter(pausedNotice),
    sent => sent.length > 0,
    'the owners’ notification of the pause',
  );
  expect(sentNotifications.filter(pausedNotice)).toEqual([
    {
      recipients: { type: 'entity', entityRef: ['group:default/team-a'] },
      payload: expect.objectContaining({
        severity: 'high',
        topic: 'rollouts',
        link: '/catalog/default/component/web/rollouts',
        description:
          'Paused from the portal or the Stone’s spec; resume it, roll back or abort.',
      }),
    },
  ]);
  // The operator's status write made the page's resourceVersion stale,
  // not its spec: a request that sends the generation it saw is not refused.
  const seen = paused.body as StoneSummary;
  expect(observed.metadata.resourceVersion).not.toBe(seen.resourceVersion);
  expect(observed.metadata.generation).toBe(seen.generation);
  const byVersionOnly = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/resume`,
    OWNER,
  ).send({ resourceVersion: seen.resourceVersion });
  expect(byVersionOnly.status).toBe(409);
  const resumed = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/resume`,
    OWNER,
  ).send({
    resourceVersion: seen.resourceVersion,
    generation: seen.generation,
  });
  expect(resumed.status).toBe(200);
  expect((await readStone()).spec.paused).toBe(false);
});

it('does not refuse a request sent with the generation when status and metadata writes race with it', async () => {
  // Writes that are not the spec's, as the operator's status writes are,
  // several times a second while pods move: each gives the Stone a new
  // resourceVersion, so the backend's patch may meet a newer one than it read.
  let writing = true;
  let writes = 0;
  const writer = (async () => {
    while (writing) {
      await custom.patchNamespacedCustomObject(
        {
          ...STONE_API,
          name: 'web',
          body: {
            metadata: { annotations: { 'test.cairn.dev/tick': `${++writes}` } },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  })();
  const statuses: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const seen = await readStone();
      const response = await api(
        'post',
        `/stones/dev/${NAMESPACE}/web/${i % 2 ? 'resume' : 'pause'}`,
        OWNER,
      ).send({
        resourceVersion: seen.metadata.resourceVersion,
        generation: seen.metadata.generation,
      });
      statuses.push(response.status);
    }
  } finally {
    writing = false;
    await writer;
  }
  expect(writes).toBeGreaterThan(10);
  expect(statuses).toEqual(Array(10).fill(200));
  expect((await readStone()).spec.paused).toBe(false);
});

it('lets ops approve the next stage: spec.strategy moves, the approval is recorded and audited', async () => {
  const ready = await waitFor(readStone, stageDone('Beta'), 'stage Beta again');
  // A stage out of order is refused with the reason.
  const skipping = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/approve`,
    OPS,
  ).send({ resourceVersion: ready.metadata.resourceVersion, stage: 'Release' });
  expect(skipping.status).toBe(409);
  expect(skipping.body.error.message).toBe(
    'Release is not the next stage: the Stone is at Beta, so Omega is next',
  );

  const approved = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/approve`,
    OPS,
  ).send({
    resourceVersion: ready.metadata.resourceVersion,
    stage: 'Omega',
    comment: 'Beta looks fine',
  });
  expect(approved.status).toBe(200);
  expect(approved.body.strategy).toBe('Omega');
  expect((await readStone()).spec.strategy).toBe('Omega');

  const detail = await api('get', `/stones/dev/${NAMESPACE}/web`, OTHER);
  expect(detail.body.approvals).toEqual([
    {
      stage: 'Omega',
      revision: ready.status!.updateRevision,
      approvedBy: OPS,
      approvedAt: expect.any(String),
      comment: 'Beta looks fine',
      forced: false,
    },
  ]);
  expect(audit.events.filter(e => e.outcome === 'success')).toContainEqual(
    expect.objectContaining({
      eventId: 'rollouts-stage-approve',
      meta: expect.objectContaining({ entityRef: WEB, stage: 'Omega' }),
    }),
  );
  // The operator takes it there; pages hear of it.
  await waitFor(readStone, stageDone('Omega'), 'stage Omega', 120_000);
  await waitFor(
    () => publishedSignals,
    signals =>
      signals.some(
        s =>
          s.channel === 'rollouts:stones' &&
          s.message.name === 'web' &&
          s.message.entityRef === WEB,
      ),
    'a signal of the Stone',
  );
});

it('aborts back to the current revision and rolls back to a chosen one; ops hear of a stage awaiting them, and owners of one they may approve', async () => {
  const stone = await readStone();
  const { currentRevision, updateRevision } = stone.status!;
  // The current revision is abort's to go back to, not rollback's.
  const notRollback = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/rollback`,
    OWNER,
  ).send({
    resourceVersion: stone.metadata.resourceVersion,
    revision: currentRevision,
  });
  expect(notRollback.status).toBe(409);

  const aborted = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/abort`,
    OWNER,
  ).send({ resourceVersion: stone.metadata.resourceVersion });
  expect(aborted.status).toBe(200);
  expect((await readStone()).spec.template.spec!.containers[0].image).toBe(
    'nginx:1.27',
  );
  const back = await waitFor(
    readStone,
    s =>
      stageDone('Release')(s) &&
      s.status?.updateRevision === currentRevision &&
      s.status?.currentRevision === currentRevision,
    'every pod back on the current revision',
    120_000,
  );

  const rolledBack = await api(
    'post',
    `/stones/dev/${NAMESPACE}/web/rollback`,
    OWNER,
  ).send({
    resourceVersion: back.metadata.resourceVersion,
    revision: updateRevision,
  });
  expect(rolledBack.status).toBe(200);
  const staged = await readStone();
  expect(staged.spec.strategy).toBe('Alpha');
  expect(staged.spec.template.spec!.containers[0].image).toBe('nginx:1.28');

  expect(sentNotifications).toContainEqual(
    expect.objectContaining({
      recipients: { type: 'entity', entityRef: ['group:default/ops'] },
      payload: expect.objectContaining({
        title: 'Stone shop/web: Omega is complete, Release awaits approval',
      }),
    }),
  );
  // The rollback's Alpha done, Beta awaits: a stage the owners may approve
  // themselves, so they hear of it with ops.
  const betaAwaits = await waitFor(
    () =>
      sentNotifications.filter(
        n =>
          n.payload.title ===
          'Stone shop/web: Alpha is complete, Beta awaits approval',
      ),
    sent => sent.length > 0,
    'the notification that Beta awaits approval',
    120_000,
  );
  expect(betaAwaits.map(n => n.recipients)).toEqual([
    {
      type: 'entity',
      entityRef: ['group:default/team-a', 'group:default/ops'],
    },
  ]);
});
