import { ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { userAuth, waitFor } from '@cairn/plugin-kubernetes-node/testUtils';
import examples from '@octokit/webhooks-examples';
import request from 'supertest';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
} from '../__testUtils__/tektonCluster';
import type { WebhooksBackendOptions } from '../__testUtils__/webhooksBackendProcess';

/*
 * A delivery answered 2xx is processed at least once even if the backend
 * dies right after, and exactly once: the pipelines backend runs as a child
 * process, is killed with SIGKILL while two accepted deliveries are being
 * turned into runs — one whose run the cluster created but whose answer the
 * backend never got, one whose create never reached the cluster — and a new
 * process on the same database finishes both, with one run each.
 *
 * The backend reaches the cluster through a proxy of this test (serving the
 * cluster's own certificate), which can keep a PipelineRun create's answer
 * or the create itself from going through.
 */

jest.setTimeout(300_000);

const SECRET = 'kill-test-secret';
const REPO = 'https://github.com/Codertocat/Hello-World';
const githubPush = (
  examples.find(e => e.name === 'push')!.examples as any[]
).filter(e => e.ref === 'refs/heads/master')[0];
const body = JSON.stringify(githubPush);

const NODE_TRANSFORM = require.resolve(
  '@backstage/cli/config/nodeTransform.cjs',
);
const CHILD = path.resolve(
  __dirname,
  '../__testUtils__/webhooksBackendProcess.ts',
);

type CreateMode = 'forward' | 'hold-answer' | 'hold-request';

/**
 * An HTTPS proxy to the cluster. A PipelineRun create is forwarded and
 * answered (`forward`), forwarded but left unanswered (`hold-answer`), or not
 * forwarded at all (`hold-request`); `creates` sees each create as it is
 * decided (with the cluster's status for a forwarded one).
 */
async function startClusterProxy(tc: TektonTestCluster) {
  const upstream = new URL(tc.admin.getCurrentCluster()!.server);
  const pki = path.join(path.dirname(tc.cluster.kubeconfigPath), 'pki');
  const agent = new https.Agent({
    keepAlive: true,
    ca: readFileSync(path.join(pki, 'ca.crt')),
  });
  const state = {
    mode: 'forward' as CreateMode,
    creates: [] as Array<{ mode: CreateMode; status?: number }>,
    onCreate: () => {},
  };
  const server = https.createServer(
    {
      cert: readFileSync(path.join(pki, 'apiserver.crt')),
      key: readFileSync(path.join(pki, 'apiserver.key')),
    },
    (req, res) => {
      const isCreate =
        req.method === 'POST' && /\/pipelineruns$/.test(req.url ?? '');
      const mode = isCreate ? state.mode : 'forward';
      if (mode === 'hold-request') {
        state.creates.push({ mode });
        state.onCreate();
        return;
      }
      const forwarded = https.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          agent,
        },
        answer => {
          if (isCreate) {
            state.creates.push({ mode, status: answer.statusCode });
            state.onCreate();
          }
          if (mode === 'hold-answer') {
            answer.resume();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', error => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      res.on('close', () => forwarded.destroy());
      req.pipe(forwarded);
    },
  );
  server.keepAliveTimeout = 120_000;
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    state,
    /** Resolves once the `n`th create (counting from 1) was decided. */
    createSeen: (n: number) =>
      new Promise<void>(resolve => {
        const check = () => {
          if (state.creates.length >= n) resolve();
        };
        state.onCreate = check;
        check();
      }),
    stop: () => {
      server.closeAllConnections();
      server.close();
      agent.destroy();
    },
  };
}

/** The backend as a child process; resolves with it and its port once it serves. */
async function startBackendProcess(options: WebhooksBackendOptions) {
  const child = spawn(
    process.execPath,
    ['--require', NODE_TRANSFORM, CHILD, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', chunk => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      const line = out.split('\n').find(l => l.startsWith('{"port"'));
      if (line) resolve(JSON.parse(line).port);
    });
    child.once('exit', code =>
      reject(
        new Error(`the backend exited (${code}) before serving: ${stderr}`),
      ),
    );
  });
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  return { child, port, exited };
}

describe('a webhook delivery answered 2xx, the backend killed right after', () => {
  let tc: TektonTestCluster;
  let proxy: Awaited<ReturnType<typeof startClusterProxy>>;
  let databaseDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    tc = await startTektonTestCluster();
    await tc.custom.createNamespacedCustomObject({
      ...tektonObjects('pipelines'),
      namespace: 'ci',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Pipeline',
        metadata: {
          name: 'gh-build',
          namespace: 'ci',
          labels: { 'backstage.io/kubernetes-id': 'shop' },
          annotations: { 'triggers.cairn.dev/repository': REPO },
        },
        spec: {
          tasks: [
            {
              name: 'build',
              taskSpec: {
                steps: [{ name: 'run', image: 'alpine', script: 'true' }],
              },
            },
          ],
        },
      },
    });
    proxy = await startClusterProxy(tc);
    databaseDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-webhooks-kill-'));
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    proxy?.stop();
    await tc?.stop();
    if (databaseDir) rmSync(databaseDir, { recursive: true, force: true });
  });

  it('processes both deliveries on restart, each into exactly one run', async () => {
    const kubernetes = JSON.parse(JSON.stringify(tc.kubernetesConfig));
    kubernetes.clusterLocatorMethods[0].clusters[0].url = proxy.url;
    const options = { kubernetes, databaseDir, githubSecret: SECRET };

    const deliver = (port: number, id: string) =>
      request(`http://127.0.0.1:${port}`)
        .post('/api/events/http/github')
        .set({
          'Content-Type': 'application/json',
          'X-GitHub-Event': 'push',
          'X-GitHub-Delivery': id,
          'X-Hub-Signature-256': `sha256=${createHmac('sha256', SECRET)
            .update(body)
            .digest('hex')}`,
        })
        .send(body);
    const deliveries = async (port: number) =>
      (
        await request(`http://127.0.0.1:${port}`)
          .get('/api/pipelines/webhooks/deliveries')
          .set(userAuth('user:default/ops'))
      ).body.items as any[];
    const runsOf = async (id: string) =>
      (
        (await tc.custom.listNamespacedCustomObject({
          ...tektonObjects('pipelineruns'),
          namespace: 'ci',
          labelSelector: `triggers.cairn.dev/delivery-id=${id}`,
        })) as { items: any[] }
      ).items;
    const processed = (port: number, id: string) =>
      waitFor(
        async () => (await deliveries(port)).find(d => d.deliveryId === id),
        d => d !== undefined && d.outcome !== 'pending',
        `delivery ${id} to be processed`,
        120_000,
      );

    const first = await startBackendProcess(options);
    child = first.child;
    // A delivery processed as usual: the backend has listed the Pipelines.
    expect((await deliver(first.port, 'warm-up')).status).toBe(202);
    expect(await processed(first.port, 'warm-up')).toMatchObject({
      outcome: 'runs-created',
    });

    // Its run is created, but the backend never hears so.
    proxy.state.mode = 'hold-answer';
    expect((await deliver(first.port, 'created-unrecorded')).status).toBe(202);
    await proxy.createSeen(2);
    expect(proxy.state.creates[1]).toEqual({
      mode: 'hold-answer',
      status: 201,
    });
    // Its create never reaches the cluster.
    proxy.state.mode = 'hold-request';
    expect((await deliver(first.port, 'not-created')).status).toBe(202);
    await proxy.createSeen(3);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(await runsOf('created-unrecorded')).toHaveLength(1);
    expect(await runsOf('not-created')).toHaveLength(0);

    proxy.state.mode = 'forward';
    const second = await startBackendProcess(options);
    child = second.child;
    const [recovered, created] = [
      await processed(second.port, 'created-unrecorded'),
      await processed(second.port, 'not-created'),
    ];
    expect(recovered.outcome).toBe('runs-created');
    expect(created.outcome).toBe('runs-created');
    const [existing] = await runsOf('created-unrecorded');
    expect(recovered.runs[0].name).toBe(existing.metadata.name);
    expect(await runsOf('created-unrecorded')).toHaveLength(1);
    expect(await runsOf('not-created')).toHaveLength(1);
    expect(await runsOf('warm-up')).toHaveLength(1);
    // Only the one missing run was created after the restart.
    expect(proxy.state.creates.slice(3)).toEqual([
      { mode: 'forward', status: 201 },
    ]);
  });
});
