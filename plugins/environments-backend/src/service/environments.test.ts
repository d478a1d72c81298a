import { Environment, environmentCrd } from '@cairn/operators-api';
import { environmentController } from '@cairn/operators-environment';
import {
  PluginOnDevCluster,
  startPluginOnDevCluster,
} from '@cairn/operators-testing';
import type {
  ClusterTopology,
  EnvironmentList,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';
import {
  auditRecorder,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import request from 'supertest';
import { cairnPolicy, OPS_GROUP } from '../__testUtils__/cairnPolicy';
import { environmentsPlugin } from '../plugin';

/*
 * The Environments API on a dev cluster running the Environment operator,
 * as the portal's service account with the shipped RBAC
 * (examples/kubernetes/portal-access.yaml) and the Cairn policy's rules:
 * Olga is ops, Sam is on team-storefront (the environment's tenant), Bob
 * on another team.
 */

jest.setTimeout(240_000);

const OPS = 'user:default/olga';
const TENANT = 'user:default/sam';
const OTHER = 'user:default/bob';

let dev: PluginOnDevCluster;
const audit = auditRecorder();

const api = (
  method: 'get' | 'post' | 'put' | 'delete',
  path: string,
  user: string,
) => request(dev.url)[method](`/api/environments${path}`).set(userAuth(user));

const readEnvironment = (name: string) =>
  api('get', `/environments/dev/${name}`, OPS).then(
    r => r.body as EnvironmentSummary,
  );

const STOREFRONT = {
  name: 'storefront',
  spec: {
    namespace: 'storefront',
    owner: 'team-storefront',
    tenants: [{ group: 'team-storefront', role: 'edit' }],
    placement: { zones: ['local-1a'] },
    storageClasses: [],
    quota: { pods: '10', 'requests.cpu': '2' },
    limits: { default: { cpu: '200m' }, defaultRequest: { cpu: '100m' } },
  },
};

beforeAll(async () => {
  dev = await startPluginOnDevCluster({
    crds: [environmentCrd],
    controllers: [environmentController()],
    features: [
      environmentsPlugin,
      ...cairnPolicy({
        [OPS]: [OPS, OPS_GROUP],
        [TENANT]: [TENANT, 'group:default/team-storefront'],
        [OTHER]: [OTHER, 'group:default/team-b'],
      }),
      ...audit.factories,
    ],
  });
});

afterAll(async () => {
  await dev?.stop();
});

// Its validity and routes: openapi.test.ts.
it('serves its OpenAPI document', async () => {
  const served = await api('get', '/openapi.json', OPS).expect(200);
  expect(Object.keys(served.body.paths).sort()).toEqual([
    '/clusters',
    '/clusters/{cluster}/nodes/import',
    '/clusters/{cluster}/nodes/labels',
    '/clusters/{cluster}/topology',
    '/environments',
    '/environments/{cluster}',
    '/environments/{cluster}/{name}',
    '/requests',
    '/requests/{id}',
    '/requests/{id}/approve',
    '/requests/{id}/reject',
  ]);
});

it("shows ops the cluster's topology and StorageClasses, and who may label", async () => {
  const topology: ClusterTopology = (
    await api('get', '/clusters/dev/topology', OPS).expect(200)
  ).body;
  expect(topology.nodes).toHaveLength(18);
  expect(topology.nodes[0]).toMatchObject({
    name: 'node-a1-1',
    zone: 'local-1a',
    rack: 'local-1a-r1',
    host: 'node-a1-1',
    ready: true,
    environments: [],
  });
  expect(topology.storageClasses.length).toBeGreaterThan(0);
  expect(topology.canLabel).toBe(true);
  const seen = await api('get', '/clusters/dev/topology', TENANT).expect(200);
  expect(seen.body.canLabel).toBe(false);
});

it('lets ops create an environment the operator makes Ready on the zone, and refuses everyone else', async () => {
  // A developer may not, and the refusal is audited.
  const refused = await api('post', '/environments/dev', TENANT)
    .send(STOREFRONT)
    .expect(403);
  expect(refused.body.error.message).toBe(
    'you may not create, edit or delete environments (ops): permission environments.manage is required',
  );
  // Bad input is named field by field, before any cluster call.
  const invalid = await api('post', '/environments/dev', OPS)
    .send({
      ...STOREFRONT,
      spec: { ...STOREFRONT.spec, quota: { 'requests.cpu': '2 cores' } },
    })
    .expect(400);
  expect(invalid.body.error.message).toMatch(
    /^invalid body: spec\.quota\.requests\.cpu: Invalid value: "2 cores": quantities must match/,
  );
  await api('post', '/environments/dev', OPS)
    .send({
      ...STOREFRONT,
      spec: { ...STOREFRONT.spec, namespace: 'kube-system' },
    })
    .expect(409);

  const created = await api('post', '/environments/dev', OPS)
    .send(STOREFRONT)
    .expect(201);
  expect(created.body).toMatchObject({
    cluster: 'dev',
    name: 'storefront',
    spec: { owner: 'group:default/team-storefront' },
  });
  const ready = await waitFor(
    () => readEnvironment('storefront'),
    e => e.ready && e.quota.hard.pods === '10',
    'storefront to be Ready',
  );
  expect(ready.nodes).toEqual([
    'node-a1-1',
    'node-a1-2',
    'node-a1-3',
    'node-a2-1',
    'node-a2-2',
    'node-a2-3',
  ]);
  // Every StorageClass is refused (storageClasses: []); usage is shown.
  expect(ready.quota.used).toMatchObject({ pods: '0' });
  await api('post', '/environments/dev', OPS)
    .send({ name: 'storefront-2', spec: STOREFRONT.spec })
    .expect(409)
    .expect(r =>
      expect(r.body.error.message).toBe(
        'namespace "storefront" is already environment "storefront"\'s; pick another namespace',
      ),
    );
  expect(
    audit.events
      .filter(e => e.eventId === 'environments-create')
      .map(e => e.outcome),
  ).toEqual(['fail', 'fail', 'success', 'fail']);

  // The topology now says which nodes are the environment's.
  const topology: ClusterTopology = (
    await api('get', '/clusters/dev/topology', OPS).expect(200)
  ).body;
  expect(
    topology.nodes.filter(n => n.environments.includes('storefront')),
  ).toHaveLength(6);
});

it('shows an environment to its tenants and ops only, and by group for the team page', async () => {
  const list = async (user: string, query = '') =>
    (await api('get', `/environments${query}`, user).expect(200))
      .body as EnvironmentList;
  expect((await list(OPS)).canManage).toBe(true);
  expect((await list(OPS)).items.map(e => e.name)).toEqual(['storefront']);
  const tenant = await list(TENANT);
  expect(tenant.canManage).toBe(false);
  expect(tenant.items.map(e => e.name)).toEqual(['storefront']);
  expect((await list(OTHER)).items).toEqual([]);
  await api('get', '/environments/dev/storefront', OTHER).expect(404);
  expect(
    (await list(OPS, '?group=group:default/team-storefront')).items,
  ).toHaveLength(1);
  expect((await list(OPS, '?group=team-b')).items).toHaveLength(0);
});

it('lets ops edit with the version they read, refusing a stale edit', async () => {
  const current = await readEnvironment('storefront');
  const spec = { ...current.spec, quota: { pods: '20', 'requests.cpu': '4' } };
  await api('put', '/environments/dev/storefront', TENANT)
    .send({ resourceVersion: current.resourceVersion, spec })
    .expect(403);
  await api('put', '/environments/dev/storefront', OPS)
    .send({ resourceVersion: current.resourceVersion, spec })
    .expect(200);
  await api('put', '/environments/dev/storefront', OPS)
    .send({ resourceVersion: current.resourceVersion, spec })
    .expect(409)
    .expect(r =>
      expect(r.body.error.message).toBe(
        'the environment changed since you loaded it (someone else edited it); reload it and edit again',
      ),
    );
  await waitFor(
    () => readEnvironment('storefront'),
    e => e.ready && e.quota.hard.pods === '20',
    'the new quota to be in force',
  );
  const core = dev.cluster.admin.makeApiClient(CoreV1Api);
  const quota = await core.readNamespacedResourceQuota({
    namespace: 'storefront',
    name: 'cairn-environment',
  });
  expect(quota.spec?.hard).toMatchObject({ pods: '20', 'requests.cpu': '4' });
});

it('lets ops label nodes, which moves a rack placement onto them', async () => {
  await api('post', '/clusters/dev/nodes/labels', TENANT)
    .send({ nodes: ['node-c2-3'], rack: 'spare' })
    .expect(403);
  await api('post', '/clusters/dev/nodes/labels', OPS)
    .send({ nodes: ['node-c2-3', 'nope'], rack: 'spare' })
    .expect(404)
    .expect(r =>
      expect(r.body.error.message).toBe('cluster "dev" has no node "nope"'),
    );
  const labelled = await api('post', '/clusters/dev/nodes/labels', OPS)
    .send({ nodes: ['node-c2-3'], rack: 'spare' })
    .expect(200);
  expect(labelled.body.nodes).toEqual([
    expect.objectContaining({ name: 'node-c2-3', rack: 'spare' }),
  ]);
  const current = await readEnvironment('storefront');
  await api('put', '/environments/dev/storefront', OPS)
    .send({
      resourceVersion: current.resourceVersion,
      spec: { ...current.spec, placement: { racks: ['spare'] } },
    })
    .expect(200);
  await waitFor(
    () => readEnvironment('storefront'),
    e => e.ready && e.nodes.join() === 'node-c2-3',
    'the placement to move to the relabelled node',
  );
  expect(
    audit.events.filter(e => e.eventId === 'nodes-label').map(e => e.outcome),
  ).toEqual(['fail', 'fail', 'success']);
});

it('deletes an environment for ops, leaving its namespace (Orphan)', async () => {
  await api('delete', '/environments/dev/storefront', TENANT).expect(403);
  await api('delete', '/environments/dev/storefront', OPS).expect(204);
  const custom = dev.cluster.admin.makeApiClient(CustomObjectsApi);
  await waitFor(
    () =>
      custom
        .getClusterCustomObject({
          group: 'tenancy.cairn.dev',
          version: 'v1alpha1',
          plural: 'environments',
          name: 'storefront',
        })
        .then(e => e as Environment)
        .catch(() => undefined),
    e => e === undefined,
    'storefront to be gone',
  );
  const core = dev.cluster.admin.makeApiClient(CoreV1Api);
  expect(
    (await core.readNamespace({ name: 'storefront' })).metadata?.name,
  ).toBe('storefront');
});
