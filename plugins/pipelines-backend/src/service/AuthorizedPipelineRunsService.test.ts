import {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ClusterAccess,
  ClusterWatches,
  EntityAuthorizer,
} from '@cairn/plugin-kubernetes-node';
import {
  component,
  ownersOf,
  permissionPolicy,
} from '@cairn/plugin-kubernetes-node/testUtils';
import {
  startTektonTestCluster,
  TektonTestCluster,
  tektonObjects,
} from '../__testUtils__/tektonCluster';
import { TektonWatches } from '../watch';
import { AuthorizedPipelineDefinitionsService } from './AuthorizedPipelineDefinitionsService';
import { AuthorizedPipelineRunsService } from './AuthorizedPipelineRunsService';
import { PipelineDefinitionsService } from './PipelineDefinitionsService';
import { PipelineRunsService } from './PipelineRunsService';

/*
 * The Authorized* services called directly, as an action or a scheduled
 * task would call them (no HTTP request): a user of another team is refused
 * and the cluster is left as it was; the owning team's user may act.
 */

jest.setTimeout(180_000);

const SHOP = 'component:default/shop';
const entities = [
  component(
    'shop',
    { 'cairn.dev/pipelines': 'true', 'backstage.io/kubernetes-id': 'shop' },
    'team-a',
  ),
];
const owners = ownersOf(entities);
const teamOf: Record<string, string> = {
  'user:default/ada': 'team-a',
  'user:default/bob': 'team-b',
};
const ada = { credentials: mockCredentials.user('user:default/ada') };
const bob = { credentials: mockCredentials.user('user:default/bob') };

const CI_RUNS = { ...tektonObjects('pipelineruns'), namespace: 'ci' };
const CI_PIPELINES = { ...tektonObjects('pipelines'), namespace: 'ci' };

/** Audit events as the services create them, with how they ended. */
function recordingAuditor() {
  const events: Array<
    Pick<AuditorServiceCreateEventOptions, 'eventId' | 'meta'> & {
      status: string;
      error?: string;
    }
  > = [];
  const auditor: AuditorService = {
    async createEvent({ eventId, meta }) {
      const event = { eventId, meta, status: 'initiated' } as {
        eventId: string;
        meta: typeof meta;
        status: string;
        error?: string;
      };
      events.push(event);
      return {
        async success() {
          event.status = 'succeeded';
        },
        async fail({ error }) {
          event.status = 'failed';
          event.error = error.message;
        },
      };
    },
  };
  return { auditor, events };
}

describe('the Authorized* Pipelines services, called without HTTP', () => {
  let tc: TektonTestCluster;
  let shared: ClusterWatches;
  let runs: AuthorizedPipelineRunsService;
  let definitions: AuthorizedPipelineDefinitionsService;
  const { auditor, events } = recordingAuditor();
  const policy = permissionPolicy(
    ({ permission, resourceRef }, user) =>
      permission === 'pipelines.run.read' ||
      (user !== undefined &&
        resourceRef !== undefined &&
        teamOf[user] === owners[resourceRef]),
  );

  const runNames = async () => {
    const list = (await tc.custom.listNamespacedCustomObject(CI_RUNS)) as {
      items: Array<{ metadata: { name: string } }>;
    };
    return list.items.map(r => r.metadata.name).sort();
  };
  const pipelineNames = async () => {
    const list = (await tc.custom.listNamespacedCustomObject(CI_PIPELINES)) as {
      items: Array<{ metadata: { name: string } }>;
    };
    return list.items.map(p => p.metadata.name).sort();
  };

  beforeAll(async () => {
    tc = await startTektonTestCluster();
    await tc.custom.createNamespacedCustomObject({
      ...CI_PIPELINES,
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Pipeline',
        metadata: {
          name: 'build',
          labels: { 'backstage.io/kubernetes-id': 'shop' },
        },
        spec: {
          tasks: [
            {
              name: 'compile',
              taskSpec: {
                steps: [{ name: 'say', image: 'alpine', script: 'echo hi' }],
              },
            },
          ],
        },
      },
    });
    // Held, so it stays as it is until someone changes it.
    await tc.custom.createNamespacedCustomObject({
      ...CI_RUNS,
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: {
          name: 'build-held',
          labels: { 'backstage.io/kubernetes-id': 'shop' },
        },
        spec: { pipelineRef: { name: 'build' }, status: 'PipelineRunPending' },
      },
    });
    const clusters = ClusterAccess.fromConfig(
      new ConfigReader({ kubernetes: tc.kubernetesConfig }),
    );
    shared = new ClusterWatches({
      clusters,
      logger: mockServices.logger.mock(),
    });
    const watches = new TektonWatches({ watches: shared });
    watches.start();
    const catalog = catalogServiceMock({ entities });
    const authorizer = new EntityAuthorizer({
      catalog,
      permissions: policy.permissions,
      auditor,
      objects: 'pipeline runs',
    });
    runs = new AuthorizedPipelineRunsService(
      new PipelineRunsService({ clusters, watches }),
      { authorizer, catalog, permissions: policy.permissions },
    );
    definitions = new AuthorizedPipelineDefinitionsService(
      new PipelineDefinitionsService({ clusters, watches }),
      authorizer,
    );
  });

  afterAll(async () => {
    await shared?.stop();
    await tc?.stop();
  });

  it('refuses every change to a user of another team, leaves the cluster unchanged and audits the refusal', async () => {
    const before = await runNames();
    expect(before).toEqual(['build-held']);
    await expect(
      runs.startRun(
        SHOP,
        { cluster: 'dev', namespace: 'ci', pipeline: 'build' } as any,
        bob,
      ),
    ).rejects.toThrow(
      new NotAllowedError(
        `you may not create pipeline runs of ${SHOP} (permission pipelines.run.create); ask its owners or the ops group`,
      ),
    );
    await expect(
      runs.startPending(SHOP, 'dev', 'ci', 'build-held', bob),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      runs.cancel(SHOP, 'dev', 'ci', 'build-held', 'Cancelled', bob),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      runs.rerun(SHOP, 'dev', 'ci', 'build-held', {}, bob),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      runs.deleteRun(SHOP, 'dev', 'ci', 'build-held', bob),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      definitions.createPipeline(
        SHOP,
        {
          cluster: 'dev',
          namespace: 'ci',
          pipeline: {
            apiVersion: 'tekton.dev/v1',
            kind: 'Pipeline',
            metadata: { name: 'sneaky' },
            spec: { tasks: [] },
          },
        } as any,
        bob,
      ),
    ).rejects.toThrow(
      new NotAllowedError(
        `you may not update pipelines of ${SHOP} (permission pipelines.pipeline.update); ask its owners or the ops group`,
      ),
    );

    expect(await runNames()).toEqual(before);
    const held = (await tc.custom.getNamespacedCustomObject({
      ...CI_RUNS,
      name: 'build-held',
    })) as { spec: { status?: string } };
    expect(held.spec.status).toBe('PipelineRunPending');
    expect(await pipelineNames()).toEqual(['build']);

    // Each refusal is recorded, naming whom it was for: there is no HTTP
    // request to take the actor from.
    expect(events.map(e => [e.eventId, e.status, e.meta?.onBehalfOf])).toEqual(
      [
        'pipeline-run-start',
        'pipeline-run-start-pending',
        'pipeline-run-cancel',
        'pipeline-run-rerun',
        'pipeline-run-delete',
        'pipeline-definition-create',
      ].map(eventId => [eventId, 'failed', 'user:default/bob']),
    );
  });

  it('lets a user of the owning team read and change the same runs', async () => {
    const page = await runs.listRuns(
      SHOP,
      { sort: 'name', order: 'asc', limit: 10 },
      bob,
    );
    expect(page.items.map(r => r.name)).toEqual(['build-held']);

    await runs.deleteRun(SHOP, 'dev', 'ci', 'build-held', ada);
    expect(await runNames()).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      eventId: 'pipeline-run-delete',
      status: 'succeeded',
      meta: { entityRef: SHOP, onBehalfOf: 'user:default/ada' },
    });
  });
});
