import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  Environment,
  environmentCrd,
  ENVIRONMENT_PLURAL,
  TENANCY_GROUP,
  TENANCY_VERSION,
} from '@cairn/operators-api';
import { environmentController } from '@cairn/operators-environment';
import {
  PluginOnDevCluster,
  startPluginOnDevCluster,
} from '@cairn/operators-testing';
import type {
  EnvironmentRequestList,
  EnvironmentRequestView,
} from '@cairn/plugin-environments-common';
import {
  auditRecorder,
  PORTAL_SERVICE_ACCOUNT,
  userAuth,
  waitFor,
} from '@cairn/plugin-kubernetes-node/testUtils';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import request from 'supertest';
import { cairnPolicy, OPS_GROUP } from '../__testUtils__/cairnPolicy';
import { environmentsPlugin } from '../plugin';

/*
 * Requests for environments and quota on a dev cluster running the
 * Environment operator, as the portal's service account with the shipped
 * RBAC and the Cairn policy's rules, kept in each database the backend
 * supports: Olga is ops, Sam on team-storefront (the environment's owner),
 * Bob on another team. What ops approve is in the cluster before the
 * request says approved; what they reject or may not approve leaves the
 * cluster as it was.
 */

jest.setTimeout(240_000);

const OPS = 'user:default/olga';
const OWNER = 'user:default/sam';
const OTHER = 'user:default/bob';

const MORE_PODS = {
  kind: 'quota',
  cluster: 'dev',
  name: 'storefront',
  quota: { pods: '20', 'requests.cpu': '2000m' },
  reason: 'the spring sale doubles the checkout pods',
};

const ENVIRONMENTS = {
  group: TENANCY_GROUP,
  version: TENANCY_VERSION,
  plural: ENVIRONMENT_PLURAL,
};

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'on %s',
  (databaseId: TestDatabaseId) => {
    let dev: PluginOnDevCluster;
    const audit = auditRecorder();
    const sent: any[] = [];

    const api = (method: 'get' | 'post', path: string, user: string) =>
      request(dev.url)[method](`/api/environments${path}`).set(userAuth(user));

    const custom = () => dev.cluster.admin.makeApiClient(CustomObjectsApi);
    const readEnvironment = (name: string) =>
      custom()
        .getClusterCustomObject({ ...ENVIRONMENTS, name })
        .then(e => e as Environment);

    const outcomes = (eventId: string) =>
      audit.events.filter(e => e.eventId === eventId).map(e => e.outcome);

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      dev = await startPluginOnDevCluster({
        crds: [environmentCrd],
        controllers: [environmentController()],
        config: { cairn: { permission: { opsGroups: [OPS_GROUP] } } },
        features: [
          environmentsPlugin,
          mockServices.database.factory({ knex }),
          ...cairnPolicy({
            [OPS]: [OPS, OPS_GROUP],
            [OWNER]: [OWNER, 'group:default/team-storefront'],
            [OTHER]: [OTHER, 'group:default/team-b'],
          }),
          ...audit.factories,
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({
              send: async (n: any) => {
                sent.push(n);
              },
            }),
          }),
        ],
      });

      // Ops hand team-storefront an environment.
      await api('post', '/environments/dev', OPS)
        .send({
          name: 'storefront',
          spec: {
            namespace: 'storefront',
            owner: 'team-storefront',
            placement: { zones: ['local-1a'] },
            storageClasses: [],
            quota: { pods: '10', 'requests.cpu': '2' },
          },
        })
        .expect(201);
      await waitFor(
        () => api('get', '/environments/dev/storefront', OPS).then(r => r.body),
        e => e.ready === true,
        'storefront to be Ready',
      );
    });

    afterAll(async () => {
      await dev?.stop();
    });

    it('serves the request routes in its OpenAPI document', async () => {
      const served = await api('get', '/openapi.json', OPS).expect(200);
      expect(Object.keys(served.body.paths)).toEqual(
        expect.arrayContaining([
          '/requests',
          '/requests/{id}',
          '/requests/{id}/approve',
          '/requests/{id}/reject',
        ]),
      );
    });

    it('sends a team’s quota request to ops, who approve it in one call: the Environment gets the quota, and the requester hears of it', async () => {
      // Another team may not ask for the owner's environment.
      await api('post', '/requests', OTHER)
        .send(MORE_PODS)
        .expect(403)
        .expect(r =>
          expect(r.body.error.message).toBe(
            'you may request only for your own groups: you are not a member of group:default/team-storefront',
          ),
        );
      // The same quota is no request.
      await api('post', '/requests', OWNER)
        .send({ ...MORE_PODS, quota: { pods: '10' } })
        .expect(400);

      const created = await api('post', '/requests', OWNER)
        .send(MORE_PODS)
        .expect(201);
      const id: string = created.body.id;
      expect(created.body).toMatchObject({
        kind: 'quota',
        environment: 'storefront',
        namespace: 'storefront',
        group: 'group:default/team-storefront',
        requestedBy: OWNER,
        state: 'pending',
        quota: { pods: '20', 'requests.cpu': '2000m' },
      });
      // Asking again while it is pending is refused.
      await api('post', '/requests', OWNER).send(MORE_PODS).expect(409);

      // Ops are notified, with a link that opens the request.
      expect(sent).toEqual([
        {
          recipients: { type: 'entity', entityRef: ['group:default/ops'] },
          payload: expect.objectContaining({
            title:
              'group:default/team-storefront requests more quota for environment storefront on cluster dev',
            description: expect.stringContaining('pods 10 → 20'),
            link: `/environments?request=${id}`,
            topic: 'environments',
          }),
        },
      ]);

      // Ops see every request with the quota now; the team its own; others none.
      const list = async (user: string) =>
        (await api('get', '/requests?state=pending', user).expect(200))
          .body as EnvironmentRequestList;
      const forOps = await list(OPS);
      expect(forOps.canDecide).toBe(true);
      expect(forOps.items).toEqual([
        expect.objectContaining({
          id,
          currentQuota: { pods: '10', 'requests.cpu': '2' },
        }),
      ]);
      expect((await list(OWNER)).items.map(r => r.id)).toEqual([id]);
      expect((await list(OWNER)).canDecide).toBe(false);
      expect((await list(OTHER)).items).toEqual([]);
      await api('get', `/requests/${id}`, OTHER).expect(404);

      // The team may not approve its own request; the cluster is unchanged.
      await api('post', `/requests/${id}/approve`, OWNER)
        .send({})
        .expect(403)
        .expect(r =>
          expect(r.body.error.message).toMatch(/environments.manage/),
        );
      expect((await readEnvironment('storefront')).spec.quota?.pods).toBe('10');

      const approved = await api('post', `/requests/${id}/approve`, OPS)
        .send({ comment: 'granted for the sale' })
        .expect(200);
      expect(approved.body).toMatchObject({
        state: 'approved',
        decidedBy: OPS,
        comment: 'granted for the sale',
      });
      // Only the requested resources changed, in the cluster, and the operator enforces them.
      expect((await readEnvironment('storefront')).spec.quota).toEqual({
        pods: '20',
        'requests.cpu': '2000m',
      });
      await waitFor(
        () =>
          dev.cluster.admin
            .makeApiClient(CoreV1Api)
            .readNamespacedResourceQuota({
              namespace: 'storefront',
              name: 'cairn-environment',
            }),
        quota => quota.spec?.hard?.pods === '20',
        'the ResourceQuota to allow 20 pods',
      );
      expect(sent.at(-1)).toEqual({
        recipients: { type: 'entity', entityRef: [OWNER] },
        payload: expect.objectContaining({
          title: 'Your request for more quota for storefront was approved',
          description: `${OPS}: granted for the sale`,
          link: `/environments?request=${id}`,
        }),
      });
      // A decided request is not decided again.
      await api('post', `/requests/${id}/reject`, OPS).send({}).expect(409);

      expect(outcomes('environment-request-create')).toEqual([
        'fail',
        'fail',
        'success',
        'fail',
      ]);
      expect(outcomes('environment-request-approve')).toEqual([
        'fail',
        'success',
      ]);
    });

    it('approves a quota request that another writer’s change to the Environment overtook, keeping both changes', async () => {
      const { id } = (
        await api('post', '/requests', OWNER)
          .send({ ...MORE_PODS, quota: { pods: '30' } })
          .expect(201)
      ).body as EnvironmentRequestView;

      // Ops give team-b a view on storefront right after the approval read
      // it, so the approval's write carries a version that is gone.
      const read = CustomObjectsApi.prototype.getClusterCustomObject;
      const overtaken = jest
        .spyOn(CustomObjectsApi.prototype, 'getClusterCustomObject')
        .mockImplementationOnce(async function readThenOvertake(
          this: CustomObjectsApi,
          ...args: Parameters<typeof read>
        ) {
          const environment = await read.apply(this, args);
          const current = await readEnvironment('storefront');
          await custom().replaceClusterCustomObject({
            ...ENVIRONMENTS,
            name: 'storefront',
            body: {
              ...current,
              spec: {
                ...current.spec,
                tenants: [
                  ...(current.spec.tenants ?? []),
                  { group: 'group:default/team-b', role: 'view' },
                ],
              },
            },
          });
          return environment;
        });
      const portalUpdates: number[] = [];
      const stopAudit = dev.cluster.cluster.server.onAudit(event => {
        if (
          event.verb === 'update' &&
          event.objectRef?.resource === ENVIRONMENT_PLURAL &&
          event.objectRef.name === 'storefront' &&
          !event.objectRef.subresource &&
          event.user.username ===
            `system:serviceaccount:${PORTAL_SERVICE_ACCOUNT.namespace}:${PORTAL_SERVICE_ACCOUNT.name}`
        )
          portalUpdates.push(event.responseStatus.code);
      });
      try {
        await api('post', `/requests/${id}/approve`, OPS)
          .send({})
          .expect(200)
          .expect(r => expect(r.body.state).toBe('approved'));
        expect(overtaken).toHaveBeenCalled();
        // The cluster refused the overtaken write; the one made again on
        // the new version was accepted.
        await waitFor(
          async () => portalUpdates,
          codes => codes.at(-1) === 200,
          'the approval’s accepted update in the audit log',
        );
        expect(portalUpdates[0]).toBe(409);
      } finally {
        stopAudit();
        overtaken.mockRestore();
      }
      const { spec } = await readEnvironment('storefront');
      expect(spec.quota).toEqual({ pods: '30', 'requests.cpu': '2000m' });
      expect(spec.tenants).toContainEqual({
        group: 'group:default/team-b',
        role: 'view',
      });
    });

    it('leaves the cluster as it was when ops reject, and tells the requester why', async () => {
      const before = await readEnvironment('storefront');
      const { id } = (
        await api('post', '/requests', OWNER)
          .send({ ...MORE_PODS, quota: { pods: '500' } })
          .expect(201)
      ).body as EnvironmentRequestView;
      await api('post', `/requests/${id}/reject`, OWNER).send({}).expect(403);
      const rejected = await api('post', `/requests/${id}/reject`, OPS)
        .send({ comment: 'the zone has no room for 500 pods' })
        .expect(200);
      expect(rejected.body.state).toBe('rejected');
      const after = await readEnvironment('storefront');
      expect(after.spec).toEqual(before.spec);
      // No write to the spec (the operator's status writes change the resourceVersion).
      expect(after.metadata?.generation).toBe(before.metadata?.generation);
      expect(sent.at(-1).payload).toMatchObject({
        title: 'Your request for more quota for storefront was rejected',
        description: `${OPS}: the zone has no room for 500 pods`,
      });
      expect(outcomes('environment-request-reject')).toEqual([
        'fail',
        'fail',
        'success',
      ]);
    });

    it('creates a requested environment on approval, with its team as tenant', async () => {
      await api('post', '/requests', OWNER)
        .send({
          kind: 'environment',
          cluster: 'dev',
          name: 'checkout-qa',
          spec: { namespace: 'checkout-qa', owner: 'team-b' },
          reason: 'QA',
        })
        .expect(403);
      const { id } = (
        await api('post', '/requests', OWNER)
          .send({
            kind: 'environment',
            cluster: 'dev',
            name: 'storefront-qa',
            spec: {
              namespace: 'storefront-qa',
              owner: 'team-storefront',
              placement: { zones: ['local-1b'] },
              storageClasses: [],
              quota: { pods: '5' },
            },
            reason: 'QA before the sale',
          })
          .expect(201)
      ).body as EnvironmentRequestView;
      await api('post', `/requests/${id}/approve`, OPS).send({}).expect(200);
      expect((await readEnvironment('storefront-qa')).spec).toEqual({
        namespace: 'storefront-qa',
        owner: 'group:default/team-storefront',
        placement: { zones: ['local-1b'] },
        storageClasses: [],
        quota: { pods: '5' },
        tenants: [{ group: 'group:default/team-storefront', role: 'edit' }],
        // The CRD's default.
        deletionPolicy: 'Orphan',
      });
    });

    it('keeps a request pending with the cluster’s reason when approving fails', async () => {
      const { id } = (
        await api('post', '/requests', OWNER)
          .send({
            kind: 'environment',
            cluster: 'dev',
            name: 'storefront-system',
            spec: { namespace: 'kube-system', owner: 'team-storefront' },
            reason: 'why not',
          })
          .expect(201)
      ).body as EnvironmentRequestView;
      const failed = await api('post', `/requests/${id}/approve`, OPS)
        .send({})
        .expect(409);
      expect(failed.body.error.message).toMatch(
        /^approving failed, the request stays pending: namespace "kube-system"/,
      );
      const stored = (await api('get', `/requests/${id}`, OPS).expect(200))
        .body as EnvironmentRequestView;
      expect(stored.state).toBe('pending');
      expect(stored.error).toBe(failed.body.error.message);
      await expect(readEnvironment('storefront-system')).rejects.toThrow();
      // Rejecting it is still possible.
      await api('post', `/requests/${id}/reject`, OPS).send({}).expect(200);
    });
  },
);
