import { createServiceFactory } from '@backstage/backend-plugin-api';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { environmentCrd } from '@cairn/operators-api';
import {
  PluginOnDevCluster,
  startPluginOnDevCluster,
} from '@cairn/operators-testing';
import type {
  ClusterTopology,
  EnvironmentsChangedSignal,
} from '@cairn/plugin-environments-common';
import {
  auditRecorder,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import request from 'supertest';
import { cairnPolicy, OPS_GROUP } from '../__testUtils__/cairnPolicy';
import { environmentsPlugin } from '../plugin';

/*
 * Nodes of a cluster coming from the original system (labelled
 * `nuwa.kubernetes.io/*`) imported into Cairn's topology labels, and the
 * signals open pages refetch on, on a dev cluster as the portal's service
 * account with the shipped RBAC and the Cairn policy's rules: Olga is ops,
 * Sam on a team.
 */

jest.setTimeout(240_000);

const OPS = 'user:default/olga';
const DEV = 'user:default/sam';

const signals: Array<{ channel: string; message: EnvironmentsChangedSignal }> =
  [];

let dev: PluginOnDevCluster;
let core: CoreV1Api;
const audit = auditRecorder();

const api = (method: 'get' | 'post', path: string, user: string) =>
  request(dev.url)[method](`/api/environments${path}`).set(userAuth(user));

const topology = async () =>
  (await api('get', '/clusters/dev/topology', OPS).expect(200))
    .body as ClusterTopology;

const labelsOf = async (name: string) =>
  (await core.readNode({ name })).metadata?.labels ?? {};

const signalled = (what: 'environments' | 'nodes', name: string) =>
  waitFor(
    async () => signals,
    all =>
      all.some(
        s =>
          s.channel === 'environments:changes' &&
          s.message.cluster === 'dev' &&
          s.message[what].includes(name),
      ),
    `a signal naming ${what} ${name}`,
  );

beforeAll(async () => {
  dev = await startPluginOnDevCluster({
    crds: [environmentCrd],
    async prepare(cluster) {
      core = cluster.admin.makeApiClient(CoreV1Api);
      // node-c2-1 and node-c2-2 as the original system labelled them, without
      // Cairn's zone and rack (node-c2-2 keeps its zone).
      for (const [name, labels] of [
        [
          'node-c2-1',
          {
            'topology.kubernetes.io/zone': null,
            'topology.cairn.dev/rack': null,
            'nuwa.kubernetes.io/zone': 'A',
            'nuwa.kubernetes.io/rack': 'W-01',
            'nuwa.kubernetes.io/host': 'node1',
          },
        ],
        [
          'node-c2-2',
          {
            'topology.cairn.dev/rack': null,
            'nuwa.kubernetes.io/zone': 'A',
            'nuwa.kubernetes.io/rack': 'W-02',
          },
        ],
      ] as const) {
        await core.patchNode(
          { name, body: { metadata: { labels } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
    },
    features: [
      environmentsPlugin,
      ...cairnPolicy({
        [OPS]: [OPS, OPS_GROUP],
        [DEV]: [DEV, 'group:default/team-storefront'],
      }),
      ...audit.factories,
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({
          publish: async (signal: any) => {
            signals.push(signal);
          },
        }),
      }),
    ],
  });
});

afterAll(async () => {
  await dev?.stop();
});

it('previews the nuwa labels to import, and lets ops import them, one node or all, never overwriting a label', async () => {
  const before = await topology();
  // The preview: Cairn's keys a node lacks, with the nuwa values; the
  // hostname the kubelet set stays.
  expect(
    before.nodes
      .filter(n => n.nuwaImport)
      .map(n => ({ name: n.name, zone: n.zone, nuwaImport: n.nuwaImport })),
  ).toEqual([
    {
      name: 'node-c2-1',
      zone: undefined,
      nuwaImport: {
        'topology.kubernetes.io/zone': 'A',
        'topology.cairn.dev/rack': 'W-01',
      },
    },
    {
      name: 'node-c2-2',
      zone: 'local-1c',
      nuwaImport: { 'topology.cairn.dev/rack': 'W-02' },
    },
  ]);

  // Only ops; a refusal is audited, as every attempt the request parses for.
  const refused = await api('post', '/clusters/dev/nodes/import', DEV)
    .send({ all: true })
    .expect(403);
  expect(refused.body.error.message).toBe(
    'you may not label nodes (ops): permission nodes.label is required',
  );
  const invalid = await api('post', '/clusters/dev/nodes/import', OPS)
    .send({ all: true, nodes: ['node-c2-1'] })
    .expect(400);
  expect(invalid.body.error.message).toMatch(
    /give either nodes \(the names of the nodes to import\) or all: true/,
  );
  await api('post', '/clusters/dev/nodes/import', OPS)
    .send({ nodes: ['node-c2-1', 'nope'] })
    .expect(404)
    .expect(r =>
      expect(r.body.error.message).toBe('cluster "dev" has no node "nope"'),
    );
  expect(await labelsOf('node-c2-1')).not.toHaveProperty(
    'topology.kubernetes.io/zone',
  );

  // One node.
  const one = await api('post', '/clusters/dev/nodes/import', OPS)
    .send({ nodes: ['node-c2-1'] })
    .expect(200);
  expect(one.body).toEqual({
    imported: [
      {
        node: 'node-c2-1',
        labels: {
          'topology.kubernetes.io/zone': 'A',
          'topology.cairn.dev/rack': 'W-01',
        },
      },
    ],
  });
  expect(await labelsOf('node-c2-1')).toMatchObject({
    'topology.kubernetes.io/zone': 'A',
    'topology.cairn.dev/rack': 'W-01',
    'kubernetes.io/hostname': 'node-c2-1',
    'nuwa.kubernetes.io/zone': 'A',
  });

  // All the rest: node-c2-2's own zone stays.
  const all = await api('post', '/clusters/dev/nodes/import', OPS)
    .send({ all: true })
    .expect(200);
  expect(all.body.imported).toEqual([
    { node: 'node-c2-2', labels: { 'topology.cairn.dev/rack': 'W-02' } },
  ]);
  expect(await labelsOf('node-c2-2')).toMatchObject({
    'topology.kubernetes.io/zone': 'local-1c',
    'topology.cairn.dev/rack': 'W-02',
  });

  // The topology reads the imported labels from the watch; nothing is left to import.
  const after = await waitFor(
    topology,
    t => !t.nodes.some(n => n.nuwaImport),
    'the imported labels in the topology',
  );
  expect(after.nodes.find(n => n.name === 'node-c2-1')).toMatchObject({
    zone: 'A',
    rack: 'W-01',
  });
  expect(
    (
      await api('post', '/clusters/dev/nodes/import', OPS)
        .send({ all: true })
        .expect(200)
    ).body,
  ).toEqual({ imported: [] });

  expect(
    audit.events
      .filter(e => e.eventId === 'nodes-import-labels')
      .map(e => [e.outcome, e.meta]),
  ).toEqual([
    ['fail', { cluster: 'dev', all: true }],
    ['fail', { cluster: 'dev', nodes: ['node-c2-1', 'nope'] }],
    ['success', { cluster: 'dev', nodes: ['node-c2-1'] }],
    ['success', { cluster: 'dev', all: true }],
    ['success', { cluster: 'dev', all: true }],
  ]);
});

it('signals open pages when node labels change in the cluster', async () => {
  // The import above relabelled node-c2-1.
  await signalled('nodes', 'node-c2-1');
  signals.length = 0;
  // A label written outside the portal too.
  await core.patchNode(
    {
      name: 'node-b1-1',
      body: { metadata: { labels: { 'topology.cairn.dev/rack': 'spare' } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await signalled('nodes', 'node-b1-1');
  const after = await waitFor(
    topology,
    t => t.nodes.find(n => n.name === 'node-b1-1')?.rack === 'spare',
    'the new rack in the topology',
  );
  expect(after.nodes.find(n => n.name === 'node-b1-1')).toMatchObject({
    zone: 'local-1b',
    rack: 'spare',
  });
});

it('signals open pages when an Environment or its quota status changes', async () => {
  const custom = dev.cluster.admin.makeApiClient(CustomObjectsApi);
  const environment = {
    group: 'tenancy.cairn.dev',
    version: 'v1alpha1',
    plural: 'environments',
  };
  await custom.createClusterCustomObject({
    ...environment,
    body: {
      apiVersion: 'tenancy.cairn.dev/v1alpha1',
      kind: 'Environment',
      metadata: { name: 'checkout' },
      spec: { namespace: 'checkout', owner: 'group:default/team-checkout' },
    },
  });
  await signalled('environments', 'checkout');
  signals.length = 0;
  // Usage against quota, as the operator reports it.
  await custom.patchClusterCustomObjectStatus(
    {
      ...environment,
      name: 'checkout',
      body: {
        status: { quota: { hard: { pods: '10' }, used: { pods: '3' } } },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await signalled('environments', 'checkout');
  expect(signals.every(s => (s as any).recipients.type === 'broadcast')).toBe(
    true,
  );
});
