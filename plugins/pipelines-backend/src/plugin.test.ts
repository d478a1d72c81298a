import {
  auditRecorder,
  component,
  permissionPolicy,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { CoreV1Api } from '@kubernetes/client-node';
import { Knex } from 'knex';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type request from 'supertest';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
} from './__testUtils__/tektonCluster';
import { DatabaseLogStore } from './logs';
import {
  PipelinesTestBackend,
  pushedRuns,
  startPipelinesTestBackend,
  withEventStream,
} from './__testUtils__/testBackend';

/*
 * The plugin in a test backend against a dev cluster with Tekton, read as a
 * portal service account that may change PipelineRuns only in namespace
 * `ci`. The permission policy lets everyone read, and only lets `shop`'s
 * and `elsewhere`'s runs be changed, so both decisions are exercised.
 */

jest.setTimeout(180_000);

const entities = [
  component('shop', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-id': 'shop',
  }),
  component('cart', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-id': 'cart',
    'backstage.io/kubernetes-namespace': 'ci',
  }),
  component('elsewhere', { 'backstage.io/kubernetes-id': 'elsewhere' }),
  component('bare', {}),
  component('lost', {
    'backstage.io/kubernetes-id': 'shop',
    'backstage.io/kubernetes-cluster': 'staging',
  }),
];

const SHOP = 'component:default/shop';
const CART = 'component:default/cart';

const step = (name: string, script: string) => ({
  name,
  image: 'alpine',
  script: `#!/bin/sh\n${script}\n`,
});

/** The PipelineRuns of namespace `ci`, where the portal may change them. */
const CI_RUNS = { ...tektonObjects('pipelineruns'), namespace: 'ci' };

/** The path of run `name` in namespace `ci` on cluster `dev`. */
const runPath = (name: string) => `/runs/dev/ci/${name}`;

describe('pipelines backend against a dev cluster with Tekton', () => {
  let tc: TektonTestCluster;
  let api: PipelinesTestBackend['api'];
  let call: PipelinesTestBackend['call'];
  let server: PipelinesTestBackend['server'];
  const auth = userAuth();
  const policy = permissionPolicy(
    ({ permission, resourceRef }) =>
      permission === 'pipelines.run.read' ||
      resourceRef === SHOP ||
      resourceRef === 'component:default/elsewhere',
  );
  const authorizeCalls = policy.calls;
  const auditor = auditRecorder();
  const audit = auditor.events;

  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    tc = await startTektonTestCluster();
    /** Creates a Pipeline of the entity with kubernetes-id `id`. */
    const createPipeline = (
      namespace: string,
      name: string,
      id: string,
      spec: object,
    ) =>
      tc.custom.createNamespacedCustomObject({
        ...tektonObjects('pipelines'),
        namespace,
        body: {
          apiVersion: 'tekton.dev/v1',
          kind: 'Pipeline',
          metadata: {
            name,
            namespace,
            labels: { 'backstage.io/kubernetes-id': id },
          },
          spec,
        },
      });
    await createPipeline('ci', 'build', 'shop', {
      params: [
        { name: 'message', default: 'hello' },
        { name: 'level', enum: ['debug', 'info'], default: 'info' },
      ],
      tasks: [
        {
          name: 'compile',
          params: [{ name: 'message', value: '$(params.message)' }],
          taskSpec: {
            params: [{ name: 'message' }],
            steps: [step('say', 'echo "$(params.message)"')],
          },
        },
        {
          name: 'test',
          runAfter: ['compile'],
          taskSpec: { steps: [step('check', 'echo ok')] },
        },
      ],
    });
    await createPipeline('ci', 'slow', 'shop', {
      workspaces: [{ name: 'scratch' }],
      tasks: [
        {
          name: 'wait',
          workspaces: [{ name: 'scratch', workspace: 'scratch' }],
          taskSpec: {
            workspaces: [{ name: 'scratch' }],
            steps: [step('sleep', 'sleep 60')],
          },
        },
      ],
    });
    await createPipeline('ci', 'ticker', 'shop', {
      tasks: [
        {
          name: 'tick',
          taskSpec: {
            steps: [
              step(
                'tick',
                'echo line-1; sleep 1; echo line-2; sleep 1; echo line-3',
              ),
            ],
          },
        },
      ],
    });
    const oneStep = {
      tasks: [{ name: 'one', taskSpec: { steps: [step('s', 'echo')] } }],
    };
    await createPipeline('ci', 'cart-build', 'cart', oneStep);
    await createPipeline('other', 'elsewhere-build', 'elsewhere', oneStep);

    ({ server, api, call } = await startPipelinesTestBackend({
      cluster: tc,
      entities,
      permissions: policy.permissions.factory,
      features: [...auditor.factories, mockServices.database.factory({ knex })],
      config: {
        kubernetes: {
          clusterLocatorMethods: [
            ...(tc.kubernetesConfig as any).clusterLocatorMethods,
            {
              // A second cluster that is down: the first still serves.
              type: 'config',
              clusters: [
                {
                  name: 'down',
                  url: 'https://127.0.0.1:1',
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'unused',
                  skipTLSVerify: true,
                },
              ],
            },
          ],
        },
        pipelines: { serviceAccounts: ['ci-runner'] },
      },
    }));
  });

  afterAll(async () => {
    await tc?.stop();
  });

  async function listRuns(
    entityRef: string,
    query: Record<string, string> = {},
  ) {
    const res = await call('get', '/runs', entityRef).query(query);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** Starts `pipeline` on cluster `dev` in namespace `ci` unless `body` names others. */
  const startRun = (pipeline: string, body: object = {}, entityRef = SHOP) =>
    call('post', '/runs', entityRef).send({
      cluster: 'dev',
      namespace: 'ci',
      pipeline,
      ...body,
    });
  const getRun = (name: string, entityRef = SHOP) =>
    call('get', runPath(name), entityRef);
  const runAction = (
    name: string,
    action: 'cancel' | 'rerun' | 'start',
    entityRef = SHOP,
  ) => call('post', `${runPath(name)}/${action}`, entityRef);
  /** Creates a PipelineRun in namespace `ci` directly, as if outside the portal. */
  const createRun = (metadata: object, spec: object) =>
    tc.custom.createNamespacedCustomObject({
      ...CI_RUNS,
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata,
        spec,
      },
    });

  async function waitForRun(
    name: string,
    done: (summary: any) => boolean,
    what: string,
  ) {
    return waitFor(
      async () =>
        (await listRuns(SHOP, { search: name })).items.find(
          (r: any) => r.name === name,
        ),
      s => Boolean(s && done(s)),
      what,
      90_000,
    );
  }
  const waitForStatus = (name: string, status: string) =>
    waitForRun(
      name,
      s => s.status.status === status,
      `run ${name} to be ${status}`,
    );

  /** Starts a run of `slow`, which runs for a minute, and waits until it runs. */
  async function startSlowRun(): Promise<string> {
    const res = await startRun('slow', {
      workspaces: [{ name: 'scratch', emptyDir: {} }],
    });
    expect(res.status).toBe(201);
    await waitForStatus(res.body.name, 'running');
    return res.body.name;
  }

  let firstRun: string;

  it('starts a run of a pipeline and lists it once it succeeded', async () => {
    const res = await startRun('build', {
      params: { message: 'from the portal' },
      timeouts: { pipeline: '10m' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ cluster: 'dev', namespace: 'ci' });
    expect(res.body.name).toMatch(/^build-/);
    firstRun = res.body.name;
    expect(authorizeCalls).toContainEqual({
      permission: 'pipelines.run.create',
      resourceRef: SHOP,
    });
    expect(audit).toContainEqual({
      eventId: 'pipeline-run-start',
      meta: {
        entityRef: SHOP,
        cluster: 'dev',
        namespace: 'ci',
        pipeline: 'build',
      },
      outcome: 'success',
    });

    const summary = await waitForStatus(firstRun, 'succeeded');
    expect(summary).toMatchObject({
      cluster: 'dev',
      pipeline: 'build',
      trigger: 'other',
      progress: { total: 2, byStatus: { succeeded: 2 } },
      labels: { 'backstage.io/kubernetes-id': 'shop' },
    });
    expect(summary.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('returns a run with its task runs and DAG status', async () => {
    const res = await getRun(firstRun);
    expect(res.status).toBe(200);
    expect(res.body.run.spec.params).toEqual([
      { name: 'message', value: 'from the portal' },
    ]);
    expect(res.body.taskRuns).toHaveLength(2);
    expect(res.body.graph.edges).toEqual([
      expect.objectContaining({
        from: 'compile',
        to: 'test',
        kind: 'runAfter',
      }),
    ]);
    expect(res.body.tasks.compile).toMatchObject({
      status: { status: 'succeeded' },
      taskRuns: [expect.stringMatching(new RegExp(`^${firstRun}-compile`))],
    });
    expect(res.body.tasks.test.status.status).toBe('succeeded');
    // The rerun form starts from this run's values.
    expect(res.body.paramForm).toEqual([
      expect.objectContaining({
        name: 'message',
        initialValue: 'from the portal',
        default: 'hello',
      }),
      expect.objectContaining({
        name: 'level',
        enum: ['debug', 'info'],
        initialValue: 'info',
      }),
    ]);
  });

  it("lists the entity's pipelines with their start forms", async () => {
    const res = await call('get', '/pipelines', SHOP);
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: any) => `${p.namespace}/${p.name}`)).toEqual([
      'ci/build',
      'ci/slow',
      'ci/ticker',
    ]);
    expect(res.body.items[0].params).toEqual([
      expect.objectContaining({
        name: 'message',
        type: 'string',
        required: false,
      }),
      expect.objectContaining({ name: 'level', enum: ['debug', 'info'] }),
    ]);
    expect(res.body.items[1].workspaces).toEqual([
      { name: 'scratch', optional: false },
    ]);
    expect(res.body.items[0].graph.nodes.map((n: any) => n.name)).toEqual([
      'compile',
      'test',
    ]);
    const cart = await call('get', '/pipelines', CART);
    expect(cart.body.items.map((p: any) => p.name)).toEqual(['cart-build']);
  });

  let compileTaskRun: string;
  const readLog = (entityRef: string, run: string, stepName = 'say') =>
    call('get', `${runPath(run)}/logs`, entityRef).query({
      taskRun: compileTaskRun,
      step: stepName,
    });

  it("serves a step's log from the archive written while it ran: whole, by byte range, from the tail, searched, and once the pod is gone", async () => {
    const detail = await getRun(firstRun);
    compileTaskRun = detail.body.tasks.compile.taskRuns[0];
    const whole = await readLog(SHOP, firstRun);
    expect(whole.status).toBe(200);
    expect(whole.headers['x-cairn-log-source']).toBe('archive');
    expect(whole.text).toBe('from the portal\n');
    expect(whole.headers['x-cairn-log-size']).toBe('16');
    expect(whole.headers['x-cairn-log-attempt']).toBe('0');

    const range = await readLog(SHOP, firstRun).query({ start: 0, end: 4 });
    expect(range.text).toBe('from');
    // Inside a line, a read starts at the next line: here the end.
    const tail = await readLog(SHOP, firstRun).query({ tail: 5 });
    expect(tail.headers['x-cairn-log-start']).toBe('16');
    expect(tail.text).toBe('');
    const mixed = await readLog(SHOP, firstRun).query({ tail: 5, start: 1 });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.message).toBe(
      'tail reads the end of a log: give it without start or end',
    );
    const search = await call(
      'get',
      `${runPath(firstRun)}/logs/search`,
      SHOP,
    ).query({ taskRun: compileTaskRun, step: 'say', q: 'PORTAL' });
    expect(search.body).toEqual({
      matches: [{ offset: 0, line: 'from the portal' }],
      truncated: false,
    });

    const badStep = await readLog(SHOP, firstRun, 'nope');
    expect(badStep.status).toBe(400);
    expect(badStep.body.error.message).toBe(
      `task run "${compileTaskRun}" has no step "nope"; its steps are say`,
    );

    // The run finished, so the archiver stores its logs.
    await waitFor(
      () => knex('archived_runs').where({ name: firstRun }).first(),
      Boolean,
      'the run to be archived',
    );
    const core = tc.admin.makeApiClient(CoreV1Api);
    await core.deleteCollectionNamespacedPod({
      namespace: 'ci',
      labelSelector: `tekton.dev/pipelineRun=${firstRun}`,
    });
    const archived = await readLog(SHOP, firstRun);
    expect(archived.status).toBe(200);
    expect(archived.text).toContain('from the portal');
    expect((await readLog(CART, firstRun)).status).toBe(404);
  });

  it("follows a running step's log until the step ends", async () => {
    const started = await startRun('ticker');
    expect(started.status).toBe(201);
    const name = started.body.name;
    const detail = await waitFor(
      async () => (await getRun(name)).body,
      body => Boolean(body.taskRuns?.[0]?.status?.steps?.[0]?.running),
      'the step to run',
    );
    const res = await call('get', `${runPath(name)}/logs`, SHOP)
      .query({
        taskRun: detail.taskRuns[0].metadata.name,
        step: 'tick',
        follow: 'true',
      })
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => callback(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['x-cairn-log-source']).toBe('live');
    expect(res.body).toBe('line-1\nline-2\nline-3\n');
  });

  it('does not show a run to an entity it does not belong to', async () => {
    const res = await getRun(firstRun, CART);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(
      'for component:default/cart (its runs are those matching backstage.io/kubernetes-id=cart)',
    );
    expect((await listRuns(CART)).items).toEqual([]);
  });

  it('reruns with a changed param, labelled with the run it repeats', async () => {
    const res = await runAction(firstRun, 'rerun').send({
      params: { level: 'debug' },
    });
    expect(res.status).toBe(201);
    const rerun = res.body.name;
    const summary = await waitForStatus(rerun, 'succeeded');
    expect(summary).toMatchObject({ trigger: 'rerun', rerunOf: firstRun });
    const detail = await getRun(rerun);
    expect(detail.body.run.spec.params).toEqual(
      expect.arrayContaining([
        { name: 'message', value: 'from the portal' },
        { name: 'level', value: 'debug' },
      ]),
    );
  });

  it('filters, sorts and pages the runs list on the server', async () => {
    const builds = { pipeline: 'build', sort: 'name', order: 'asc' };
    const all = await listRuns(SHOP, { ...builds, status: 'succeeded' });
    expect(all.totalCount).toBe(2);
    const first = await listRuns(SHOP, { ...builds, limit: '1' });
    expect(first.items).toHaveLength(1);
    const second = await listRuns(SHOP, {
      ...builds,
      limit: '1',
      cursor: first.nextCursor,
    });
    expect(second.items.map((r: any) => r.name)).toEqual([all.items[1].name]);
    expect(second.nextCursor).toBeUndefined();
    expect((await listRuns(SHOP, { pipeline: 'slow' })).items).toEqual([]);
    expect(
      (await listRuns(SHOP, { label: 'cairn.dev/rerun-of' })).items.map(
        (r: any) => r.rerunOf,
      ),
    ).toEqual([firstRun]);
  });

  it('reports a cluster it cannot reach next to the runs of the others', async () => {
    const body = await waitFor(
      () => listRuns(SHOP),
      b => b.clusterErrors.length > 0,
      'the down cluster to be reported',
    );
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.clusterErrors).toEqual([
      {
        cluster: 'down',
        message:
          'cannot reach cluster "down" (ECONNREFUSED); check url of cluster "down" in kubernetes.clusterLocatorMethods',
      },
    ]);
  });

  it('tells an entity naming an unconfigured cluster which annotation to fix', async () => {
    const body = await listRuns('component:default/lost');
    expect(body.items).toEqual([]);
    expect(body.clusterErrors).toEqual([
      {
        cluster: 'staging',
        message:
          'component:default/lost names cluster "staging" in its backstage.io/kubernetes-cluster annotation, which is not in kubernetes.clusterLocatorMethods; fix the annotation or configure the cluster',
      },
    ]);
  });

  it("pushes the entity's run changes as server-sent events", async () => {
    await withEventStream(
      server,
      `/api/pipelines/runs/events?entityRef=${encodeURIComponent(SHOP)}`,
      auth,
      async stream => {
        const statusesOf = (name: string) =>
          pushedRuns(stream)
            .filter(run => run.name === name)
            .map(run => run.status.status);
        const started = await startRun('build');
        const name = started.body.name;
        await waitFor(
          () => statusesOf(name),
          statuses => statuses.includes('succeeded'),
          'the pushed succeeded status',
          90_000,
        );
        // Another entity's run, started outside the portal, is not pushed
        // to this stream.
        await createRun(
          { name: 'cart-direct' },
          { pipelineRef: { name: 'cart-build' } },
        );
        await waitFor(
          async () => (await listRuns(CART)).items,
          items =>
            items.some(
              (r: any) =>
                r.name === 'cart-direct' && r.status.status === 'succeeded',
            ),
          "the cart's run to succeed",
          90_000,
        );
        // The changes of the shop's runs keep coming; the cart's never did.
        expect(statusesOf('cart-direct')).toEqual([]);
      },
    );
  });

  it('serves its OpenAPI description', async () => {
    const res = await api().get('/api/pipelines/openapi.json').set(auth);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain(
      '/runs/{cluster}/{namespace}/{name}/cancel',
    );
  });

  it('explains bad input', async () => {
    const check = async (res: request.Response, message: string) => {
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(message);
    };
    await check(
      await call('get', '/runs', ''),
      'invalid query: entityRef: is required',
    );
    await check(
      await call('get', '/runs', SHOP).query({ status: 'green' }),
      'status.0: must be a comma-separated list of',
    );
    await check(
      await call('get', '/runs', 'component:default/bare'),
      'has no backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation',
    );
    await check(
      await startRun('build', { params: { level: 'trace', colour: 'red' } }),
      'invalid params: param "level" must be one of "debug", "info", not "trace"; param "colour" is not declared by the pipeline; remove it',
    );
    // A number is not taken for a string param: what it means as text is the user's to say.
    await check(
      await startRun('build', { params: { level: 3 } }),
      'invalid body: params.level: must be a string, a list of strings or an object of string values, as the param\'s type declares; got the number 3 (send "3" as a string)',
    );
    await check(
      await startRun('slow'),
      'invalid workspaces: workspace "scratch" is required; bind it',
    );
    // Tekton's own admission rejects what only it knows about; its message
    // comes through.
    const tekton = await startRun('build', {
      timeouts: { pipeline: '1m', tasks: '2m' },
    });
    expect(tekton.status).toBe(400);
    expect(tekton.body.error.message).toMatch(
      /^the cluster rejected pipelineruns\.tekton\.dev in namespace "ci" on cluster "dev": .*invalid value: 2m should be <= pipeline duration/,
    );
    const unknown = await startRun('build', { cluster: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      'cluster "nope" is not configured; configured clusters: dev, down',
    );
  });

  it('cancels a running run, and refuses to cancel it again', async () => {
    const name = await startSlowRun();
    const cancel = await runAction(name, 'cancel').send({ mode: 'Cancelled' });
    expect(cancel.status).toBe(204);
    expect(audit).toContainEqual({
      eventId: 'pipeline-run-cancel',
      meta: {
        entityRef: SHOP,
        cluster: 'dev',
        namespace: 'ci',
        name,
        mode: 'Cancelled',
      },
      outcome: 'success',
    });
    await waitForStatus(name, 'cancelled');
    const again = await runAction(name, 'cancel').send({});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('has already finished');
  });

  it('cancels in the mode asked, here letting finally tasks run', async () => {
    const name = await startSlowRun();
    const cancel = await runAction(name, 'cancel').send({
      mode: 'CancelledRunFinally',
    });
    expect(cancel.status).toBe(204);
    await waitForStatus(name, 'cancelled');
    const detail = await getRun(name);
    expect(detail.body.run.spec.status).toBe('CancelledRunFinally');
    const bad = await runAction(name, 'cancel').send({ mode: 'Stop' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      'mode: must be Cancelled (Stop now: cancel running tasks and skip finally tasks), CancelledRunFinally',
    );
  });

  it('creates a run held pending and starts it later', async () => {
    const res = await startRun('build', { pending: true });
    expect(res.status).toBe(201);
    const name = res.body.name;
    const held = await waitForRun(
      name,
      s => s.status.reason === 'PipelineRunPending',
      'the run to be held',
    );
    expect(held.status).toMatchObject({
      status: 'pending',
      label: 'Pending (held)',
    });
    const start = await runAction(name, 'start');
    expect(start.status).toBe(204);
    await waitForStatus(name, 'succeeded');
    const again = await runAction(name, 'start');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(
      `pipeline run "${name}" is not pending (spec.status is not set); there is nothing to start`,
    );
  });

  it('deletes a run', async () => {
    const res = await call('delete', runPath(firstRun), SHOP);
    expect(res.status).toBe(204);
    expect(audit[audit.length - 1]).toMatchObject({
      eventId: 'pipeline-run-delete',
      outcome: 'success',
    });
    await waitFor(
      () => listRuns(SHOP, { search: firstRun }),
      body => !body.items.some((r: any) => r.name === firstRun),
      'the deleted run to leave the list',
    );
    // Its logs outlive it, for its entity only.
    const log = await readLog(SHOP, firstRun);
    expect(log.status).toBe(200);
    expect(log.headers['x-cairn-log-source']).toBe('archive');
    expect(log.text).toContain('from the portal');
    expect((await readLog(CART, firstRun)).status).toBe(404);
    // Once retention deleted them, the logs say so.
    await knex('archived_runs')
      .where({ name: firstRun })
      .update({ archived_at: new Date('2020-01-01T00:00:00Z') });
    await new DatabaseLogStore(knex).expireBefore(
      new Date('2021-01-01T00:00:00Z'),
    );
    const expired = await readLog(SHOP, firstRun);
    expect(expired.status).toBe(404);
    expect(expired.body.error.message).toMatch(
      new RegExp(
        `^the logs of pipeline run "${firstRun}" expired: they are kept 30 d \\(pipelines.logs.retentionDays\\) and were deleted on `,
      ),
    );
  });

  describe('service accounts (pipelines.serviceAccounts: [ci-runner])', () => {
    const runNames = async () => {
      const list = (await tc.custom.listNamespacedCustomObject(CI_RUNS)) as {
        items: Array<{ metadata: { name: string } }>;
      };
      return list.items.map(r => r.metadata.name).sort();
    };
    const runInCluster = async (name: string) =>
      (await tc.custom.getNamespacedCustomObject({ ...CI_RUNS, name })) as any;

    beforeAll(async () => {
      await tc.admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({
        namespace: 'ci',
        body: {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'ci-runner' },
        },
      });
    });

    it('starts and reruns a run as an allowed service account', async () => {
      const res = await startRun('build', { serviceAccountName: 'ci-runner' });
      expect(res.status).toBe(201);
      const name = res.body.name;
      expect((await runInCluster(name)).spec.taskRunTemplate).toEqual({
        serviceAccountName: 'ci-runner',
      });
      // Its pods really ran as ci-runner (the cluster admits them only if
      // the account exists).
      await waitForStatus(name, 'succeeded');
      const rerun = await runAction(name, 'rerun').send({});
      expect(rerun.status).toBe(201);
      expect(
        (await runInCluster(rerun.body.name)).spec.taskRunTemplate,
      ).toEqual({
        serviceAccountName: 'ci-runner',
      });
    });

    it('refuses any other service account and creates nothing', async () => {
      const before = await runNames();
      const res = await startRun('build', { serviceAccountName: 'deployer' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message:
          'serviceAccountName "deployer" is not allowed; allowed: "ci-runner" (pipelines.serviceAccounts in app-config)',
      });
      expect(await runNames()).toEqual(before);
    });

    it('refuses to rerun a run whose service account is no longer allowed', async () => {
      // A run started outside the portal (or before the list changed), held
      // pending so nothing of it runs.
      await createRun(
        {
          name: 'as-deployer',
          labels: { 'backstage.io/kubernetes-id': 'shop' },
        },
        {
          pipelineRef: { name: 'build' },
          status: 'PipelineRunPending',
          taskRunTemplate: { serviceAccountName: 'deployer' },
        },
      );
      await waitForRun('as-deployer', () => true, 'the run to be listed');
      const before = await runNames();
      const res = await runAction('as-deployer', 'rerun').send({});
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'run "as-deployer" used a service account that may no longer be chosen, so it cannot be rerun; start a new run instead: serviceAccountName "deployer" is not allowed; allowed: "ci-runner" (pipelines.serviceAccounts in app-config)',
      );
      expect(await runNames()).toEqual(before);
      await tc.custom.deleteNamespacedCustomObject({
        ...CI_RUNS,
        name: 'as-deployer',
      });
    });
  });

  it('denies changes the policy does not allow, checked with the entity', async () => {
    const before = authorizeCalls.length;
    const res = await startRun('cart-build', {}, CART);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you may not create pipeline runs of component:default/cart (permission pipelines.run.create); ask its owners or the ops group',
    );
    expect(authorizeCalls.slice(before)).toEqual([
      { permission: 'pipelines.run.create', resourceRef: CART },
    ]);
    // Denied before anything happens, and recorded: who, what, on which
    // entity, and why.
    const denied = (eventId: string) =>
      auditor.log.filter(
        e => e.eventId === eventId && (e.meta as any)?.entityRef === CART,
      );
    expect(denied('pipeline-run-start')).toEqual([
      expect.objectContaining({ status: 'initiated' }),
      expect.objectContaining({
        severityLevel: 'medium',
        status: 'failed',
        actor: expect.objectContaining({ actorId: 'user:default/mock' }),
        request: {
          method: 'POST',
          url: expect.stringMatching(/^\/api\/pipelines\/runs\?/),
        },
        meta: {
          entityRef: CART,
          cluster: 'dev',
          namespace: 'ci',
          pipeline: 'cart-build',
        },
        error: res.body.error.message,
      }),
    ]);
    const del = await call('delete', runPath('anything'), CART);
    expect(del.status).toBe(403);
    expect(denied('pipeline-run-delete')).toEqual([
      expect.objectContaining({ status: 'initiated' }),
      expect.objectContaining({
        status: 'failed',
        meta: {
          entityRef: CART,
          cluster: 'dev',
          namespace: 'ci',
          name: 'anything',
        },
        error:
          'you may not delete pipeline runs of component:default/cart (permission pipelines.run.delete); ask its owners or the ops group',
      }),
    ]);
    // Reading is allowed.
    expect((await listRuns(CART)).items.map((r: any) => r.name)).toContain(
      'cart-direct',
    );
  });

  it('says which grant the portal service account lacks when the cluster refuses', async () => {
    const res = await startRun(
      'elsewhere-build',
      { namespace: 'other' },
      'component:default/elsewhere',
    );
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain(
      `the portal's service account may not create pipelineruns.tekton.dev in namespace "other" on cluster "dev": grant it "create" on "pipelineruns" in API group "tekton.dev"`,
    );
    expect(audit[audit.length - 1]).toMatchObject({
      eventId: 'pipeline-run-start',
      outcome: 'fail',
      error: expect.stringContaining('may not create pipelineruns'),
    });
  });
  it('ends open event streams and its watches when the backend stops', async () => {
    const backend = await startPipelinesTestBackend({
      cluster: tc,
      entities,
      permissions: mockServices.permissions.factory({
        result: AuthorizeResult.ALLOW,
      }),
    });
    const { port } = backend.server.address() as { port: number };
    const response = await fetch(
      `http://127.0.0.1:${port}/api/pipelines/runs/events?entityRef=${encodeURIComponent(
        SHOP,
      )}`,
      { headers: auth },
    );
    expect(response.status).toBe(200);
    const body = response.text();
    await backend.stop();
    // The stream ended with the backend rather than holding it open.
    await expect(body).resolves.toContain(': connected');
  });
});
