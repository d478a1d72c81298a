import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { jsonLogger, Manager } from '@cairn/controller-runtime';
import { Environment, environmentCrd } from '@cairn/operators-api';
import { environmentController } from '@cairn/operators-environment';
import type {
  EnvironmentRequestList,
  EnvironmentRequestView,
} from '@cairn/plugin-environments-common';
import { decide } from '@cairn/plugin-permission-backend-module-cairn';
import {
  auditRecorder,
  PortalTestCluster,
  startPortalTestCluster,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
} from '@kubernetes/client-node';
import request from 'supertest';
import { environmentsPlugin } from '../plugin';

/*
 * Requests for environments and quota on a dev cluster running the
 * Environment operator, as the portal's service account with the shipped
 * RBAC and the Cairn policy's rules: Olga is ops, Sam on team-storefront
 * (the environment's owner), Bob on another team. What ops approve is in
 * the cluster before the request says approved; what they reject or may
 * not approve leaves the cluster as it was.
 */

jest.setTimeout(240_000);

const OPS = 'user:default/olga';
const OWNER = 'user:default/sam';
const OTHER = 'user:default/bob';
const CLAIMS: Record<string, string[]> = {
  [OPS]: [OPS, 'group:default/ops'],
  [OWNER]: [OWNER, 'group:default/team-storefront'],
  [OTHER]: [OTHER, 'group:default/team-b'],
};
const userOf = (credentials: any) =>
  credentials.principal.userEntityRef as string;

const permissions = mockServices.permissions.mock({
  authorize: async (requests, { credentials }) => {
    const user = userOf(credentials);
    return requests.map(r =>
      decide(
        (r as any).permission,
        { userEntityRef: user, ownershipEntityRefs: CLAIMS[user] },
        { opsGroups: ['group:default/ops'] },
      ),
    ) as any;
  },
});
const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => ({
    userEntityRef: userOf(credentials),
    ownershipEntityRefs: CLAIMS[userOf(credentials)],
  }),
});

let cluster: PortalTestCluster;
let manager: Manager;
let backend: TestBackend;
const audit = auditRecorder();
const sent: any[] = [];

const api = (method: 'get' | 'post', path: string, user: string) =>
  request(backend.server)
    [method](`/api/environments${path}`)
    .set(userAuth(user));

const custom = () => cluster.admin.makeApiClient(CustomObjectsApi);
const readEnvironment = (name: string) =>
  custom()
    .getClusterCustomObject({
      group: 'tenancy.cairn.dev',
      version: 'v1alpha1',
      plural: 'environments',
      name,
    })
    .then(e => e as Environment);

const outcomes = (eventId: string) =>
  audit.events.filter(e => e.eventId === eventId).map(e => e.outcome);

const MORE_PODS = {
  kind: 'quota',
  cluster: 'dev',
  name: 'storefront',
  quota: { pods: '20', 'requests.cpu': '2000m' },
  reason: 'the spring sale doubles the checkout pods',
};

beforeAll(async () => {
  cluster = await startPortalTestCluster();
  await KubernetesObjectApi.makeApiClient(cluster.admin).create(
    loadYaml<KubernetesObject>(JSON.stringify(environmentCrd)),
  );
  await waitFor(
    () =>
      custom()
        .listClusterCustomObject({
          group: 'tenancy.cairn.dev',
          version: 'v1alpha1',
          plural: 'environments',
        })
        .then(() => true)
        .catch(() => false),
    served => served,
    'the Environment CRD to be served',
  );
  manager = new Manager({
    kubeConfig: cluster.admin,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    leaderElection: { namespace: 'cairn-system', id: 'requests-test' },
    logger: jsonLogger(() => {}),
  });
  await manager.add(environmentController());
  await manager.start();

  backend = await startTestBackend({
    features: [
      environmentsPlugin,
      permissions.factory,
      userInfo.factory,
      ...audit.factories,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: cluster.kubernetesConfig as any,
          cairn: { permission: { opsGroups: ['group:default/ops'] } },
        },
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (n: any) => {
            sent.push(n);
          },
        }),
      }),
    ],
  });

  // Ops hand team-storefront an environment.
  await api('post', '/environments/dev', OPS)
    .send({
      name: 'storefront',
      spec: {
        namespace: 'storefront',
        owner: 'team-storefront',
        placement: { zones: ['local-1a'] },
        storageClasses: [],
        quota: { pods: '10', 'requests.cpu': '2' },
      },
    })
    .expect(201);
  await waitFor(
    () => api('get', '/environments/dev/storefront', OPS).then(r => r.body),
    e => e.ready === true,
    'storefront to be Ready',
  );
});

afterAll(async () => {
  await backend?.stop();
  await manager?.stop();
  await cluster?.stop();
});

it('serves the request routes in its OpenAPI document', async () => {
  const served = await api('get', '/openapi.json', OPS).expect(200);
  expect(Object.keys(served.body.paths)).toEqual(
    expect.arrayContaining([
      '/requests',
      '/requests/{id}',
      '/requests/{id}/approve',
      '/requests/{id}/reject',
    ]),
  );
});

it('sends a team’s quota request to ops, who approve it in one call: the Environment gets the quota, and the requester hears of it', async () => {
  // Another team may not ask for the owner's environment.
  await api('post', '/requests', OTHER)
    .send(MORE_PODS)
    .expect(403)
    .expect(r =>
      expect(r.body.error.message).toBe(
        'you may request only for your own groups: you are not a member of group:default/team-storefront',
      ),
    );
  // The same quota is no request.
  await api('post', '/requests', OWNER)
    .send({ ...MORE_PODS, quota: { pods: '10' } })
    .expect(400);

  const created = await api('post', '/requests', OWNER)
    .send(MORE_PODS)
    .expect(201);
  const id: string = created.body.id;
  expect(created.body).toMatchObject({
    kind: 'quota',
    environment: 'storefront',
    namespace: 'storefront',
    group: 'group:default/team-storefront',
    requestedBy: OWNER,
    state: 'pending',
    quota: { pods: '20', 'requests.cpu': '2000m' },
  });
  // Asking again while it is pending is refused.
  await api('post', '/requests', OWNER).send(MORE_PODS).expect(409);

  // Ops are notified, with a link that opens the request.
  expect(sent).toEqual([
    {
      recipients: { type: 'entity', entityRef: ['group:default/ops'] },
      payload: expect.objectContaining({
        title:
          'group:default/team-storefront requests more quota for environment storefront on cluster dev',
        description: expect.stringContaining('pods 10 → 20'),
        link: `/environments?request=${id}`,
        topic: 'environments',
      }),
    },
  ]);

  // Ops see every request with the quota now; the team its own; others none.
  const list = async (user: string) =>
    (await api('get', '/requests?state=pending', user).expect(200))
      .body as EnvironmentRequestList;
  const forOps = await list(OPS);
  expect(forOps.canDecide).toBe(true);
  expect(forOps.items).toEqual([
    expect.objectContaining({
      id,
      currentQuota: { pods: '10', 'requests.cpu': '2' },
    }),
  ]);
  expect((await list(OWNER)).items.map(r => r.id)).toEqual([id]);
  expect((await list(OWNER)).canDecide).toBe(false);
  expect((await list(OTHER)).items).toEqual([]);
  await api('get', `/requests/${id}`, OTHER).expect(404);

  // The team may not approve its own request; the cluster is unchanged.
  await api('post', `/requests/${id}/approve`, OWNER)
    .send({})
    .expect(403)
    .expect(r => expect(r.body.error.message).toMatch(/environments.manage/));
  expect((await readEnvironment('storefront')).spec.quota?.pods).toBe('10');

  const approved = await api('post', `/requests/${id}/approve`, OPS)
    .send({ comment: 'granted for the sale' })
    .expect(200);
  expect(approved.body).toMatchObject({
    state: 'approved',
    decidedBy: OPS,
    comment: 'granted for the sale',
  });
  // Only the requested resources changed, in the cluster, and the operator enforces them.
  expect((await readEnvironment('storefront')).spec.quota).toEqual({
    pods: '20',
    'requests.cpu': '2000m',
  });
  await waitFor(
    () =>
      cluster.admin.makeApiClient(CoreV1Api).readNamespacedResourceQuota({
        namespace: 'storefront',
        name: 'cairn-environment',
      }),
    quota => quota.spec?.hard?.pods === '20',
    'the ResourceQuota to allow 20 pods',
  );
  expect(sent.at(-1)).toEqual({
    recipients: { type: 'entity', entityRef: [OWNER] },
    payload: expect.objectContaining({
      title: 'Your request for more quota for storefront was approved',
      description: `${OPS}: granted for the sale`,
      link: `/environments?request=${id}`,
    }),
  });
  // A decided request is not decided again.
  await api('post', `/requests/${id}/reject`, OPS).send({}).expect(409);

  expect(outcomes('environment-request-create')).toEqual([
    'fail',
    'fail',
    'success',
    'fail',
  ]);
  expect(outcomes('environment-request-approve')).toEqual(['fail', 'success']);
});

it('leaves the cluster as it was when ops reject, and tells the requester why', async () => {
  const before = await readEnvironment('storefront');
  const { id } = (
    await api('post', '/requests', OWNER)
      .send({ ...MORE_PODS, quota: { pods: '500' } })
      .expect(201)
  ).body as EnvironmentRequestView;
  await api('post', `/requests/${id}/reject`, OWNER).send({}).expect(403);
  const rejected = await api('post', `/requests/${id}/reject`, OPS)
    .send({ comment: 'the zone has no room for 500 pods' })
    .expect(200);
  expect(rejected.body.state).toBe('rejected');
  const after = await readEnvironment('storefront');
  expect(after.spec).toEqual(before.spec);
  // No write to the spec (the operator's status writes change the resourceVersion).
  expect(after.metadata?.generation).toBe(before.metadata?.generation);
  expect(sent.at(-1).payload).toMatchObject({
    title: 'Your request for more quota for storefront was rejected',
    description: `${OPS}: the zone has no room for 500 pods`,
  });
  expect(outcomes('environment-request-reject')).toEqual([
    'fail',
    'fail',
    'success',
  ]);
});

it('creates a requested environment on approval, with its team as tenant', async () => {
  await api('post', '/requests', OWNER)
    .send({
      kind: 'environment',
      cluster: 'dev',
      name: 'checkout-qa',
      spec: { namespace: 'checkout-qa', owner: 'team-b' },
      reason: 'QA',
    })
    .expect(403);
  const { id } = (
    await api('post', '/requests', OWNER)
      .send({
        kind: 'environment',
        cluster: 'dev',
        name: 'storefront-qa',
        spec: {
          namespace: 'storefront-qa',
          owner: 'team-storefront',
          placement: { zones: ['local-1b'] },
          storageClasses: [],
          quota: { pods: '5' },
        },
        reason: 'QA before the sale',
      })
      .expect(201)
  ).body as EnvironmentRequestView;
  await api('post', `/requests/${id}/approve`, OPS).send({}).expect(200);
  expect((await readEnvironment('storefront-qa')).spec).toEqual({
    namespace: 'storefront-qa',
    owner: 'group:default/team-storefront',
    placement: { zones: ['local-1b'] },
    storageClasses: [],
    quota: { pods: '5' },
    tenants: [{ group: 'group:default/team-storefront', role: 'edit' }],
    // The CRD's default.
    deletionPolicy: 'Orphan',
  });
});

it('keeps a request pending with the cluster’s reason when approving fails', async () => {
  const { id } = (
    await api('post', '/requests', OWNER)
      .send({
        kind: 'environment',
        cluster: 'dev',
        name: 'storefront-system',
        spec: { namespace: 'kube-system', owner: 'team-storefront' },
        reason: 'why not',
      })
      .expect(201)
  ).body as EnvironmentRequestView;
  const failed = await api('post', `/requests/${id}/approve`, OPS)
    .send({})
    .expect(409);
  expect(failed.body.error.message).toMatch(
    /^approving failed, the request stays pending: namespace "kube-system"/,
  );
  const stored = (await api('get', `/requests/${id}`, OPS).expect(200))
    .body as EnvironmentRequestView;
  expect(stored.state).toBe('pending');
  expect(stored.error).toBe(failed.body.error.message);
  await expect(readEnvironment('storefront-system')).rejects.toThrow();
  // Rejecting it is still possible.
  await api('post', `/requests/${id}/reject`, OPS).send({}).expect(200);
});
