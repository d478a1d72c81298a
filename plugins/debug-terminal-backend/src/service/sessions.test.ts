import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  component,
  PortalTestCluster,
  permissionPolicy,
  startPortalTestCluster,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { debugSessionCrd } from '@cairn/operators-api';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObject,
  KubernetesObjectApi,
  loadYaml,
  V1Pod,
} from '@kubernetes/client-node';
import { AddressInfo, createServer } from 'node:net';
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

let cluster: PortalTestCluster;
// Backstage's own backend, as terminal.test.ts runs it: the test backend's
// router takes no WebSocket routes, which the plugin adds.
let backend: ReturnType<typeof createBackend>;
let port: number;

/** A port no one listens on, for the backend. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return free;
}

const sessionsApi = () =>
  cluster.admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: 'debug.cairn.dev',
    version: 'v1alpha1',
    plural: 'debugsessions',
    namespace: NAMESPACE,
  }) as Promise<{ items: KubernetesObject[] }>;

const core = () => cluster.admin.makeApiClient(CoreV1Api);

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
  request(`http://localhost:${port}`)
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
  cluster = await startPortalTestCluster({ namespaces: [NAMESPACE] });
  // The CRD only, no controller: what the backend creates stays as it made it.
  await KubernetesObjectApi.makeApiClient(cluster.admin).create(
    loadYaml<KubernetesObject>(JSON.stringify(debugSessionCrd)),
  );
  await waitFor(
    () =>
      sessionsApi()
        .then(() => true)
        .catch(() => false),
    served => served,
    'the DebugSession CRD to be served',
  );
  port = await freePort();
  backend = createBackend();
  for (const feature of [
    mockServices.auth.factory(),
    mockServices.httpAuth.factory(),
    mockServices.rootLogger.factory(),
    mockServices.database.factory(),
    debugTerminalPlugin,
    catalogServiceMock.factory({
      entities: [
        component('web', { 'backstage.io/kubernetes-id': 'web' }, 'team-a'),
      ],
    }),
    permissionPolicy(() => true).permissions.factory,
    mockServices.rootConfig.factory({
      data: {
        kubernetes: cluster.kubernetesConfig as any,
        backend: {
          baseUrl: `http://localhost:${port}`,
          listen: { host: '127.0.0.1', port },
        },
      },
    }),
  ]) {
    backend.add(feature);
  }
  await backend.start();
});

afterAll(async () => {
  await backend?.stop();
  await cluster?.stop();
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
