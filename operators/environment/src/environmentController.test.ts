import { CoreV1Api, CustomObjectsApi, V1Pod } from '@kubernetes/client-node';
import { Manager } from '@cairn/controller-runtime';
import {
  OperatorsTestCluster,
  startOperatorsTestCluster,
} from '@cairn/operators-testing';
import { Environment } from '@cairn/operators-api';
import { environmentController } from './environmentController';

/*
 * The Environment controller against the dev cluster (PodNodeSelector,
 * LimitRanger, ResourceQuota and RBAC admission as kube-apiserver's), run
 * by a manager holding only operators/deploy's ServiceAccount token, so a
 * missing RBAC rule fails here: what the cluster enforces for a team once
 * its Environment is Ready, drift repaired, and both deletion policies.
 */

jest.setTimeout(600_000);

let operators: OperatorsTestCluster;
let kubectl: OperatorsTestCluster['kubectl'];
let waitFor: OperatorsTestCluster['waitFor'];
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: Manager;

/** kubectl as the cluster admin; resolves with its output and exit code. */
const run = (args: string[], input?: string) =>
  operators.cluster.kubectl(args, input);

const readEnvironment = async (name: string) =>
  (await custom.getClusterCustomObject({
    group: 'tenancy.cairn.dev',
    version: 'v1alpha1',
    plural: 'environments',
    name,
  })) as Environment;

const readEnvironmentIfAny = (name: string) =>
  readEnvironment(name).catch(() => undefined);

const ready = (environment: Environment | undefined) =>
  environment?.status?.observedGeneration ===
    environment?.metadata.generation &&
  environment?.status?.conditions?.some(
    c => c.type === 'Ready' && c.status === 'True',
  ) === true;

beforeAll(async () => {
  operators = await startOperatorsTestCluster({
    established: ['crd/environments.tenancy.cairn.dev'],
  });
  ({ kubectl, waitFor } = operators);
  // A second class, the one the environment may use.
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      provisioner: 'example.com/fast',
    }),
  );

  core = operators.admin.makeApiClient(CoreV1Api);
  custom = operators.admin.makeApiClient(CustomObjectsApi);
  manager = await operators.startManager(environmentController());
});

afterAll(async () => {
  await manager?.stop();
  await operators?.dispose();
});

const SHOP = {
  apiVersion: 'tenancy.cairn.dev/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'shop-prod' },
  spec: {
    namespace: 'shop',
    owner: 'group:default/team-storefront',
    tenants: [
      { group: 'group:default/team-storefront', role: 'edit' },
      { group: 'group:default/auditors', role: 'view' },
    ],
    // Zone a and one rack of zone b: no single key=value selector says this.
    placement: { zones: ['local-1a'], racks: ['local-1b-r2'] },
    storageClasses: ['fast'],
    quota: { pods: '10', 'requests.cpu': '1', 'requests.memory': '1Gi' },
    limits: {
      defaultRequest: { cpu: '100m', memory: '64Mi' },
      default: { cpu: '200m', memory: '128Mi' },
    },
  },
};

const pod = (
  name: string,
  resources?: {
    requests: Record<string, string>;
    limits: Record<string, string>;
  },
): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop' },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        command: ['sleep', '1d'],
        ...(resources ? { resources } : {}),
      },
    ],
    terminationGracePeriodSeconds: 1,
  },
});

const claim = (name: string, storageClassName?: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'shop' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      ...(storageClassName ? { storageClassName } : {}),
    },
  });

let boundNodes: string[];

describe('an Environment', () => {
  beforeAll(async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(SHOP));
    await waitFor(
      () => readEnvironmentIfAny('shop-prod'),
      ready,
      'Environment shop-prod to be Ready',
    );
    const nodes = (await core.listNode()).items;
    boundNodes = nodes
      .filter(
        n =>
          n.metadata!.labels!['topology.kubernetes.io/zone'] === 'local-1a' ||
          n.metadata!.labels!['topology.cairn.dev/rack'] === 'local-1b-r2',
      )
      .map(n => n.metadata!.name!)
      .sort();
  });

  it('reports its nodes and conditions, and prints them', async () => {
    const environment = await readEnvironment('shop-prod');
    expect(boundNodes).toHaveLength(9);
    expect(environment.status!.nodes).toEqual(boundNodes);
    expect(
      environment.status!.conditions!.map(c => [c.type, c.status, c.reason]),
    ).toEqual([
      ['Ready', 'True', 'Reconciled'],
      ['PlacementEmpty', 'False', 'NodesMatched'],
    ]);
    const table = await kubectl(['get', 'env']);
    expect(table).toMatch(/^NAME\s+NAMESPACE\s+OWNER\s+NODES\s+READY\s+AGE\n/);
    expect(table).toMatch(/shop-prod\s+shop\s+group:default\/team-storefront/);
  });

  it('labels its namespace and binds exactly its nodes', async () => {
    const namespace = await core.readNamespace({ name: 'shop' });
    expect(namespace.metadata!.labels).toMatchObject({
      'tenancy.cairn.dev/environment': 'shop-prod',
      'tenancy.cairn.dev/owner': 'team-storefront',
    });
    expect(namespace.metadata!.annotations).toMatchObject({
      'scheduler.alpha.kubernetes.io/node-selector':
        'env.tenancy.cairn.dev/shop-prod=true',
    });
    const labelled = (
      await core.listNode({ labelSelector: 'env.tenancy.cairn.dev/shop-prod' })
    ).items
      .map(n => n.metadata!.name!)
      .sort();
    expect(labelled).toEqual(boundNodes);
  });

  it('lands pods without a node selector only on its nodes', async () => {
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
    for (const name of names)
      await core.createNamespacedPod({ namespace: 'shop', body: pod(name) });
    const pods = await waitFor(
      async () =>
        (
          await core.listNamespacedPod({ namespace: 'shop' })
        ).items.filter(p => names.includes(p.metadata!.name!)),
      list => list.length === 6 && list.every(p => p.spec!.nodeName),
      'the pods to be scheduled',
    );
    for (const scheduled of pods) {
      expect(boundNodes).toContain(scheduled.spec!.nodeName);
      // PodNodeSelector merged the namespace's selector; LimitRanger the requests.
      expect(scheduled.spec!.nodeSelector).toEqual({
        'env.tenancy.cairn.dev/shop-prod': 'true',
      });
      expect(scheduled.spec!.containers[0].resources!.requests).toEqual({
        cpu: '100m',
        memory: '64Mi',
      });
    }
    const environment = await waitFor(
      () => readEnvironment('shop-prod'),
      e => e.status?.quota?.used?.pods === '6',
      'the quota usage in the status',
    );
    expect(environment.status!.quota).toMatchObject({
      hard: { pods: '10', 'requests.cpu': '1', 'requests.memory': '1Gi' },
      used: { pods: '6', 'requests.cpu': '600m', 'requests.memory': '384Mi' },
    });
  });

  it('refuses a pod over quota with Kubernetes’ message', async () => {
    const result = await run(
      ['create', '-f', '-'],
      JSON.stringify(
        pod('big', { requests: { cpu: '500m' }, limits: { cpu: '500m' } }),
      ),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'pods "big" is forbidden: exceeded quota: cairn-environment, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1',
    );
  });

  it('refuses a claim of a StorageClass it may not use, and takes one of its own', async () => {
    const standard = await run(
      ['create', '-f', '-'],
      claim('data', 'standard'),
    );
    expect(standard.code).not.toBe(0);
    expect(standard.stderr).toContain(
      'persistentvolumeclaims "data" is forbidden: exceeded quota: cairn-environment, requested: standard.storageclass.storage.k8s.io/persistentvolumeclaims=1,standard.storageclass.storage.k8s.io/requests.storage=1Gi, used: standard.storageclass.storage.k8s.io/persistentvolumeclaims=0,standard.storageclass.storage.k8s.io/requests.storage=0, limited: standard.storageclass.storage.k8s.io/persistentvolumeclaims=0,standard.storageclass.storage.k8s.io/requests.storage=0',
    );
    // Without a class the cluster's default (standard) is set, and refused.
    const defaulted = await run(['create', '-f', '-'], claim('data'));
    expect(defaulted.stderr).toContain(
      'persistentvolumeclaims "data" is forbidden: exceeded quota: cairn-environment',
    );
    await kubectl(['create', '-f', '-'], claim('data', 'fast'));
  });

  it('gives each tenant exactly its role', async () => {
    const can = async (verb: string, resource: string, group: string) =>
      (
        await run([
          'auth',
          'can-i',
          verb,
          resource,
          '-n',
          'shop',
          '--as',
          'someone',
          '--as-group',
          group,
        ])
      ).stdout.trim();
    expect(await can('create', 'pods', 'auditors')).toBe('no');
    expect(await can('get', 'pods', 'auditors')).toBe('yes');
    expect(await can('create', 'pods', 'team-storefront')).toBe('yes');
    // edit is not admin: no RoleBindings of its own.
    expect(await can('create', 'rolebindings', 'team-storefront')).toBe('no');
    expect(await can('get', 'pods', 'strangers')).toBe('no');
    // And the view tenant really is refused.
    const refused = await run([
      'run',
      'x',
      '--image=busybox:1.36',
      '-n',
      'shop',
      '--as',
      'someone',
      '--as-group',
      'auditors',
    ]);
    expect(refused.stderr).toContain(
      'pods is forbidden: User "someone" cannot create resource "pods" in API group "" in the namespace "shop"',
    );
  });

  it('repairs drift: a deleted RoleBinding and an edited quota come back', async () => {
    const before = await kubectl([
      'get',
      'rolebinding',
      'cairn-environment-view',
      '-n',
      'shop',
      '-o',
      'jsonpath={.metadata.uid}',
    ]);
    await kubectl([
      'delete',
      'rolebinding',
      'cairn-environment-view',
      '-n',
      'shop',
    ]);
    await kubectl([
      'patch',
      'resourcequota',
      'cairn-environment',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"spec":{"hard":{"pods":"100"}}}',
    ]);
    const binding = await waitFor(
      () =>
        run([
          'get',
          'rolebinding',
          'cairn-environment-view',
          '-n',
          'shop',
          '-o',
          'json',
        ]).then(r => (r.code === 0 ? JSON.parse(r.stdout) : undefined)),
      b => b !== undefined,
      'the RoleBinding to be recreated',
    );
    expect(binding.metadata.uid).not.toBe(before);
    expect(binding.roleRef.name).toBe('view');
    expect(binding.subjects).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Group',
        name: 'auditors',
      },
    ]);
    await waitFor(
      () =>
        core.readNamespacedResourceQuota({
          namespace: 'shop',
          name: 'cairn-environment',
        }),
      q => q.spec!.hard!.pods === '10',
      'the quota to be put back',
    );
  });

  it('takes back its LimitRange when its label is removed and its limits edited', async () => {
    await kubectl([
      'label',
      'limitrange',
      'cairn-environment',
      '-n',
      'shop',
      'tenancy.cairn.dev/environment-',
    ]);
    await kubectl([
      'patch',
      'limitrange',
      'cairn-environment',
      '-n',
      'shop',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/limits/0/default/cpu","value":"4"}]',
    ]);
    const limitRange = await waitFor(
      () =>
        core.readNamespacedLimitRange({
          namespace: 'shop',
          name: 'cairn-environment',
        }),
      l =>
        l.metadata!.labels?.['tenancy.cairn.dev/environment'] === 'shop-prod',
      'the LimitRange to be taken back',
    );
    expect(limitRange.spec!.limits[0]._default).toEqual({
      cpu: '200m',
      memory: '128Mi',
    });
  });

  it('moves its nodes when the placement changes', async () => {
    await kubectl([
      'patch',
      'env',
      'shop-prod',
      '--type=merge',
      '-p',
      // A merge patch: null removes the lists it does not keep.
      JSON.stringify({
        spec: {
          placement: {
            zones: null,
            racks: null,
            hosts: ['node-c1-1', 'node-c1-2'],
          },
        },
      }),
    ]);
    await waitFor(
      () => readEnvironment('shop-prod'),
      e => ready(e) && e.status!.nodes?.join() === 'node-c1-1,node-c1-2',
      'the placement to move',
    );
    const labelled = (
      await core.listNode({ labelSelector: 'env.tenancy.cairn.dev/shop-prod' })
    ).items
      .map(n => n.metadata!.name)
      .sort();
    expect(labelled).toEqual(['node-c1-1', 'node-c1-2']);
  });

  it('selects a one-zone placement by the zone label itself, labelling no node', async () => {
    await kubectl([
      'patch',
      'env',
      'shop-prod',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: { placement: { hosts: null, zones: ['local-1b'] } },
      }),
    ]);
    await waitFor(
      () => readEnvironment('shop-prod'),
      e => ready(e) && e.status!.nodes?.length === 6,
      'the placement to take zone local-1b',
    );
    const namespace = await core.readNamespace({ name: 'shop' });
    expect(
      namespace.metadata!.annotations![
        'scheduler.alpha.kubernetes.io/node-selector'
      ],
    ).toBe('topology.kubernetes.io/zone=local-1b');
    expect(
      (
        await core.listNode({
          labelSelector: 'env.tenancy.cairn.dev/shop-prod',
        })
      ).items,
    ).toEqual([]);
    await core.createNamespacedPod({ namespace: 'shop', body: pod('zoned') });
    const scheduled = await waitFor(
      () => core.readNamespacedPod({ namespace: 'shop', name: 'zoned' }),
      p => Boolean(p.spec!.nodeName),
      'the pod to be scheduled',
    );
    expect(scheduled.spec!.nodeSelector).toEqual({
      'topology.kubernetes.io/zone': 'local-1b',
    });
    expect(scheduled.spec!.nodeName).toMatch(/^node-b/);
  });

  it('orphans its namespace when deleted (the default): kept with its objects, untied, nodes released, an event', async () => {
    await kubectl(['delete', 'env', 'shop-prod', '--wait=true']);
    const namespace = await core.readNamespace({ name: 'shop' });
    expect(namespace.status!.phase).toBe('Active');
    expect(namespace.metadata!.labels).not.toHaveProperty(
      'tenancy.cairn.dev/environment',
    );
    expect(namespace.metadata!.annotations ?? {}).not.toHaveProperty(
      'scheduler.alpha.kubernetes.io/node-selector',
    );
    const bindings = (
      await kubectl(['get', 'rolebindings', '-n', 'shop', '-o', 'name'])
    )
      .trim()
      .split('\n');
    expect(bindings).toEqual([
      'rolebinding.rbac.authorization.k8s.io/cairn-environment-edit',
      'rolebinding.rbac.authorization.k8s.io/cairn-environment-view',
    ]);
    expect(
      (
        await core.listNode({
          labelSelector: 'env.tenancy.cairn.dev/shop-prod',
        })
      ).items,
    ).toEqual([]);
    expect(
      (await core.listNamespacedPod({ namespace: 'shop' })).items.length,
    ).toBeGreaterThanOrEqual(6);
    const events = await kubectl([
      'get',
      'events',
      '-n',
      'default',
      '--field-selector',
      'involvedObject.name=shop-prod,reason=NamespaceOrphaned',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    expect(events).toContain('namespace shop kept');
  });
});

describe('an Environment with deletionPolicy Delete', () => {
  it('deletes its namespace with it', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'tenancy.cairn.dev/v1alpha1',
        kind: 'Environment',
        metadata: { name: 'scratch' },
        spec: {
          namespace: 'scratch',
          owner: 'group:default/team-x',
          placement: { zones: ['local-9z'] },
          deletionPolicy: 'Delete',
        },
      }),
    );
    const environment = await waitFor(
      () => readEnvironmentIfAny('scratch'),
      ready,
      'Environment scratch to be Ready',
    );
    expect(
      environment!.status!.conditions!.find(c => c.type === 'PlacementEmpty'),
    ).toMatchObject({ status: 'True', reason: 'NoNodeMatches' });
    await core.readNamespace({ name: 'scratch' });
    await kubectl(['delete', 'env', 'scratch', '--wait=true']);
    await waitFor(
      () =>
        core
          .readNamespace({ name: 'scratch' })
          .then(ns => ns.metadata!.deletionTimestamp ?? 'alive')
          .catch(() => 'gone'),
      state => state !== 'alive',
      'namespace scratch to be deleted',
    );
  });
});
