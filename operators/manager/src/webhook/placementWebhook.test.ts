import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  V1Pod,
} from '@kubernetes/client-node';
import type { Manager } from '@cairn/controller-runtime';
import {
  DEFAULT_TOPOLOGY_LABELS,
  Environment,
  PLACEMENT_WEBHOOK_CONFIGURATION,
} from '@cairn/operators-api';
import { environmentController } from '@cairn/operators-environment';
import {
  OperatorsTestCluster,
  startOperatorsTestCluster,
} from '@cairn/operators-testing';
import {
  PlacementWebhook,
  placementWebhook,
  WEBHOOK_SECRET,
} from './placementWebhook';

/*
 * Placement through the manager's webhook on the dev cluster, whose
 * MutatingAdmissionWebhook calls it over HTTPS as kube-apiserver would:
 * the Environment controller writes no node selector in this mode, the
 * webhook adds the pod's required node affinity, and the scheduler keeps
 * the pods on the bound nodes. The manager holds only operators/deploy's
 * ServiceAccount token, so a missing RBAC rule fails here.
 */

jest.setTimeout(600_000);

let operators: OperatorsTestCluster;
let manager: Manager;
let webhook: PlacementWebhook;
let core: CoreV1Api;

const ENVIRONMENT = {
  apiVersion: 'tenancy.cairn.dev/v1alpha1',
  kind: 'Environment',
  metadata: { name: 'shop-placed' },
  spec: {
    namespace: 'shop-placed',
    owner: 'group:default/team-storefront',
    // Zone a or one rack of zone b: two nodeSelectorTerms, ORed.
    placement: { zones: ['local-1a'], racks: ['local-1b-r2'] },
  },
};

const pod = (name: string, spec: Partial<V1Pod['spec']> = {}): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop-placed' },
  spec: {
    containers: [
      { name: 'app', image: 'busybox:1.36', command: ['sleep', '1d'] },
    ],
    terminationGracePeriodSeconds: 1,
    ...spec,
  },
});

const statusError = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    const body = (error as { body?: string }).body;
    return { code: (error as { code?: number }).code, body: JSON.parse(body!) };
  }
  throw new Error('the call succeeded');
};

beforeAll(async () => {
  operators = await startOperatorsTestCluster({
    established: ['crd/environments.tenancy.cairn.dev'],
  });
  core = operators.admin.makeApiClient(CoreV1Api);
  manager = await operators.startManager(
    environmentController({ placementAdmission: 'Webhook' }),
  );
  webhook = await placementWebhook(manager, {
    bindAddress: '127.0.0.1:0',
    namespace: 'cairn-system',
    service: 'cairn-operators-webhook',
    // The manager runs outside the cluster here: called by URL, on the port bound.
    url: 'https://127.0.0.1',
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
    topologyLabels: DEFAULT_TOPOLOGY_LABELS,
  });
  await webhook.start();
  await operators.kubectl(['apply', '-f', '-'], JSON.stringify(ENVIRONMENT));
  await operators.waitFor(
    () =>
      operators.admin
        .makeApiClient(CustomObjectsApi)
        .getClusterCustomObject({
          group: 'tenancy.cairn.dev',
          version: 'v1alpha1',
          plural: 'environments',
          name: 'shop-placed',
        })
        .catch(() => undefined) as Promise<Environment | undefined>,
    e =>
      e?.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ) === true,
    'Environment shop-placed to be Ready',
  );
});

afterAll(async () => {
  await webhook?.close();
  await manager?.stop();
  await operators?.dispose();
});

it('registers its MutatingWebhookConfiguration with the CA of the certificates it keeps', async () => {
  const configuration = await operators.admin
    .makeApiClient(AdmissionregistrationV1Api)
    .readMutatingWebhookConfiguration({
      name: PLACEMENT_WEBHOOK_CONFIGURATION,
    });
  const [registered] = configuration.webhooks!;
  expect(registered).toMatchObject({
    name: 'placement.tenancy.cairn.dev',
    failurePolicy: 'Fail',
    sideEffects: 'None',
    timeoutSeconds: 5,
    clientConfig: { url: `${webhook.address}/mutate-v1-pod` },
  });
  const secret = await core.readNamespacedSecret({
    namespace: 'cairn-system',
    name: WEBHOOK_SECRET,
  });
  expect(registered.clientConfig.caBundle).toBe(secret.data!['ca.crt']);
});

it('lands a pod without a node selector only on the bound nodes, through the webhook', async () => {
  // This path writes no PodNodeSelector annotation: the webhook places pods.
  const namespace = await core.readNamespace({ name: 'shop-placed' });
  expect(
    namespace.metadata!.annotations?.[
      'scheduler.alpha.kubernetes.io/node-selector'
    ],
  ).toBeUndefined();
  const bound = (await core.listNode()).items
    .filter(
      n =>
        n.metadata!.labels!['topology.kubernetes.io/zone'] === 'local-1a' ||
        n.metadata!.labels!['topology.cairn.dev/rack'] === 'local-1b-r2',
    )
    .map(n => n.metadata!.name!);
  expect(bound.length).toBeGreaterThan(0);
  const names = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5'];
  for (const name of names) {
    const created = await core.createNamespacedPod({
      namespace: 'shop-placed',
      body: pod(name),
    });
    expect(created.spec!.nodeSelector).toBeUndefined();
    expect(created.spec!.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: 'topology.kubernetes.io/zone',
                  operator: 'In',
                  values: ['local-1a'],
                },
              ],
            },
            {
              matchExpressions: [
                {
                  key: 'topology.cairn.dev/rack',
                  operator: 'In',
                  values: ['local-1b-r2'],
                },
              ],
            },
          ],
        },
      },
    });
  }
  const scheduled = await operators.waitFor(
    async () =>
      (
        await core.listNamespacedPod({ namespace: 'shop-placed' })
      ).items.filter(p => names.includes(p.metadata!.name!)),
    list => list.length === names.length && list.every(p => p.spec!.nodeName),
    'the pods to be scheduled',
  );
  for (const placed of scheduled)
    expect(bound).toContain(placed.spec!.nodeName);
});

it("ANDs the placement into a pod's own required node affinity", async () => {
  const created = await core.createNamespacedPod({
    namespace: 'shop-placed',
    body: pod('own-affinity', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  {
                    key: 'kubernetes.io/os',
                    operator: 'In',
                    values: ['linux'],
                  },
                ],
              },
            ],
          },
        },
      },
    }),
  });
  expect(
    created.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms.map(
      term => term.matchExpressions!.map(e => e.key),
    ),
  ).toEqual([
    ['kubernetes.io/os', 'topology.kubernetes.io/zone'],
    ['kubernetes.io/os', 'topology.cairn.dev/rack'],
  ]);
});

it('leaves pods of other namespaces alone (namespaceSelector)', async () => {
  const created = await core.createNamespacedPod({
    namespace: 'default',
    body: {
      ...pod('elsewhere'),
      metadata: { name: 'elsewhere', namespace: 'default' },
    },
  });
  expect(created.spec!.affinity).toBeUndefined();
});

it('puts its configuration back when it is deleted', async () => {
  const api = operators.admin.makeApiClient(AdmissionregistrationV1Api);
  await api.deleteMutatingWebhookConfiguration({
    name: PLACEMENT_WEBHOOK_CONFIGURATION,
  });
  const back = await operators.waitFor(
    () =>
      api
        .readMutatingWebhookConfiguration({
          name: PLACEMENT_WEBHOOK_CONFIGURATION,
        })
        .catch(() => undefined),
    configuration => configuration !== undefined,
    'the MutatingWebhookConfiguration to be registered again',
  );
  expect(back!.webhooks![0].clientConfig.url).toBe(
    `${webhook.address}/mutate-v1-pod`,
  );
});

it('shares the kept certificates with another replica', async () => {
  const secret = () =>
    core.readNamespacedSecret({
      namespace: 'cairn-system',
      name: WEBHOOK_SECRET,
    });
  const before = (await secret()).data!['ca.crt'];
  const replica = await placementWebhook(manager, {
    bindAddress: '127.0.0.1:0',
    namespace: 'cairn-system',
    service: 'cairn-operators-webhook',
    url: 'https://127.0.0.1',
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
    topologyLabels: DEFAULT_TOPOLOGY_LABELS,
  });
  try {
    await replica.start();
    expect((await secret()).data!['ca.crt']).toBe(before);
    // The other replica answers with a certificate of the same CA.
    const configuration = await operators.admin
      .makeApiClient(AdmissionregistrationV1Api)
      .readMutatingWebhookConfiguration({
        name: PLACEMENT_WEBHOOK_CONFIGURATION,
      });
    expect(configuration.webhooks![0].clientConfig.caBundle).toBe(before);
  } finally {
    await replica.close();
  }
  // Each replica registers its own URL here (no Service): put the first's back.
  await operators.kubectl([
    'delete',
    'mutatingwebhookconfiguration',
    PLACEMENT_WEBHOOK_CONFIGURATION,
  ]);
  await operators.waitFor(
    () =>
      operators.admin
        .makeApiClient(AdmissionregistrationV1Api)
        .readMutatingWebhookConfiguration({
          name: PLACEMENT_WEBHOOK_CONFIGURATION,
        })
        .catch(() => undefined),
    configuration =>
      configuration?.webhooks?.[0].clientConfig.url ===
      `${webhook.address}/mutate-v1-pod`,
    'the first replica to register its URL again',
  );
  const created = await core.createNamespacedPod({
    namespace: 'shop-placed',
    body: pod('after-replica'),
  });
  expect(created.spec!.affinity?.nodeAffinity).toBeDefined();
});

describe('with the webhook down', () => {
  beforeAll(async () => {
    // Stops serving and keeping the configuration (as a crashed manager).
    await webhook.close();
  });

  it('refuses the pod under failurePolicy Fail, in kube-apiserver’s words', async () => {
    const refused = await statusError(
      core.createNamespacedPod({
        namespace: 'shop-placed',
        body: pod('refused'),
      }),
    );
    expect(refused.code).toBe(500);
    expect(refused.body).toMatchObject({ reason: 'InternalError', code: 500 });
    expect(refused.body.message).toMatch(
      /^Internal error occurred: failed calling webhook "placement\.tenancy\.cairn\.dev": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/mutate-v1-pod\?timeout=5s": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/,
    );
  });

  it('admits it unplaced under failurePolicy Ignore', async () => {
    await operators.kubectl([
      'patch',
      'mutatingwebhookconfiguration',
      PLACEMENT_WEBHOOK_CONFIGURATION,
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]',
    ]);
    const admitted = await core.createNamespacedPod({
      namespace: 'shop-placed',
      body: pod('ignored'),
    });
    expect(admitted.spec!.affinity).toBeUndefined();
  });
});
