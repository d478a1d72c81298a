import {
  auditRecorder,
  component,
  permissionPolicy,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { createHmac } from 'node:crypto';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import giteaEventsModule from '@cairn/plugin-events-backend-module-gitea';
import httpIngress from '@cairn/plugin-events-backend-module-http-ingress';
import examples from '@octokit/webhooks-examples';
import { Knex } from 'knex';
// The documented GitLab and Gitea payloads are pipelines-common's fixtures.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import giteaPullRequest from '@cairn/plugin-pipelines-common/src/triggers/__fixtures__/gitea-pull-request.json';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import gitlabPush from '@cairn/plugin-pipelines-common/src/triggers/__fixtures__/gitlab-push.json';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
} from '../__testUtils__/tektonCluster';
import {
  PipelinesTestBackend,
  startPipelinesTestBackend,
} from '../__testUtils__/testBackend';
import {
  githubEventsModules,
  gitlabEventsModules,
} from '../__testUtils__/eventsModules';
import { DeliveryStore } from './DeliveryStore';

/*
 * Git webhooks end to end: deliveries POSTed to the events backend's HTTP
 * ingress (with the GitHub, GitLab and our Gitea module verifying them)
 * become PipelineRuns on a dev cluster with Tekton, or are refused; the
 * delivery log says what came of each.
 */

jest.setTimeout(240_000);

const SECRETS = { github: 'gh-secret', gitlab: 'gl-token', gitea: 'gt-secret' };
const OPS = 'user:default/ops-person';
const OWNER = 'user:default/shop-owner';
const GITHUB_REPO = 'https://github.com/Codertocat/Hello-World';
const GITEA_REPO = 'http://localhost:3000/gitea/webhooks';
const GITLAB_REPO = 'http://example.com/mike/diaspora';

const githubPush = (
  examples.find(e => e.name === 'push')!.examples as any[]
).filter(e => e.ref === 'refs/heads/master')[0];

const step = (name: string, script: string) => ({
  name,
  image: 'alpine',
  script: `#!/bin/sh\n${script}\n`,
});
const pipelineSpec = (script: string, params: object[] = []) => ({
  params,
  tasks: [{ name: 'build', taskSpec: { steps: [step('run', script)] } }],
});

const hmac = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex');

let deliveryCounter = 0;
const nextId = () => `delivery-${++deliveryCounter}-${Date.now()}`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'Git webhooks against a dev cluster with Tekton, delivery log on %s',
  databaseId => {
    let tc: TektonTestCluster;
    let backend: PipelinesTestBackend;
    let knex: Knex;
    let eventsKnex: Knex;
    const policy = permissionPolicy(({ permission, resourceRef }, user) => {
      if (user === OPS) return true;
      if (permission === 'pipelines.webhook.manage') return false;
      return (
        permission === 'pipelines.run.read' ||
        (user === OWNER && resourceRef === 'component:default/shop')
      );
    });
    const auditor = auditRecorder();
    const signals: SignalPayload[] = [];

    const createPipeline = (
      name: string,
      annotations: Record<string, string>,
      spec: object,
      id = 'shop',
    ) =>
      tc.custom.createNamespacedCustomObject({
        ...tektonObjects('pipelines'),
        namespace: 'ci',
        body: {
          apiVersion: 'tekton.dev/v1',
          kind: 'Pipeline',
          metadata: {
            name,
            namespace: 'ci',
            labels: { 'backstage.io/kubernetes-id': id },
            annotations,
          },
          spec,
        },
      });

    const startBackend = () =>
      startPipelinesTestBackend({
        cluster: tc,
        entities: [
          component('shop', {
            'cairn.dev/pipelines': 'true',
            'backstage.io/kubernetes-id': 'shop',
          }),
        ],
        permissions: policy.permissions.factory,
        features: [
          ...auditor.factories,
          // What open delivery pages hear.
          createServiceFactory({
            service: signalsServiceRef,
            deps: {},
            factory: () => ({
              publish: async (signal: SignalPayload) => {
                signals.push(signal);
              },
            }),
          }),
          // A database per plugin, as in a real backend (the events backend
          // has its own migrations).
          createServiceFactory({
            service: coreServices.database,
            deps: { plugin: coreServices.pluginMetadata },
            factory: ({ plugin }) =>
              mockServices.database({
                knex: plugin.getId() === 'pipelines' ? knex : eventsKnex,
              }),
          }),
          // The events service of the portal's backend: one bus for all
          // plugins (the test backend's default gives each plugin a bus of its
          // own), the ingress answering 2xx only once the delivery is stored,
          // and non-JSON bodies refused with a 400.
          httpIngress,
          eventsPlugin,
          ...githubEventsModules(),
          ...gitlabEventsModules(),
          giteaEventsModule,
        ],
        config: {
          events: {
            // The events backend's own bus (for other backends) is not needed.
            useEventBus: 'never',
            modules: {
              github: { webhookSecret: SECRETS.github },
              gitlab: { webhookSecret: SECRETS.gitlab },
              gitea: { webhookSecret: SECRETS.gitea },
            },
          },
        },
      });

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      eventsKnex = await databases.init(databaseId);
      tc = await startTektonTestCluster();
      const pacParams = [
        { name: 'revision' },
        { name: 'repo_url' },
        { name: 'sender' },
        { name: 'pull_request_number', default: 'none' },
        { name: 'image', default: 'registry/shop' },
      ];
      await createPipeline(
        'gh-build',
        {
          'triggers.cairn.dev/repository': `${GITHUB_REPO.toUpperCase()}.git`,
          'triggers.cairn.dev/on-event': '[push]',
          'triggers.cairn.dev/on-target-branch': '[master, release/*]',
        },
        pipelineSpec('echo "$(params.revision)"', pacParams),
      );
      await createPipeline(
        'gh-docs',
        {
          'triggers.cairn.dev/repository': GITHUB_REPO,
          'triggers.cairn.dev/on-path-change': '[docs/**]',
        },
        pipelineSpec('echo docs'),
      );
      await createPipeline(
        'gh-needs-registry',
        {
          'triggers.cairn.dev/repository': GITHUB_REPO,
          'triggers.cairn.dev/on-target-branch': '[needs-registry]',
        },
        pipelineSpec('echo', [{ name: 'registry' }]),
      );
      await createPipeline(
        'gitea-pr',
        {
          'triggers.cairn.dev/repository': GITEA_REPO,
          'triggers.cairn.dev/on-event': '[pull_request]',
          'triggers.cairn.dev/cancel-in-progress': 'true',
        },
        pipelineSpec('sleep 30', pacParams),
      );
      await createPipeline(
        'gitlab-quick',
        {
          'triggers.cairn.dev/repository': GITLAB_REPO,
          'triggers.cairn.dev/max-keep-runs': '1',
        },
        // Runs last over a second, so consecutive runs' creation times (whole
        // seconds, as Kubernetes keeps them) tell which is newer.
        pipelineSpec('sleep 1.2; echo done'),
      );
      backend = await startBackend();
    });

    afterAll(async () => {
      await backend?.stop();
      await tc?.stop();
    });

    const post = (
      topic: string,
      headers: Record<string, string>,
      body: string,
      contentType = 'application/json',
    ) =>
      backend
        .api()
        .post(`/api/events/http/${topic}`)
        .set({ 'Content-Type': contentType, ...headers })
        .send(body);

    const githubHeaders = (id: string, body: string, event = 'push') => ({
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': id,
      'X-Hub-Signature-256': `sha256=${hmac(SECRETS.github, body)}`,
    });

    const deliveries = async (user = OPS, query: object = {}) => {
      const res = await backend
        .api()
        .get('/api/pipelines/webhooks/deliveries')
        .query(query)
        .set(userAuth(user));
      expect(res.status).toBe(200);
      return res.body.items as any[];
    };

    const processed = (id: string) =>
      waitFor(
        async () => (await deliveries()).find(d => d.deliveryId === id),
        d => d !== undefined && d.outcome !== 'pending',
        `delivery ${id} to be processed`,
      );

    const runsOf = async (selector: string) =>
      (
        (await tc.custom.listNamespacedCustomObject({
          ...tektonObjects('pipelineruns'),
          namespace: 'ci',
          labelSelector: selector,
        })) as { items: any[] }
      ).items;

    it('turns a correctly signed GitHub push into a run with the PaC params, once', async () => {
      const id = nextId();
      const body = JSON.stringify(githubPush);
      const signalsBefore = signals.length;
      const res = await post('github', githubHeaders(id, body), body);
      expect(res.status).toBe(202);

      const delivery = await processed(id);
      // Open delivery pages are told twice: when it was stored, and when it
      // was processed (the second at most half a second after the first).
      await waitFor(
        async () => signals.slice(signalsBefore),
        sent => sent.length >= 2,
        'signals of the delivery stored and processed',
      );
      expect(signals.slice(signalsBefore)).toContainEqual({
        recipients: { type: 'broadcast' },
        channel: 'pipelines:webhook-deliveries',
        message: { changed: 1 },
      });
      expect(delivery).toMatchObject({
        provider: 'github',
        event: 'push',
        repository: GITHUB_REPO,
        ref: 'refs/heads/master',
        signatureOk: true,
        outcome: 'runs-created',
        duplicates: 0,
      });
      expect(delivery.runs).toEqual([
        expect.objectContaining({
          cluster: 'dev',
          namespace: 'ci',
          pipeline: 'gh-build',
          kubernetesId: 'shop',
        }),
      ]);
      // The docs pipeline's path filter and the branch filter say why not.
      expect(
        delivery.matches
          .filter((m: any) => !m.matched)
          .map((m: any) => [m.pipeline, m.reason]),
      ).toEqual(
        expect.arrayContaining([
          ['gh-docs', 'no changed file matches docs/**'],
          ['gh-needs-registry', 'master is not one of needs-registry'],
        ]),
      );

      const [run] = await runsOf(`triggers.cairn.dev/delivery-id=${id}`);
      expect(run.metadata.name).toBe(delivery.runs[0].name);
      expect(run.metadata.generateName).toBe('gh-build-');
      expect(run.metadata.labels).toMatchObject({
        'triggers.cairn.dev/event-type': 'push',
        'backstage.io/kubernetes-id': 'shop',
      });
      expect(run.metadata.annotations).toMatchObject({
        'triggers.cairn.dev/sha': githubPush.after,
        'triggers.cairn.dev/sender': 'Codertocat',
      });
      expect(run.spec.params).toEqual([
        { name: 'revision', value: githubPush.after },
        { name: 'repo_url', value: GITHUB_REPO },
        { name: 'sender', value: 'Codertocat' },
      ]);

      // The same delivery again (a redelivery by GitHub, or a replay): accepted
      // by the ingress, logged as a duplicate, no second run.
      const replay = await post('github', githubHeaders(id, body), body);
      expect(replay.status).toBe(202);
      await waitFor(
        async () => (await deliveries()).find(d => d.deliveryId === id),
        d => d.duplicates === 1,
        'the replay to be counted',
      );
      expect(await runsOf(`triggers.cairn.dev/delivery-id=${id}`)).toHaveLength(
        1,
      );
    });

    it('answers 503 while the delivery log cannot store a delivery, so the provider sends it again; the retry makes one run', async () => {
      const id = nextId();
      const body = JSON.stringify(githubPush);
      // The database refuses the insert: the table is gone for a moment.
      await knex.schema.renameTable('webhook_deliveries', 'deliveries_away');
      let refused;
      try {
        refused = await post('github', githubHeaders(id, body), body);
      } finally {
        await knex.schema.renameTable('deliveries_away', 'webhook_deliveries');
      }
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toBe(
        'The github event was not taken by pipelines.pipelines-webhooks; nothing is lost if it is sent again',
      );
      expect(await runsOf(`triggers.cairn.dev/delivery-id=${id}`)).toEqual([]);

      const retry = await post('github', githubHeaders(id, body), body);
      expect(retry.status).toBe(202);
      expect(await processed(id)).toMatchObject({
        outcome: 'runs-created',
        duplicates: 0,
      });
      expect(await runsOf(`triggers.cairn.dev/delivery-id=${id}`)).toHaveLength(
        1,
      );
    });

    it('refuses forged, unsigned, oversized, non-JSON and truncated deliveries: nothing published, no run', async () => {
      const before = (await deliveries()).length;
      const body = JSON.stringify(githubPush);
      const forged = await post(
        'github',
        {
          ...githubHeaders(nextId(), body),
          'X-Hub-Signature-256': `sha256=${hmac('guessed', body)}`,
        },
        body,
      );
      expect(forged.status).toBe(403);

      const { 'X-Hub-Signature-256': _, ...unsignedHeaders } = githubHeaders(
        nextId(),
        body,
      );
      expect((await post('github', unsignedHeaders, body)).status).toBe(403);

      const giteaBody = JSON.stringify(giteaPullRequest);
      expect(
        (
          await post(
            'gitea',
            { 'X-Gitea-Event': 'pull_request', 'X-Gitea-Delivery': nextId() },
            giteaBody,
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await post(
            'gitlab',
            {
              'X-Gitlab-Event': 'Push Hook',
              'X-Gitlab-Event-UUID': nextId(),
              'X-Gitlab-Token': 'wrong',
            },
            JSON.stringify(gitlabPush),
          )
        ).status,
      ).toBe(403);

      // Over the events backend's 5 MB body limit.
      const huge = JSON.stringify({ ...githubPush, padding: 'x'.repeat(6e6) });
      expect(
        (await post('github', githubHeaders(nextId(), huge), huge)).status,
      ).toBe(413);

      const form = 'payload=%7B%7D';
      expect(
        (
          await post(
            'github',
            githubHeaders(nextId(), form),
            form,
            'application/x-www-form-urlencoded',
          )
        ).status,
      ).toBe(415);

      const truncated = body.slice(0, body.length / 2);
      const res = await post(
        'github',
        githubHeaders(nextId(), truncated),
        truncated,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^The body of this github event is not valid JSON/,
      );

      expect((await deliveries()).length).toBe(before);
    });

    it('logs a delivery that matches nothing with why, and one whose Pipeline needs a param it cannot fill as an error', async () => {
      const other = {
        ...githubPush,
        repository: {
          ...githubPush.repository,
          html_url: 'https://github.com/acme/unknown',
        },
      };
      const id = nextId();
      const body = JSON.stringify(other);
      expect((await post('github', githubHeaders(id, body), body)).status).toBe(
        202,
      );
      expect(await processed(id)).toMatchObject({
        outcome: 'no-match',
        reason:
          'no Pipeline declares https://github.com/acme/unknown in triggers.cairn.dev/repository',
      });

      const needsRegistry = { ...githubPush, ref: 'refs/heads/needs-registry' };
      const id2 = nextId();
      const body2 = JSON.stringify(needsRegistry);
      await post('github', githubHeaders(id2, body2), body2);
      const delivery = await processed(id2);
      expect(delivery.outcome).toBe('error');
      expect(delivery.reason).toMatch(
        /^gh-needs-registry: gh-needs-registry needs registry, which has no default/,
      );
      expect(await runsOf(`triggers.cairn.dev/delivery-id=${id2}`)).toEqual([]);
    });

    it('starts a run for a signed Gitea pull request and cancels the running run of the same PR', async () => {
      const send = async () => {
        const id = nextId();
        const body = JSON.stringify(giteaPullRequest);
        const res = await post(
          'gitea',
          {
            'X-Gitea-Event': 'pull_request',
            'X-Gitea-Delivery': id,
            'X-Gitea-Signature': hmac(SECRETS.gitea, body),
          },
          body,
        );
        expect(res.status).toBe(202);
        return processed(id);
      };
      const first = await send();
      expect(first.outcome).toBe('runs-created');
      const [firstRun] = await runsOf(
        `triggers.cairn.dev/delivery-id=${first.deliveryId}`,
      );
      expect(firstRun.metadata.labels['triggers.cairn.dev/pull-request']).toBe(
        '12',
      );
      expect(firstRun.spec.params).toContainEqual({
        name: 'pull_request_number',
        value: '12',
      });
      // At once: the second delivery finds the first run on the cluster.
      const second = await send();
      expect(second.outcome).toBe('runs-created');
      const cancelled = await tc.custom.getNamespacedCustomObject({
        ...tektonObjects('pipelineruns'),
        namespace: 'ci',
        name: firstRun.metadata.name,
      });
      expect((cancelled as any).spec.status).toBe('Cancelled');
      const [secondRun] = await runsOf(
        `triggers.cairn.dev/delivery-id=${second.deliveryId}`,
      );
      expect(secondRun.spec.status).toBeUndefined();
    });

    it('keeps max-keep-runs finished runs of a GitLab-triggered Pipeline', async () => {
      const send = async () => {
        const id = nextId();
        const body = JSON.stringify(gitlabPush);
        const res = await post(
          'gitlab',
          {
            'X-Gitlab-Event': 'Push Hook',
            'X-Gitlab-Event-UUID': id,
            'X-Gitlab-Token': SECRETS.gitlab,
          },
          body,
        );
        expect(res.status).toBe(202);
        const delivery = await processed(id);
        expect(delivery.outcome).toBe('runs-created');
        return delivery.runs[0].name as string;
      };
      const finished = (name: string) =>
        waitFor(
          async () =>
            (
              await backend
                .api()
                .get(`/api/pipelines/runs/dev/ci/${name}`)
                .query({ entityRef: 'component:default/shop' })
                .set(userAuth(OPS))
            ).body,
          (body: any) =>
            ['succeeded', 'failed'].includes(body?.summary?.status?.status),
          `run ${name} to finish`,
          120_000,
        );
      const first = await send();
      await finished(first);
      const second = await send();
      await finished(second);
      await send();
      // The deletion is in the background: wait for the first run to go.
      const names = await waitFor(
        async () =>
          (
            await runsOf('triggers.cairn.dev/provider=gitlab')
          ).map(r => r.metadata.name),
        found => !found.includes(first),
        `run ${first} to be deleted`,
      );
      expect(names).toContain(second);
    });

    it('shows owners the deliveries of their entities without payloads, and lets only ops redeliver', async () => {
      const asOwner = await deliveries(OWNER);
      expect(asOwner.length).toBeGreaterThan(0);
      expect(asOwner.every(d => d.payload === undefined)).toBe(true);
      expect(
        asOwner.every(d =>
          d.matches.some((m: any) => m.kubernetesId === 'shop'),
        ),
      ).toBe(true);
      expect(await deliveries('user:default/stranger')).toEqual([]);
      // The CI/CD tab's section: the deliveries that met the entity's Pipelines.
      const ofShop = await deliveries(OWNER, {
        entityRef: 'component:default/shop',
      });
      expect(ofShop.map(d => d.id)).toEqual(asOwner.map(d => d.id));
      const missing = await backend
        .api()
        .get('/api/pipelines/webhooks/deliveries')
        .query({ entityRef: 'component:default/nowhere' })
        .set(userAuth(OPS));
      expect(missing.status).toBe(404);
      const all = await deliveries();
      expect(all.every(d => typeof d.payload === 'string')).toBe(true);

      const original = all.find(
        d => d.outcome === 'runs-created' && d.provider === 'github',
      );
      const refused = await backend
        .api()
        .post(
          `/api/pipelines/webhooks/deliveries/${encodeURIComponent(
            original.id,
          )}/redeliver`,
        )
        .set(userAuth(OWNER));
      expect(refused.status).toBe(403);

      const res = await backend
        .api()
        .post(
          `/api/pipelines/webhooks/deliveries/${encodeURIComponent(
            original.id,
          )}/redeliver`,
        )
        .set(userAuth(OPS));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        redeliveryOf: original.id,
        outcome: 'runs-created',
      });
      expect(res.body.runs[0].name).not.toBe(original.runs[0].name);
      expect(
        auditor.events.filter(e => e.eventId === 'webhook-redeliver'),
      ).toEqual([
        expect.objectContaining({ outcome: 'fail' }),
        expect.objectContaining({ outcome: 'success' }),
      ]);
    });

    it('processes at startup a delivery stored but not processed when the backend stopped', async () => {
      await backend.stop();
      // What a backend killed right after its 2xx leaves: the stored delivery.
      const store = await DeliveryStore.create(mockServices.database({ knex }));
      const id = nextId();
      const body = JSON.stringify(githubPush);
      await store.insert({
        id: `github:${id}`,
        provider: 'github',
        deliveryId: id,
        event: 'push',
        receivedAt: new Date(),
        signatureOk: true,
        headers: { 'x-github-event': 'push', 'x-github-delivery': id },
        payload: body,
      });
      backend = await startBackend();
      const delivery = await processed(id);
      expect(delivery.outcome).toBe('runs-created');
      expect(await runsOf(`triggers.cairn.dev/delivery-id=${id}`)).toHaveLength(
        1,
      );
    });
  },
);
