import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ConfigReader } from '@backstage/config';
import {
  ClusterAccess,
  ClusterWatches,
  kubernetesStatusCode,
} from '@cairn/plugin-kubernetes-node';
import {
  component,
  PortalTestCluster,
  startPortalTestCluster,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { conformsTo } from '../__testUtils__/conformance';
import { startTestRouter } from '../__testUtils__/testRouter';
import { API_OPERATIONS } from '../service/openapi';
import { TemplateUsageTracker } from '../usage/TemplateUsageTracker';

jest.setTimeout(120_000);

const PLATFORM = 'user:default/pia';
const PAYMENTS = 'user:default/dan';
const NAMESPACE = 'shop';

const task = (version: string, image: string) => `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: greet
  labels:
    app.kubernetes.io/version: "${version}"
  annotations:
    tekton.dev/pipelines.minVersion: "0.50.0"
spec:
  description: Says hello.
  params:
    - name: who
      default: world
  steps:
    - name: greet
      image: ${image}
      script: echo hello $(params.who)
`;

/**
 * A StepAction as Tekton serves it (tekton.dev/v1beta1), for a Task's steps
 * to `ref`: it says which ref it was given.
 */
const stepAction = (
  version: string,
  image: string,
) => `apiVersion: tekton.dev/v1beta1
kind: StepAction
metadata:
  name: git-checkout
  labels:
    app.kubernetes.io/version: "${version}"
spec:
  image: ${image}
  params:
    - name: ref
      default: main
  results:
    - name: checked-out
  script: printf "%s" "$(params.ref)" > $(step.results.checked-out.path)
`;

/** The payments team's service, in namespace `shop` of the dev cluster. */
const paymentsApi = component(
  'payments-api',
  {
    'backstage.io/kubernetes-id': 'payments-api',
    'backstage.io/kubernetes-namespace': NAMESPACE,
  },
  'team-payments',
);

describe('installing a template version into a namespace of a cluster', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let tc: PortalTestCluster;
  let tasks: CustomObjectsApi;

  beforeAll(async () => {
    tc = await startPortalTestCluster({ namespaces: [NAMESPACE, 'other'] });
    tasks = tc.admin.makeApiClient(CustomObjectsApi);
  });
  afterAll(() => tc?.stop());

  const readTask = (name: string, namespace = NAMESPACE) =>
    tasks
      .getNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace,
        plural: 'tasks',
        name,
      })
      .then(
        (t: any) => t,
        (error: unknown) => {
          if (kubernetesStatusCode(error) === 404) return undefined;
          throw error;
        },
      );

  const portalClusters = () =>
    ClusterAccess.fromConfig(
      new ConfigReader({ kubernetes: tc.kubernetesConfig }),
    );

  async function store() {
    const router = await startTestRouter(await databases.init('SQLITE_3'), {
      clusters: portalClusters(),
      entities: [paymentsApi],
    });
    for (const [version, image] of [
      ['0.1', 'alpine:3.20'],
      ['0.2', 'alpine:3.21'],
    ]) {
      const published = await router
        .as(PLATFORM)
        .post('/templates')
        .send({
          owner: 'group:default/platform',
          version,
          yaml: task(version, image),
        });
      expect(published.status).toBe(201);
    }
    return router;
  }

  const target = {
    entityRef: 'component:default/payments-api',
    cluster: 'dev',
    namespace: NAMESPACE,
  };

  it('previews, creates, leaves the same, and replaces a different object only once confirmed', async () => {
    const { as, auditEvents } = await store();
    const install = (version: string, body: object = {}) =>
      as(PAYMENTS)
        .post(`/templates/Task/greet/versions/${version}/installs`)
        .send({ ...target, ...body });

    const targets = await as(PAYMENTS).get(
      '/install-targets?entityRef=component:default/payments-api',
    );
    expect(targets.body).toEqual({ clusters: ['dev'], namespace: NAMESPACE });

    const preview = await install('0.1', { dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      outcome: 'preview',
      kind: 'Task',
      name: 'greet',
      version: '0.1',
    });
    expect(preview.body.existing).toBeUndefined();
    expect(await readTask('greet')).toBeUndefined();

    const created = await install('0.1');
    expect(created.body.outcome).toBe('created');
    const stored = await readTask('greet');
    expect(stored.metadata.labels).toEqual({
      'app.kubernetes.io/version': '0.1',
      'backstage.io/kubernetes-id': 'payments-api',
    });
    expect(stored.metadata.annotations).toMatchObject({
      'cairn.dev/template': 'Task/greet',
      'cairn.dev/template-version': '0.1',
      'cairn.dev/template-digest': expect.stringMatching(/^sha256:/),
    });
    expect(stored.spec.steps[0].image).toBe('alpine:3.20');

    const again = await install('0.1');
    expect(again.body.outcome).toBe('unchanged');
    expect(again.body.existing).toMatchObject({
      differs: false,
      installedFrom: { kind: 'Task', name: 'greet', version: '0.1' },
    });

    // Another version is there to replace: not without the preview's word.
    const unconfirmed = await install('0.2');
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.message).toContain(
      'already exists (installed from Task/greet 0.1) and differs from 0.2; preview the install',
    );
    const differs = await install('0.2', { dryRun: true });
    expect(differs.body.existing).toMatchObject({
      resourceVersion: stored.metadata.resourceVersion,
      differs: true,
    });
    expect(differs.body.existing.diff).toContain('-    - image: alpine:3.20');
    expect(differs.body.existing.diff).toContain('+    - image: alpine:3.21');

    const stale = await install('0.2', { replace: '1' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('changed since the preview');

    const replaced = await install('0.2', {
      replace: differs.body.existing.resourceVersion,
    });
    expect(replaced.body.outcome).toBe('replaced');
    expect((await readTask('greet')).spec.steps[0].image).toBe('alpine:3.21');

    // As the OpenAPI document describes them.
    for (const response of [preview, created, differs, replaced]) {
      expect(
        conformsTo(API_OPERATIONS.install.success.schema, response.body),
      ).toEqual([]);
    }
    expect(
      conformsTo(API_OPERATIONS.installTargets.success.schema, targets.body),
    ).toEqual([]);

    // Previews are reads; installs are recorded.
    expect(auditEvents.filter(e => e.eventId === 'template-install')).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        meta: expect.objectContaining({ version: '0.1', namespace: NAMESPACE }),
      }),
      expect.objectContaining({ status: 'succeeded' }),
      expect.objectContaining({ status: 'failed' }),
      expect.objectContaining({ status: 'failed' }),
      expect.objectContaining({ status: 'succeeded' }),
    ]);
  });

  it('is for the entity’s owners and ops, into its own namespace; the cluster is left as it was', async () => {
    const { as } = await store();
    const installAs = (user: string, body: object = {}) =>
      as(user)
        .post('/templates/Task/greet/versions/0.1/installs')
        .send({ ...target, ...body });

    const refused = await installAs(PLATFORM);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      'permission templates.install',
    );
    const elsewhere = await installAs(PAYMENTS, { namespace: 'other' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.message).toBe(
      'component:default/payments-api is in namespace "shop" (its backstage.io/kubernetes-namespace annotation), not "other"',
    );
    const noEntity = await installAs(PAYMENTS, {
      entityRef: 'component:default/nope',
    });
    expect(noEntity.status).toBe(404);
    const badBody = await installAs(PAYMENTS, { namespace: 'Not_A_Name' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.message).toContain('invalid body: namespace');
    expect(await readTask('greet', 'other')).toBeUndefined();
  });

  it('counts the Pipelines that use an installed version, from the shared watches, and keeps that version from being deleted', async () => {
    const { as, store: templates } = await store();
    // What the tests before left there goes first.
    await tasks
      .deleteNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace: NAMESPACE,
        plural: 'tasks',
        name: 'greet',
      })
      .catch(() => undefined);
    const installed = await as(PAYMENTS)
      .post('/templates/Task/greet/versions/0.1/installs')
      .send(target);
    expect(installed.body.outcome).toBe('created');
    await tasks.createNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: NAMESPACE,
      plural: 'pipelines',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Pipeline',
        metadata: {
          name: 'say-hello',
          labels: { 'backstage.io/kubernetes-id': 'payments-api' },
        },
        spec: {
          tasks: [{ name: 'hello', taskRef: { name: 'greet' } }],
        },
      },
    });

    const watches = new ClusterWatches({
      clusters: portalClusters(),
      logger: mockServices.logger.mock(),
    });
    const tracker = new TemplateUsageTracker({
      watches,
      store: templates,
      catalog: catalogServiceMock({ entities: [paymentsApi] }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    tracker.start();
    watches.start();
    try {
      await waitFor(
        () => tracker.sync('dev'),
        usages => usages.length === 1,
        'the Pipeline using greet in the caches',
      );
    } finally {
      tracker.stop();
      await watches.stop();
    }

    const usage = await as(PAYMENTS).get('/templates/Task/greet/usage');
    expect(usage.body.items).toEqual([
      {
        kind: 'Task',
        name: 'greet',
        version: '0.1',
        cluster: 'dev',
        namespace: NAMESPACE,
        pipeline: 'say-hello',
        entityRef: 'component:default/payments-api',
      },
    ]);
    expect(
      conformsTo(API_OPERATIONS.listUsage.success.schema, usage.body),
    ).toEqual([]);
    const listed = await as(PAYMENTS).get('/templates?search=greet');
    expect(listed.body.items[0].usage).toBe(1);
    const deleted = await as(PLATFORM).delete(
      '/templates/Task/greet/versions/0.1',
    );
    expect(deleted.status).toBe(409);
    expect(deleted.body.error.message).toBe(
      'Task greet 0.1 is used by 1 pipeline(s); it can be deprecated, not deleted',
    );
  });

  it('reads a Task of the entity’s namespace as template YAML, which publishes as a new version', async () => {
    const { as } = await store();
    const installed = await as(PAYMENTS)
      .post('/templates/Task/greet/versions/0.2/installs')
      .send({ ...target, dryRun: true });
    // Whatever the tests before left, 0.2 goes there now.
    await as(PAYMENTS)
      .post('/templates/Task/greet/versions/0.2/installs')
      .send({
        ...target,
        replace: installed.body.existing?.resourceVersion,
      });

    const read = await as(PLATFORM).get(
      `/cluster-templates/dev/${NAMESPACE}/Task/greet?entityRef=component:default/payments-api`,
    );
    expect(read.status).toBe(200);
    expect(
      conformsTo(API_OPERATIONS.clusterTemplate.success.schema, read.body),
    ).toEqual([]);
    expect(read.body.yaml).not.toContain('cairn.dev/template');
    expect(read.body.yaml).not.toContain('namespace:');
    expect(read.body.yaml).toContain('image: alpine:3.21');

    const published = await as(PLATFORM).post('/templates').send({
      owner: 'group:default/platform',
      version: '0.3',
      yaml: read.body.yaml,
    });
    expect(published.status).toBe(201);
    expect(published.body.docs.params).toEqual([
      { name: 'who', type: 'string', default: 'world' },
    ]);

    const missing = await as(PLATFORM).get(
      `/cluster-templates/dev/${NAMESPACE}/Task/nope?entityRef=component:default/payments-api`,
    );
    expect(missing.status).toBe(404);
    const elsewhere = await as(PLATFORM).get(
      '/cluster-templates/dev/other/Task/greet?entityRef=component:default/payments-api',
    );
    expect(elsewhere.status).toBe(400);
  });

  it('installs a StepAction (tekton.dev/v1beta1): previews, creates, leaves the same, replaces once confirmed; a Task’s step then runs the installed action', async () => {
    const { as } = await store();
    for (const [version, image] of [
      ['0.1', 'alpine:3.20'],
      ['0.2', 'alpine:3.21'],
    ]) {
      const published = await as(PLATFORM)
        .post('/templates')
        .send({
          owner: 'group:default/platform',
          version,
          yaml: stepAction(version, image),
        });
      expect(published.status).toBe(201);
      expect(published.body).toMatchObject({
        kind: 'StepAction',
        apiVersion: 'tekton.dev/v1beta1',
      });
    }
    const readStepAction = () =>
      tasks
        .getNamespacedCustomObject({
          group: 'tekton.dev',
          version: 'v1beta1',
          namespace: NAMESPACE,
          plural: 'stepactions',
          name: 'git-checkout',
        })
        .then(
          (t: any) => t,
          (error: unknown) => {
            if (kubernetesStatusCode(error) === 404) return undefined;
            throw error;
          },
        );
    const install = (version: string, body: object = {}) =>
      as(PAYMENTS)
        .post(`/templates/StepAction/git-checkout/versions/${version}/installs`)
        .send({ ...target, ...body });

    const preview = await install('0.1', { dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      outcome: 'preview',
      kind: 'StepAction',
      name: 'git-checkout',
      version: '0.1',
      object: { apiVersion: 'tekton.dev/v1beta1', kind: 'StepAction' },
    });
    expect(await readStepAction()).toBeUndefined();

    const created = await install('0.1');
    expect(created.status).toBe(200);
    expect(created.body.outcome).toBe('created');
    const stored = await readStepAction();
    expect(stored.metadata.labels).toEqual({
      'app.kubernetes.io/version': '0.1',
      'backstage.io/kubernetes-id': 'payments-api',
    });
    expect(stored.metadata.annotations).toMatchObject({
      'cairn.dev/template': 'StepAction/git-checkout',
      'cairn.dev/template-version': '0.1',
    });
    expect(stored.spec).toMatchObject({
      image: 'alpine:3.20',
      params: [{ name: 'ref', default: 'main' }],
      results: [{ name: 'checked-out' }],
    });

    const again = await install('0.1');
    expect(again.body.outcome).toBe('unchanged');
    expect(again.body.existing).toMatchObject({
      differs: false,
      installedFrom: {
        kind: 'StepAction',
        name: 'git-checkout',
        version: '0.1',
      },
    });

    const unconfirmed = await install('0.2');
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.message).toContain(
      'StepAction "git-checkout" in namespace "shop" on cluster "dev" already exists (installed from StepAction/git-checkout 0.1) and differs from 0.2',
    );
    const differs = await install('0.2', { dryRun: true });
    expect(differs.body.existing.diff).toContain('-  image: alpine:3.20');
    expect(differs.body.existing.diff).toContain('+  image: alpine:3.21');
    const replaced = await install('0.2', {
      replace: differs.body.existing.resourceVersion,
    });
    expect(replaced.body.outcome).toBe('replaced');
    expect((await readStepAction()).spec.image).toBe('alpine:3.21');

    // What it is installed for: a Task's step refers to it by name, and
    // Tekton runs the installed action with the step's params.
    await tasks.createNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: NAMESPACE,
      plural: 'taskruns',
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        metadata: { name: 'checkout-release' },
        spec: {
          taskSpec: {
            results: [
              { name: 'ref', value: '$(steps.checkout.results.checked-out)' },
            ],
            steps: [
              {
                name: 'checkout',
                ref: { name: 'git-checkout' },
                params: [{ name: 'ref', value: 'release-2' }],
              },
            ],
          },
        },
      },
    });
    const taskRun = await waitFor(
      () =>
        tasks.getNamespacedCustomObject({
          group: 'tekton.dev',
          version: 'v1',
          namespace: NAMESPACE,
          plural: 'taskruns',
          name: 'checkout-release',
        }) as Promise<any>,
      (run: any) =>
        run.status?.conditions?.some(
          (c: any) => c.type === 'Succeeded' && c.status !== 'Unknown',
        ),
      'TaskRun checkout-release to finish',
    );
    expect(taskRun.status.conditions[0]).toMatchObject({
      type: 'Succeeded',
      status: 'True',
    });
    expect(taskRun.status.results).toEqual([
      { name: 'ref', type: 'string', value: 'release-2' },
    ]);
    for (const response of [preview, created, differs, replaced]) {
      expect(
        conformsTo(API_OPERATIONS.install.success.schema, response.body),
      ).toEqual([]);
    }
  });
});
