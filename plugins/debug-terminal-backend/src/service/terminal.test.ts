import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TERMINAL_CLOSE_CODES } from '@cairn/plugin-debug-terminal-common';
import {
  auditRecorder,
  component,
  PortalTestCluster,
  permissionPolicy,
  startPortalTestCluster,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { debugSessionCrd } from '@cairn/operators-api';
import { debugSessionController } from '@cairn/operators-debug';
import {
  PluginOnDevCluster,
  startPluginOnDevCluster,
} from '@cairn/operators-testing';
import { CoreV1Api } from '@kubernetes/client-node';
import request from 'supertest';
import WebSocket from 'ws';
import { debugTerminalPlugin } from '../plugin';

/*
 * The terminal sockets against dev clusters (two, as two clusters of the
 * `kubernetes:` config), as the portal's service
 * account with the shipped RBAC, recorded in a real database: a shell on
 * the entity's pod echoes what is typed, a resize reaches the process, a
 * toolkit session made Active by the DebugSession controller is attached
 * to, a user without the permission is refused before any cluster call, a
 * socket without a token is closed with the reason, and ops replay what
 * was typed.
 */

jest.setTimeout(240_000);

const NAMESPACE = 'shop';
const OWNER = 'user:default/ann';
const OPS = 'user:default/olga';
const OTHER = 'user:default/bob';
const WEB = 'component:default/web';
const entities = [
  component('web', { 'backstage.io/kubernetes-id': 'web' }, 'team-a'),
  component('other', { 'backstage.io/kubernetes-id': 'other' }, 'team-b'),
];

const policy = permissionPolicy((call, user) => {
  if (user === OPS) return true;
  if (
    call.permission === 'debug.shell.exec' ||
    call.permission === 'debug.session.create'
  )
    return user === OWNER && call.resourceRef === WEB;
  return call.permission === 'catalog.entity.read';
});

/** A second cluster of the same config, to show the terminal reaches each. */
let prod: PortalTestCluster;

/** Starts pod `app` of the entity of that `backstage.io/kubernetes-id`. */
async function startPod(
  cluster: PortalTestCluster,
  app: string,
  env: Array<{ name: string; value: string }> = [],
) {
  await cluster.admin.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: NAMESPACE,
    body: {
      metadata: { name: app, labels: { 'backstage.io/kubernetes-id': app } },
      spec: {
        containers: [
          {
            name: 'app',
            image: `registry.example/${app}:1`,
            env,
            command: ['sh', '-c', 'while true; do sleep 1; done'],
          },
        ],
      },
    },
  });
}

const running = (cluster: PortalTestCluster, app: string) =>
  waitFor(
    () =>
      cluster.admin
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ namespace: NAMESPACE, name: app }),
    pod => pod.status?.phase === 'Running',
    `pod ${app} to run`,
  );

beforeAll(async () => {
  prod = await startPortalTestCluster({
    namespaces: [NAMESPACE],
    devCluster: { tekton: false },
  });
  await startPod(prod, 'web', [{ name: 'WHERE', value: 'in prod' }]);
});

afterAll(async () => {
  await prod?.stop();
});

/** The `kubernetes:` config of both clusters, `dev` and `prod`. */
function bothClusters(dev: PortalTestCluster) {
  const [own] = (dev.kubernetesConfig as any).clusterLocatorMethods;
  const [other] = (prod.kubernetesConfig as any).clusterLocatorMethods;
  return {
    clusterLocatorMethods: [
      {
        ...own,
        clusters: [
          ...own.clusters,
          { ...other.clusters[0], name: 'prod', title: 'Prod cluster' },
        ],
      },
    ],
  };
}

/** A terminal socket, collecting what it receives; no user: no token. */
function openTerminal(
  url: string,
  user: string | undefined,
  query: Record<string, string>,
  path: '/shell' | '/attach' = '/shell',
) {
  const socket = new WebSocket(
    `${url.replace(
      /^http/,
      'ws',
    )}/api/debug-terminal${path}?${new URLSearchParams(query)}`,
    user ? { headers: userAuth(user) } : {},
  );
  const received: Buffer[] = [];
  socket.on('message', data => received.push(data as Buffer));
  const closed = new Promise<{ code: number; reason: string }>(resolve =>
    socket.on('close', (code, reason) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
  return {
    socket,
    closed,
    output: () => Buffer.concat(received).toString(),
    type: (text: string) => socket.send(Buffer.from(text), { binary: true }),
    opened: new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    }),
  };
}

const target = (pod: string) => ({
  entityRef: WEB,
  cluster: 'dev',
  namespace: NAMESPACE,
  pod,
  container: 'app',
});

describe.each(
  TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] }).eachSupportedId(),
)('on %s', (databaseId: TestDatabaseId) => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  const audit = auditRecorder();
  let dev: PluginOnDevCluster;
  const api = () => request(dev.url);

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    dev = await startPluginOnDevCluster({
      cluster: { namespaces: [NAMESPACE] },
      crds: [debugSessionCrd],
      controllers: [debugSessionController()],
      async prepare(cluster) {
        for (const app of ['web', 'other']) await startPod(cluster, app);
        for (const app of ['web', 'other']) await running(cluster, app);
      },
      config: cluster => ({
        kubernetes: bothClusters(cluster),
        debugTerminal: { maxSessionsPerUser: 2 },
      }),
      features: [
        debugTerminalPlugin,
        catalogServiceMock.factory({ entities }),
        policy.permissions.factory,
        ...audit.factories,
        mockServices.database.factory({ knex }),
      ],
    });
  });

  afterAll(async () => {
    await dev?.stop();
  });

  it('runs what is typed in a shell on the entity’s pod, resizes it, and ops replay it', async () => {
    const terminal = openTerminal(dev.url, OWNER, {
      ...target('web'),
      cols: '100',
      rows: '30',
    });
    await terminal.opened;
    terminal.type('echo h""i\n');
    await waitFor(
      terminal.output,
      out => /\bhi\r?\n/.test(out),
      'hi in the terminal',
    );

    terminal.socket.send(
      JSON.stringify({ type: 'resize', cols: 132, rows: 43 }),
    );
    terminal.type('stty size\n');
    await waitFor(
      terminal.output,
      out => out.includes('43 132'),
      'the new size from stty',
    );

    terminal.type('exit\n');
    expect((await terminal.closed).code).toBe(TERMINAL_CLOSE_CODES.ended);

    const list = await waitFor(
      () => api().get('/api/debug-terminal/recordings').set(userAuth(OPS)),
      res => res.status === 200 && res.body.items.some((r: any) => r.endedAt),
      'the finished recording',
    );
    const recording = list.body.items[0];
    expect(recording).toMatchObject({
      kind: 'shell',
      userEntityRef: OWNER,
      entityRef: WEB,
      pod: 'web',
      container: 'app',
    });
    const cast = await api()
      .get(`/api/debug-terminal/recordings/${recording.id}`)
      .set(userAuth(OPS));
    expect(cast.status).toBe(200);
    const [header, ...events] = cast.text
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(header).toMatchObject({ version: 2, width: 100, height: 30 });
    const typed = events
      .filter(e => e[1] === 'i')
      .map(e => e[2])
      .join('');
    const shown = events
      .filter(e => e[1] === 'o')
      .map(e => e[2])
      .join('');
    expect(typed).toContain('echo h""i\n');
    expect(shown).toMatch(/\bhi\r?\n/);
    expect(events.some(e => e[1] === 'r' && e[2] === '132x43')).toBe(true);

    const refused = await api()
      .get(`/api/debug-terminal/recordings/${recording.id}`)
      .set(userAuth(OWNER));
    expect(refused.status).toBe(403);

    const ended = audit.events.find(e => e.eventId === 'terminal');
    expect(ended).toMatchObject({ outcome: 'success' });
  });

  it('refuses a user without the permission before any cluster call', async () => {
    const before = policy.calls.length;
    // The cluster's audit log, as it sees calls about pod web.
    const podCalls = async (during: () => Promise<void>) => {
      const seen: string[] = [];
      const stop = dev.cluster.cluster.server.onAudit(event => {
        const ref = event.objectRef;
        if (ref?.resource === 'pods' && ref.name === 'web')
          seen.push(`${event.verb} ${ref.subresource ?? ''}`.trim());
      });
      try {
        await during();
      } finally {
        stop();
      }
      return seen;
    };

    const refused = await podCalls(async () => {
      const terminal = openTerminal(dev.url, OTHER, target('web'));
      const closed = await terminal.closed;
      expect(closed.code).toBe(TERMINAL_CLOSE_CODES.forbidden);
      expect(closed.reason).toContain('debug.shell.exec');
    });
    expect(refused).toEqual([]);
    expect(policy.calls.slice(before)).toEqual([
      { permission: 'debug.shell.exec', resourceRef: WEB },
    ]);

    // The same log shows the owner's shell, so it would show a refused one.
    const allowed = await podCalls(async () => {
      const terminal = openTerminal(dev.url, OWNER, target('web'));
      await terminal.opened;
      terminal.type('exit\n');
      await terminal.closed;
    });
    expect(allowed).toContain('create exec');
  });

  it('attaches to a toolkit session the controller made Active', async () => {
    const created = await api()
      .post('/api/debug-terminal/sessions')
      .set(userAuth(OWNER))
      .send({ ...target('web'), toolkit: 'busybox', ttlSeconds: 600 });
    expect(created.status).toBe(201);
    const ref = `/api/debug-terminal/sessions/dev/${NAMESPACE}/${created.body.name}`;
    const active = await waitFor(
      () => api().get(ref).query({ entityRef: WEB }).set(userAuth(OWNER)),
      res => res.body.phase === 'Active',
      'the session to be Active',
    );
    expect(active.body).toMatchObject({
      entityRef: WEB,
      podName: 'web',
      toolkit: 'busybox',
      containerName: expect.stringMatching(/^debugger-/),
    });

    const pods = await api()
      .get('/api/debug-terminal/pods')
      .query({ entityRef: WEB })
      .set(userAuth(OWNER));
    expect(pods.status).toBe(200);
    expect(pods.body.items).toEqual([
      expect.objectContaining({
        cluster: 'dev',
        name: 'web',
        containers: [expect.objectContaining({ name: 'app' })],
        debugContainers: [
          expect.objectContaining({
            name: active.body.containerName,
            state: 'running',
          }),
        ],
      }),
      // The entity's pod in the other configured cluster, listed too.
      expect.objectContaining({
        cluster: 'prod',
        name: 'web',
        debugContainers: [],
      }),
    ]);

    const terminal = openTerminal(
      dev.url,
      OWNER,
      {
        entityRef: WEB,
        cluster: 'dev',
        namespace: NAMESPACE,
        name: created.body.name,
      },
      '/attach',
    );
    await terminal.opened;
    terminal.type('echo h""i\n');
    await waitFor(
      terminal.output,
      out => /\bhi\r?\n/.test(out),
      'hi in the toolkit terminal',
    );
    terminal.socket.close();
    await terminal.closed;

    const ended = await api()
      .delete(ref)
      .query({ entityRef: WEB })
      .set(userAuth(OWNER));
    expect(ended.status).toBe(204);
  });

  it('closes the terminal of an expired session with 4009 and why', async () => {
    const created = await api()
      .post('/api/debug-terminal/sessions')
      .set(userAuth(OWNER))
      .send({ ...target('web'), toolkit: 'busybox', ttlSeconds: 1 });
    expect(created.status).toBe(201);
    await waitFor(
      () =>
        api()
          .get(
            `/api/debug-terminal/sessions/dev/${NAMESPACE}/${created.body.name}`,
          )
          .query({ entityRef: WEB })
          .set(userAuth(OWNER)),
      res => res.body.phase === 'Expired',
      'the session to expire',
    );
    const terminal = openTerminal(
      dev.url,
      OWNER,
      {
        entityRef: WEB,
        cluster: 'dev',
        namespace: NAMESPACE,
        name: created.body.name,
      },
      '/attach',
    );
    expect(await terminal.closed).toEqual({
      code: TERMINAL_CLOSE_CODES.notActive,
      reason: expect.stringMatching(/^the session is Expired/),
    });
  });

  it('keeps a user to maxSessionsPerUser open terminals, and frees one as soon as it is closed', async () => {
    const live = async () => {
      const terminal = openTerminal(dev.url, OWNER, target('web'));
      await terminal.opened;
      terminal.type('echo re""ady\n');
      await waitFor(terminal.output, out => out.includes('ready'), 'a shell');
      return terminal;
    };
    const first = await live();
    const second = await live();

    const third = openTerminal(dev.url, OWNER, target('web'));
    expect(await third.closed).toEqual({
      code: TERMINAL_CLOSE_CODES.tooMany,
      reason: 'you have 2 terminals open, the most allowed; close one first',
    });

    first.type('exit\n');
    await first.closed;
    const fourth = await live();
    for (const terminal of [second, fourth]) {
      terminal.type('exit\n');
      await terminal.closed;
    }
  });

  it('opens a shell in whichever configured cluster the pod is in', async () => {
    await running(prod, 'web');
    const terminal = openTerminal(dev.url, OWNER, {
      ...target('web'),
      cluster: 'prod',
    });
    await terminal.opened;
    terminal.type('echo "[$WHERE]"\n');
    await waitFor(
      terminal.output,
      out => out.includes('[in prod]'),
      'the prod pod’s shell',
    );
    terminal.type('exit\n');
    expect((await terminal.closed).code).toBe(TERMINAL_CLOSE_CODES.ended);
  });

  it('closes a socket without a token with 4001 and why', async () => {
    const terminal = openTerminal(dev.url, undefined, target('web'));
    const closed = await terminal.closed;
    expect(closed).toEqual({
      code: TERMINAL_CLOSE_CODES.unauthenticated,
      reason:
        'no Backstage token: send it as the Sec-WebSocket-Protocol of the socket',
    });
  });

  it('refuses a pod that is not the entity’s', async () => {
    const terminal = openTerminal(dev.url, OWNER, target('other'));
    const closed = await terminal.closed;
    expect(closed.code).toBe(TERMINAL_CLOSE_CODES.notFound);
    expect(closed.reason).toContain('not one of');
  });
});
