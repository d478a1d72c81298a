import { STONE_STAGES } from '@cairn/operators-api';
import {
  approveStageBodySchema,
  rollbackBodySchema,
  ROLLOUTS_API_ROUTES,
  RolloutsApiOperation,
  startUpdateBodySchema,
  stonePathSchema,
  stoneActionBodySchema,
  stoneQuerySchema,
  stonesQuerySchema,
} from '@cairn/plugin-rollouts-common';
import {
  buildOpenApiDocument as buildDocument,
  COMMON_ERROR_RESPONSES,
  CLUSTER_UNAVAILABLE_RESPONSE,
  objectSchema as object,
  typed as s,
  errorResponse,
  RoutedOperation,
  schemaRef as ref,
} from '@cairn/backend-openapi';
import { z } from 'zod';

const action = (
  id: RolloutsApiOperation,
  body: z.ZodType,
  auditEventId: string,
): RoutedOperation => ({
  ...ROLLOUTS_API_ROUTES[id],
  pathParams: stonePathSchema,
  query: stoneQuerySchema,
  body,
  auditEventId,
  success: {
    status: 200,
    description: 'The Stone as the patch left it',
    schema: ref('StoneSummary'),
  },
});

/**
 * The rollouts API: rollouts-common's routes (method, path, summary) with the
 * schemas their inputs are parsed with; the router serves exactly these and
 * the OpenAPI document is built from them, so the two cannot drift.
 */
export const API_OPERATIONS: Record<RolloutsApiOperation, RoutedOperation> = {
  listStones: {
    ...ROLLOUTS_API_ROUTES.listStones,
    query: stonesQuerySchema,
    success: {
      status: 200,
      description: 'The Stones, and the clusters that could not be read',
      schema: ref('StoneList'),
    },
  },
  getStone: {
    ...ROLLOUTS_API_ROUTES.getStone,
    pathParams: stonePathSchema,
    query: stoneQuerySchema,
    success: {
      status: 200,
      description: 'The Stone',
      schema: ref('StoneDetail'),
    },
  },
  approveStage: action(
    'approveStage',
    approveStageBodySchema,
    'rollouts-stage-approve',
  ),
  startUpdate: action(
    'startUpdate',
    startUpdateBodySchema,
    'rollouts-update-start',
  ),
  pause: action('pause', stoneActionBodySchema, 'rollouts-update-pause'),
  resume: action('resume', stoneActionBodySchema, 'rollouts-update-resume'),
  abort: action('abort', stoneActionBodySchema, 'rollouts-update-abort'),
  rollback: action('rollback', rollbackBodySchema, 'rollouts-update-rollback'),
};

const ERROR_RESPONSES = {
  ...COMMON_ERROR_RESPONSES,
  '404': errorResponse('No such entity, or the entity has no such Stone'),
  '409': errorResponse(
    'The Stone changed since it was loaded (resourceVersion), or the action is refused now (with the reason: stage not complete, Degraded, …)',
  ),
  '503': CLUSTER_UNAVAILABLE_RESPONSE,
};

const stage = s('string', { enum: [...STONE_STAGES] });
const time = s('string', { format: 'date-time' });
const clusterError = object(
  {
    cluster: s('string'),
    message: s('string'),
    unreachableSince: time,
  },
  ['cluster', 'message'],
);

const COMPONENTS = {
  StoneSummary: object(
    {
      cluster: s('string'),
      namespace: s('string'),
      name: s('string'),
      entityRef: s('string'),
      resourceVersion: s('string'),
      generation: s('integer'),
      strategy: stage,
      paused: s('boolean'),
      pausedReason: s('string'),
      currentRevision: s('string'),
      updateRevision: s('string'),
      replicas: s('integer'),
      desiredReplicas: s('integer'),
      readyReplicas: s('integer'),
      updatedReplicas: s('integer'),
      degraded: s('boolean'),
      degradedReason: s('string'),
      degradedMessage: s('string'),
      stageComplete: s('boolean'),
      stageStartedAt: time,
    },
    [
      'cluster',
      'namespace',
      'name',
      'entityRef',
      'resourceVersion',
      'strategy',
      'paused',
      'replicas',
      'desiredReplicas',
      'readyReplicas',
      'updatedReplicas',
      'degraded',
      'stageComplete',
    ],
  ),
  StoneList: object(
    {
      items: { type: 'array', items: ref('StoneSummary') },
      clusterErrors: { type: 'array', items: clusterError },
    },
    ['items', 'clusterErrors'],
  ),
  StoneDetail: object(
    {
      summary: ref('StoneSummary'),
      stone: s('object', {
        description:
          'The Stone (rollouts.cairn.dev/v1alpha1) as the watch has it',
      }),
      pods: {
        type: 'array',
        items: object(
          {
            name: s('string'),
            namespace: s('string'),
            group: s('string'),
            index: s('integer'),
            zone: s('string'),
            rack: s('string'),
            host: s('string'),
            revision: s('string'),
            ready: s('boolean'),
            phase: s('string'),
            restarts: s('integer'),
            createdAt: time,
            deletionTimestamp: time,
          },
          [
            'name',
            'namespace',
            'group',
            'index',
            'ready',
            'phase',
            'restarts',
            'createdAt',
          ],
        ),
      },
      revisions: {
        type: 'array',
        items: object(
          {
            name: s('string'),
            revision: s('integer'),
            hash: s('string'),
            createdAt: time,
            template: s('object'),
          },
          ['name', 'revision', 'hash', 'createdAt', 'template'],
        ),
      },
      approvals: {
        type: 'array',
        items: object(
          {
            stage,
            revision: s('string'),
            approvedBy: s('string'),
            approvedAt: time,
            comment: s('string'),
            forced: s('boolean'),
          },
          ['stage', 'revision', 'approvedBy', 'approvedAt', 'forced'],
        ),
      },
      clusterErrors: { type: 'array', items: clusterError },
    },
    ['summary', 'stone', 'pods', 'revisions', 'approvals', 'clusterErrors'],
  ),
};

/** The OpenAPI 3.1 document of the rollouts API, from {@link API_OPERATIONS}. */
export function buildOpenApiDocument() {
  return buildDocument({
    info: {
      title: 'rollouts',
      version: '1',
      description:
        'Cairn Rollouts: Stones of catalog entities, their stages and updates (`/api/rollouts`)',
    },
    servers: [{ url: '/api/rollouts' }],
    operations: API_OPERATIONS,
    errorResponses: ERROR_RESPONSES,
    schemas: COMPONENTS,
  });
}
