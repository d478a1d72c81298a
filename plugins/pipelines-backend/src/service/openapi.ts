import {
  cancelBodySchema,
  createPipelineBodySchema,
  entityRefQuerySchema,
  rerunBodySchema,
  RUN_STATUSES,
  runsQuerySchema,
  startRunBodySchema,
  stepLogQuerySchema,
  stepLogSearchQuerySchema,
  tasksQuerySchema,
  updatePipelineBodySchema,
  WEBHOOK_DELIVERY_OUTCOMES,
  webhookDeliveriesQuerySchema,
  webhookDeliveryPathSchema,
} from '@cairn/plugin-pipelines-common';
import { objectPathSchema } from '@cairn/request-schemas';
import {
  buildOpenApiDocument as buildDocument,
  COMMON_ERROR_RESPONSES,
  errorResponse,
  JsonSchema,
  OpenApiOperation,
  OpenApiResponse as ApiResponse,
} from '@cairn/backend-openapi';

/**
 * One route of the Pipelines API: the router serves it, and the OpenAPI
 * document describes it from the same zod schemas the router parses with.
 */
export interface ApiOperation extends OpenApiOperation {
  method: 'get' | 'post' | 'put' | 'delete';
  /** The responses of success; the error responses are added to all. */
  responses: Record<string, ApiResponse>;
}

const json = (schema: JsonSchema) => ({
  content: { 'application/json': { schema } },
});

const ENTITY_REF =
  'The catalog entity the request is about (its objects found by its backstage.io/kubernetes-* annotations); permissions are checked against it.';

/** `entityRef` of the lists and the event stream, which work without it. */
const LIST_ENTITY_REF =
  'The catalog entity whose runs (or Pipelines) to list; permissions are checked against it. Without it: those of every entity that opts in to Pipelines (cairn.dev/pipelines or tekton.dev/cicd "true") and on which the caller holds pipelines.run.read; a run several of them select is listed once, as the first one’s by entity ref.';

const listQuery = entityRefQuerySchema.partial();

const ERROR_RESPONSES: Record<string, ApiResponse> = {
  ...COMMON_ERROR_RESPONSES,
  '403': errorResponse(
    'The caller may not do this with this entity; the message names the permission',
  ),
  '404': errorResponse('The entity, or the object in its scope, is not found'),
  '413': errorResponse('The request body is larger than 1 MB'),
  '503': errorResponse('The cluster could not be reached'),
};

/** Creations and changes that the object's state may refuse. */
const CONFLICT: Record<string, ApiResponse> = {
  '409': errorResponse(
    'The object changed or is in a state that does not allow this; the message says which',
  ),
};

const clusterError = {
  type: 'object',
  properties: {
    cluster: { type: 'string' },
    message: {
      type: 'string',
      description:
        'Why, in Kubernetes’ words (the last error when the cluster stopped answering)',
    },
    unreachableSince: {
      type: 'string',
      format: 'date-time',
      description:
        'When the portal lost the cluster; the response holds its last known state from then',
    },
  },
  required: ['cluster', 'message'],
};

const clusterErrors = {
  type: 'array',
  items: { $ref: '#/components/schemas/ClusterError' },
};

const runStatus = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: [...RUN_STATUSES] },
    label: { type: 'string' },
    reason: { type: 'string' },
    message: { type: 'string' },
  },
  required: ['status', 'label'],
  additionalProperties: false,
};

const runSummary = {
  type: 'object',
  properties: {
    entityRef: {
      type: 'string',
      description:
        'The catalog entity the run is listed for: read it, its logs and act on it with this entityRef',
    },
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
    uid: { type: 'string' },
    pipeline: { type: 'string' },
    status: { $ref: '#/components/schemas/RunStatus' },
    trigger: { type: 'string', enum: ['rerun', 'event', 'other'] },
    rerunOf: { type: 'string' },
    startedBy: {
      type: 'string',
      description: 'The user who started or reran it in the portal',
    },
    createdAt: { type: 'string', format: 'date-time' },
    startTime: { type: 'string', format: 'date-time' },
    completionTime: { type: 'string', format: 'date-time' },
    durationMs: { type: 'number' },
    progress: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        byStatus: {
          type: 'object',
          properties: Object.fromEntries(
            RUN_STATUSES.map(status => [status, { type: 'integer' }]),
          ),
          required: [...RUN_STATUSES],
          additionalProperties: false,
        },
      },
      required: ['total', 'byStatus'],
      additionalProperties: false,
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
  // Closed, so that a field added to RunSummary and not described here fails
  // the document's test.
  additionalProperties: false,
  required: [
    'entityRef',
    'cluster',
    'namespace',
    'name',
    'status',
    'trigger',
    'progress',
    'labels',
  ],
};

const runRef = {
  type: 'object',
  properties: {
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
  },
  required: ['cluster', 'namespace', 'name'],
};

const paramForm = {
  type: 'array',
  items: {
    type: 'object',
    description:
      'A start-form field: name, type, description, required, default, enum, keys, initialValue',
  },
};

const pipelineDefinition = {
  type: 'object',
  properties: {
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
    resourceVersion: {
      type: 'string',
      description:
        'Send it back with an update: a Pipeline changed since is refused (409), never overwritten.',
    },
    pipeline: {
      type: 'object',
      description: 'The Tekton v1 Pipeline as the cluster has it',
    },
  },
  required: ['cluster', 'namespace', 'name', 'resourceVersion', 'pipeline'],
};

const RUN = '/runs/:cluster/:namespace/:name';
const PIPELINE = '/pipelines/:cluster/:namespace/:name';

/** Every route of the Pipelines API but `/health` and `/openapi.json`. */
/** A delivery of the webhook delivery log. */
const webhookDelivery = {
  type: 'object',
  properties: {
    id: { type: 'string', description: '<provider>:<delivery id>' },
    provider: { type: 'string', enum: ['github', 'gitlab', 'gitea'] },
    deliveryId: { type: 'string' },
    event: { type: 'string' },
    repository: { type: 'string' },
    ref: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    signatureOk: { type: 'boolean' },
    outcome: { type: 'string', enum: [...WEBHOOK_DELIVERY_OUTCOMES] },
    reason: { type: 'string' },
    runs: { type: 'array', items: { type: 'object' } },
    matches: { type: 'array', items: { type: 'object' } },
    duplicates: { type: 'integer' },
    redeliveryOf: { type: 'string' },
    payload: { type: 'string', description: 'The JSON body; ops only' },
  },
  required: [
    'id',
    'provider',
    'deliveryId',
    'receivedAt',
    'signatureOk',
    'outcome',
    'runs',
    'matches',
    'duplicates',
  ],
};

export const API_OPERATIONS: ApiOperation[] = [
  {
    method: 'get',
    path: '/runs',
    summary:
      "A page of an entity's pipeline runs (or of every entity the caller may read), filtered and sorted on the server",
    query: runsQuerySchema,
    queryDescriptions: {
      entityRef: LIST_ENTITY_REF,
      entity:
        'Comma-separated entity refs: only the runs of these, among the entities listed.',
      cluster: 'Only runs on this cluster.',
      namespace: 'Only runs in this namespace.',
      status: `Comma-separated statuses: ${RUN_STATUSES.join(', ')}.`,
      pipeline: 'Comma-separated pipeline names.',
      label: 'A label selector ANDed with the entity’s.',
      search: 'Substring of the run or pipeline name.',
      cursor: 'nextCursor of the previous page.',
    },
    responses: {
      '200': {
        description: 'A page of runs',
        ...json({
          type: 'object',
          properties: {
            items: {
              type: 'array',
              items: { $ref: '#/components/schemas/RunSummary' },
            },
            totalCount: { type: 'integer' },
            nextCursor: { type: 'string' },
            clusterErrors,
          },
          required: ['items', 'totalCount', 'clusterErrors'],
        }),
      },
    },
  },
  {
    method: 'post',
    path: '/runs',
    summary:
      "Start a run of one of the entity's Pipelines (permission pipelines.run.create)",
    query: entityRefQuerySchema,
    body: startRunBodySchema,
    responses: {
      '201': { description: 'The run was created', ...json(runRef) },
    },
  },
  {
    method: 'get',
    path: '/runs/events',
    summary:
      "Server-sent events: the entity's runs (or those of every entity the caller may read) as they change (event `run` with a RunSummary, event `deleted` with cluster, namespace and name)",
    query: listQuery,
    queryDescriptions: { entityRef: LIST_ENTITY_REF },
    responses: {
      '200': {
        description: 'An event stream, open until the client leaves',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
    },
  },
  {
    method: 'get',
    path: RUN,
    summary:
      'A run with its TaskRuns, pipeline graph and the live state of each task',
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    responses: {
      '200': {
        description: 'The run',
        ...json({
          type: 'object',
          properties: {
            summary: { $ref: '#/components/schemas/RunSummary' },
            run: { type: 'object', description: 'The Tekton PipelineRun' },
            taskRuns: { type: 'array', items: { type: 'object' } },
            graph: {
              type: 'object',
              description: 'nodes, edges and issues of the pipeline graph',
            },
            tasks: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  lane: { type: 'string', enum: ['tasks', 'finally'] },
                  status: { $ref: '#/components/schemas/RunStatus' },
                  skippedReason: { type: 'string' },
                  startTime: { type: 'string' },
                  duration: { type: 'number' },
                  retries: { type: 'integer' },
                  taskRuns: { type: 'array', items: { type: 'string' } },
                },
              },
            },
            paramForm,
            clusterErrors,
          },
          required: [
            'summary',
            'run',
            'taskRuns',
            'tasks',
            'paramForm',
            'clusterErrors',
          ],
        }),
      },
    },
  },
  {
    method: 'delete',
    path: RUN,
    summary:
      'Delete a run with its TaskRuns and pods (permission pipelines.run.delete)',
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    responses: { '204': { description: 'Deleted' } },
  },
  {
    method: 'get',
    path: `${RUN}/logs`,
    summary:
      "A step's log, streamed from the portal's archive, which follows each step as it runs (so it outlives the pod): whole, a byte range, the tail, or followed until the step ends. Where the archive's cap (pipelines.logs.maxStepBytes) cut the middle of a long log, a line says so",
    pathParams: objectPathSchema,
    query: stepLogQuerySchema,
    queryDescriptions: {
      taskRun: 'The TaskRun of the step',
      step: 'The step name',
      follow:
        'true: keep the response open and send what the step writes, until it ends',
      attempt:
        'The TaskRun attempt: 0 the first, then one per retry (default: the latest)',
      start:
        'Byte offset in the log to start at; inside a line, the read starts at the next line (X-Cairn-Log-Start)',
      end: 'Byte offset to end before (not with follow)',
      tail: 'Start this many bytes before the end, at a line start (not with start or end)',
    },
    responses: {
      '200': {
        description:
          'The log. Headers: X-Cairn-Log-Source `live` (still being written) or `archive` (complete); X-Cairn-Log-Size, the bytes the step wrote so far; X-Cairn-Log-Start, where the body starts; X-Cairn-Log-Attempt; X-Cairn-Log-Note (URI-encoded), why the log may be partial',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  },
  {
    method: 'get',
    path: `${RUN}/logs/search`,
    summary:
      "Lines of a step's log that contain a text (any case), searched on the server",
    pathParams: objectPathSchema,
    query: stepLogSearchQuerySchema,
    queryDescriptions: {
      taskRun: 'The TaskRun of the step',
      step: 'The step name',
      attempt: 'The TaskRun attempt (default: the latest)',
      q: 'The text to look for',
      limit: 'Most matches returned (default 100)',
    },
    responses: {
      '200': {
        description:
          'The matching lines with their byte offsets (for `start`), and whether there were more',
        ...json({
          type: 'object',
          properties: {
            matches: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  offset: { type: 'integer' },
                  line: { type: 'string' },
                },
                required: ['offset', 'line'],
              },
            },
            truncated: { type: 'boolean' },
          },
          required: ['matches', 'truncated'],
        }),
      },
    },
  },
  {
    method: 'post',
    path: `${RUN}/rerun`,
    summary:
      'Start a copy of a run, with some params changed (permission pipelines.run.rerun)',
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    body: rerunBodySchema,
    responses: { '201': { description: 'The new run', ...json(runRef) } },
  },
  {
    method: 'post',
    path: `${RUN}/start`,
    summary:
      'Start a run held with spec.status PipelineRunPending (permission pipelines.run.create)',
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    responses: { '204': { description: 'Started' } },
  },
  {
    method: 'post',
    path: `${RUN}/cancel`,
    summary:
      'Cancel or stop a run that has not finished, in one of Tekton’s three modes (permission pipelines.run.cancel)',
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    body: cancelBodySchema,
    responses: { '204': { description: 'Requested' } },
  },
  {
    method: 'get',
    path: '/pipelines',
    summary:
      "The entity's Pipelines (or those of every entity the caller may read), with the fields of their start forms and their graphs",
    query: listQuery,
    queryDescriptions: { entityRef: LIST_ENTITY_REF },
    responses: {
      '200': {
        description: 'The pipelines',
        ...json({
          type: 'object',
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  entityRef: {
                    type: 'string',
                    description:
                      'The catalog entity the Pipeline is listed for: start runs of it with this entityRef',
                  },
                  cluster: { type: 'string' },
                  namespace: { type: 'string' },
                  name: { type: 'string' },
                  displayName: { type: 'string' },
                  description: { type: 'string' },
                  params: paramForm,
                  workspaces: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        name: { type: 'string' },
                        description: { type: 'string' },
                        optional: { type: 'boolean' },
                      },
                    },
                  },
                  graph: { type: 'object' },
                  trigger: {
                    type: 'object',
                    description:
                      'What starts it from Git webhooks (triggers.cairn.dev/* annotations): valid with repository, onEvent, onTargetBranch, onPathChange, cancelInProgress and maxKeepRuns, or not valid with the problems; absent when it declares no repository',
                  },
                  serviceAccounts: {
                    type: 'array',
                    items: { type: 'string' },
                    description:
                      'The ServiceAccounts a run of it may name (serviceAccountName), from pipelines.serviceAccounts for its namespace; empty when none is configured, and runs then use the namespace’s default account (or the Pipeline’s taskRunTemplate)',
                  },
                },
              },
            },
            clusterErrors,
          },
          required: ['items', 'clusterErrors'],
        }),
      },
    },
  },
  {
    method: 'post',
    path: '/pipelines',
    summary:
      "Create a Pipeline labelled for the entity, after Tekton's validation (permission pipelines.pipeline.update); 409 when the name is taken",
    query: entityRefQuerySchema,
    body: createPipelineBodySchema,
    responses: {
      '201': { description: 'Created', ...json(pipelineDefinition) },
    },
  },
  {
    method: 'get',
    path: PIPELINE,
    summary:
      "One of the entity's Pipelines, read from the cluster, with the resourceVersion an update sends back",
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    responses: {
      '200': { description: 'The Pipeline', ...json(pipelineDefinition) },
    },
  },
  {
    method: 'put',
    path: PIPELINE,
    summary:
      'Replace a Pipeline as of the resourceVersion loaded (permission pipelines.pipeline.update); 409 when someone changed it since',
    pathParams: objectPathSchema,
    query: entityRefQuerySchema,
    body: updatePipelineBodySchema,
    responses: {
      '200': { description: 'Replaced', ...json(pipelineDefinition) },
    },
  },
  {
    method: 'get',
    path: '/tasks',
    summary:
      "The Tasks of a namespace in the entity's scope, with their params as form fields, workspaces and results",
    query: tasksQuerySchema,
    responses: {
      '200': {
        description: 'The Tasks',
        ...json({
          type: 'object',
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                description:
                  'cluster, namespace, name, displayName, description, params (form fields), workspaces, results, task (the Tekton Task)',
              },
            },
            clusterErrors,
          },
          required: ['items', 'clusterErrors'],
        }),
      },
    },
  },
  {
    method: 'get',
    path: '/targets',
    summary:
      "Where the entity's Pipelines may be created: its backstage.io/kubernetes-cluster (else every configured cluster) and backstage.io/kubernetes-namespace",
    query: entityRefQuerySchema,
    responses: {
      '200': {
        description: 'The clusters and namespace',
        ...json({
          type: 'object',
          properties: {
            clusters: { type: 'array', items: { type: 'string' } },
            namespace: { type: 'string' },
          },
          required: ['clusters'],
        }),
      },
    },
  },
  {
    method: 'get',
    path: '/webhooks/deliveries',
    summary:
      'The Git webhook delivery log, newest first: every delivery with its payload for ops, the deliveries that matched Pipelines of their entities for owners',
    query: webhookDeliveriesQuerySchema,
    responses: {
      '200': {
        description: 'The deliveries',
        ...json({
          type: 'object',
          properties: {
            items: { type: 'array', items: webhookDelivery },
          },
          required: ['items'],
        }),
      },
    },
  },
  {
    method: 'post',
    path: '/webhooks/deliveries/:id/redeliver',
    summary:
      'Processes a stored delivery again as a new delivery (ops only, audited)',
    pathParams: webhookDeliveryPathSchema,
    responses: {
      '201': { description: 'The new delivery', ...json(webhookDelivery) },
    },
  },
];

/** The OpenAPI 3.1 description of the Pipelines API, from its request schemas. */
export function buildOpenApiDocument(): JsonSchema {
  return buildDocument({
    info: {
      title: 'Cairn Pipelines',
      version: '1',
      description:
        'Tekton pipeline runs of catalog entities. Mounted at /api/pipelines; every request needs a Backstage token. Errors come as Backstage’s error body, whose message says what to fix.',
    },
    operations: API_OPERATIONS.map(operation => ({
      ...operation,
      queryDescriptions: {
        entityRef: ENTITY_REF,
        ...operation.queryDescriptions,
      },
      responses: {
        ...operation.responses,
        ...(operation.method === 'post' || operation.method === 'put'
          ? CONFLICT
          : {}),
      },
    })),
    errorResponses: ERROR_RESPONSES,
    schemas: {
      ClusterError: clusterError,
      RunStatus: runStatus,
      RunSummary: runSummary,
    },
  });
}
