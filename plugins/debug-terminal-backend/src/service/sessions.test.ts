import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  component,
  permissionPolicy,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { debugSessionCrd } from '@cairn/operators-api';
import {
  PluginOnDevCluster,
  startPluginOnDevCluster,
} from '@cairn/operators-testing';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObject,
  V1Pod,
} from '@kubernetes/client-node';
import request from 'supertest';
import { debugTerminalPlugin } from '../plugin';

/*
 * POST /sessions on a dev cluster, as the portal's service account with the
 * shipped RBAC: a pod whose command has exited (Succeeded, Failed) is
 * refused with 409 naming the pod and its phase, and neither a
 * DebugSession nor a container is created; the same request on a running
 * pod creates its session.
 */

jest.setTimeout(240_000);

const NAMESPACE = 'shop';
const OWNER = 'user:default/ann';
const WEB = 'component:default/web';

let dev: PluginOnDevCluster;

const sessionsApi = () =>
  dev.cluster.admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: 'debug.cairn.dev',
    version: 'v1alpha1',
    plural: 'debugsessions',
    namespace: NAMESPACE,
  }) as Promise<{ items: KubernetesObject[] }>;

const core = () => dev.cluster.admin.makeApiClient(CoreV1Api);

/** A pod of the entity running `script` in its container `app`, once it reaches `phase`. */
async function podThatRuns(
  name: string,
  script: string,
  phase: string,
): Promise<V1Pod> {
  await core().createNamespacedPod({
    namespace: NAMESPACE,
    body: {
      metadata: { name, labels: { 'backstage.io/kubernetes-id': 'web' } },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'app',
            image: 'registry.example/web:1',
            command: ['sh', '-c', script],
          },
        ],
      },
    },
  });
  return waitFor(
    () => core().readNamespacedPod({ namespace: NAMESPACE, name }),
    pod => pod.status?.phase === phase,
    `pod ${name} to be ${phase}`,
  );
}

const createSession = (pod: string, mode?: 'ephemeral' | 'copy') =>
  request(dev.url)
    .post('/api/debug-terminal/sessions')
    .set(userAuth(OWNER))
    .send({
      entityRef: WEB,
      cluster: 'dev',
      namespace: NAMESPACE,
      pod,
      container: 'app',
      toolkit: 'busybox',
      ...(mode ? { mode } : {}),
      ttlSeconds: 600,
    });

beforeAll(async () => {
  // The CRD only, no controller: what the backend creates stays as it made it.
  dev = await startPluginOnDevCluster({
    cluster: { namespaces: [NAMESPACE] },
    crds: [debugSessionCrd],
    features: [
      debugTerminalPlugin,
      catalogServiceMock.factory({
        entities: [
          component('web', { 'backstage.io/kubernetes-id': 'web' }, 'team-a'),
        ],
      }),
      permissionPolicy(() => true).permissions.factory,
    ],
  });
});

afterAll(async () => {
  await dev?.stop();
});

it.each([
  ['done', 'echo done', 'Succeeded'],
  ['crashed', 'exit 3', 'Failed'],
])(
  'refuses a session on a pod whose command has exited (%s: %s → %s), in either mode, creating nothing',
  async (name, script, phase) => {
    const finished = await podThatRuns(name, script, phase);
    for (const mode of ['ephemeral', 'copy', undefined] as const) {
      const refused = await createSession(name, mode);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({
        name: 'ConflictError',
        message: `cannot debug on cluster dev: pod ${NAMESPACE}/${name} has finished (phase ${phase}): its containers will not run again, so no debug container can start in it`,
      });
    }
    const { items } = await sessionsApi();
    expect(items.filter(s => (s as any).spec.podName === name)).toEqual([]);
    const after = await core().readNamespacedPod({
      namespace: NAMESPACE,
      name,
    });
    expect(after.spec?.ephemeralContainers ?? []).toEqual([]);
    expect(after.metadata?.resourceVersion).toBe(
      finished.metadata?.resourceVersion,
    );
  },
);

it('creates the session on a running pod', async () => {
  await podThatRuns('live', 'while true; do sleep 1; done', 'Running');
  const created = await createSession('live');
  expect(created.status).toBe(201);
  const { items } = await sessionsApi();
  expect(
    items
      .filter(s => (s as any).spec.podName === 'live')
      .map(s => s.metadata?.name),
  ).toEqual([created.body.name]);
});
