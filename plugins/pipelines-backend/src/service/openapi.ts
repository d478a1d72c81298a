import { z } from 'zod';
import {
  cancelBodySchema,
  createPipelineBodySchema,
  rerunBodySchema,
  runsQuerySchema,
  startRunBodySchema,
  tasksQuerySchema,
  updatePipelineBodySchema,
} from './schemas';

type JsonSchema = Record<string, any>;

function toSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function queryParameters(
  schema: z.ZodType,
  descriptions: Record<string, string>,
) {
  const json = toSchema(schema);
  const required = new Set<string>(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    description: descriptions[name],
    schema: property,
  }));
}

const entityRefParameter = {
  name: 'entityRef',
  in: 'query',
  required: true,
  description:
    'The catalog entity the runs belong to (found by its backstage.io/kubernetes-* annotations); permissions are checked against it.',
  schema: { type: 'string' },
};

/** `entityRef` of the lists and the event stream, which work without it. */
const listEntityRefParameter = {
  ...entityRefParameter,
  required: false,
  description:
    'The catalog entity whose runs (or Pipelines) to list; permissions are checked against it. Without it: those of every entity that opts in to Pipelines (cairn.dev/pipelines or tekton.dev/cicd "true") and on which the caller holds pipelines.run.read; a run several of them select is listed once, as the first one’s by entity ref.',
};

const runPathParameters = ['cluster', 'namespace', 'name'].map(name => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
}));

const error = {
  description:
    'A Backstage error: `{ error: { name, message }, request, response }`. The message says what to fix.',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

const errors = {
  '400': error,
  '403': error,
  '404': error,
  '409': error,
  '503': error,
};

const status = {
  type: 'object',
  properties: {
    status: {
      type: 'string',
      enum: [
        'running',
        'pending',
        'cancelled',
        'failed',
        'succeeded',
        'skipped',
      ],
    },
    label: { type: 'string' },
    reason: { type: 'string' },
    message: { type: 'string' },
  },
  required: ['status', 'label'],
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
    status,
    trigger: { type: 'string', enum: ['rerun', 'event', 'other'] },
    rerunOf: { type: 'string' },
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
          additionalProperties: { type: 'integer' },
        },
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: [
    'entityRef',
    'cluster',
    'namespace',
    'name',
    'status',
    'trigger',
    'progress',
  ],
};

const createdRun = {
  type: 'object',
  properties: {
    cluster: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
  },
  required: ['cluster', 'namespace', 'name'],
};

const json = (schema: JsonSchema) => ({
  content: { 'application/json': { schema } },
});

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

/** The pipeline builder's operations (pipelineDefinitionRoutes.ts). */
const builder = {
  getPipeline: {
    summary:
      "One of the entity's Pipelines, read from the cluster, with the resourceVersion an update sends back",
    parameters: [...runPathParameters, entityRefParameter],
    responses: {
      '200': { description: 'The Pipeline', ...json(pipelineDefinition) },
      ...errors,
    },
  },
  createPipeline: {
    summary:
      "Create a Pipeline labelled for the entity, after Tekton's validation (permission pipelines.pipeline.update); 409 when the name is taken",
    parameters: [entityRefParameter],
    requestBody: {
      required: true,
      ...json(toSchema(createPipelineBodySchema)),
    },
    responses: {
      '201': { description: 'Created', ...json(pipelineDefinition) },
      ...errors,
    },
  },
  updatePipeline: {
    summary:
      'Replace a Pipeline as of the resourceVersion loaded (permission pipelines.pipeline.update); 409 when someone changed it since',
    parameters: [...runPathParameters, entityRefParameter],
    requestBody: {
      required: true,
      ...json(toSchema(updatePipelineBodySchema)),
    },
    responses: {
      '200': { description: 'Replaced', ...json(pipelineDefinition) },
      ...errors,
    },
  },
  listTasks: {
    summary:
      "The Tasks of a namespace in the entity's scope, with their params as form fields, workspaces and results",
    parameters: queryParameters(tasksQuerySchema, {
      entityRef: entityRefParameter.description,
    }),
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
            clusterErrors: { type: 'array', items: { type: 'object' } },
          },
          required: ['items', 'clusterErrors'],
        }),
      },
      ...errors,
    },
  },
  getTargets: {
    summary:
      "Where the entity's Pipelines may be created: its backstage.io/kubernetes-cluster (else every configured cluster) and backstage.io/kubernetes-namespace",
    parameters: [entityRefParameter],
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
      ...errors,
    },
  },
};

/** The OpenAPI 3.1 description of the Pipelines API, from its input schemas. */
export function buildOpenApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cairn Pipelines',
      version: '1',
      description:
        'Tekton pipeline runs of catalog entities. Mounted at /api/pipelines; every request needs a Backstage token.',
    },
    paths: {
      '/runs': {
        get: {
          summary:
            "A page of an entity's pipeline runs (or of every entity the caller may read), filtered and sorted on the server",
          parameters: queryParameters(runsQuerySchema, {
            entityRef: listEntityRefParameter.description,
            entity:
              'Comma-separated entity refs: only the runs of these, among the entities listed.',
            cluster: 'Only runs on this cluster.',
            namespace: 'Only runs in this namespace.',
            status: 'Comma-separated statuses.',
            pipeline: 'Comma-separated pipeline names.',
            label: 'A label selector ANDed with the entity’s.',
            search: 'Substring of the run or pipeline name.',
            cursor: 'nextCursor of the previous page.',
          }),
          responses: {
            '200': {
              description: 'A page of runs',
              ...json({
                type: 'object',
                properties: {
                  items: { type: 'array', items: runSummary },
                  totalCount: { type: 'integer' },
                  nextCursor: { type: 'string' },
                  clusterErrors: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        cluster: { type: 'string' },
                        message: { type: 'string' },
                      },
                    },
                  },
                },
                required: ['items', 'totalCount', 'clusterErrors'],
              }),
            },
            ...errors,
          },
        },
        post: {
          summary: "Start a run of one of the entity's Pipelines",
          parameters: [entityRefParameter],
          requestBody: {
            required: true,
            ...json(toSchema(startRunBodySchema)),
          },
          responses: {
            '201': { description: 'The run was created', ...json(createdRun) },
            ...errors,
          },
        },
      },
      '/pipelines/{cluster}/{namespace}/{name}': {
        get: builder.getPipeline,
        put: builder.updatePipeline,
      },
      '/tasks': { get: builder.listTasks },
      '/targets': { get: builder.getTargets },
      '/pipelines': {
        post: builder.createPipeline,
        get: {
          summary:
            "The entity's Pipelines (or those of every entity the caller may read), with the fields of their start forms and their graphs",
          parameters: [listEntityRefParameter],
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
                        params: {
                          type: 'array',
                          items: {
                            type: 'object',
                            description:
                              'name, type, description, required, default, enum, keys, initialValue',
                          },
                        },
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
                        serviceAccounts: {
                          type: 'array',
                          items: { type: 'string' },
                          description:
                            'The ServiceAccounts a run of it may name (serviceAccountName), from pipelines.serviceAccounts for its namespace; empty when none is configured, and runs then use the namespace’s default account (or the Pipeline’s taskRunTemplate)',
                        },
                      },
                    },
                  },
                  clusterErrors: { type: 'array', items: { type: 'object' } },
                },
              }),
            },
            ...errors,
          },
        },
      },
      '/runs/events': {
        get: {
          summary:
            "Server-sent events: the entity's runs (or those of every entity the caller may read) as they change (event `run` with a RunSummary, event `deleted` with cluster, namespace and name)",
          parameters: [listEntityRefParameter],
          responses: {
            '200': {
              description: 'An event stream, open until the client leaves',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors,
          },
        },
      },
      '/runs/{cluster}/{namespace}/{name}': {
        get: {
          summary:
            'A run with its TaskRuns, pipeline graph and the live state of each task',
          parameters: [...runPathParameters, entityRefParameter],
          responses: {
            '200': {
              description: 'The run',
              ...json({
                type: 'object',
                properties: {
                  summary: runSummary,
                  run: {
                    type: 'object',
                    description: 'The Tekton PipelineRun',
                  },
                  taskRuns: { type: 'array', items: { type: 'object' } },
                  graph: {
                    type: 'object',
                    description:
                      'nodes, edges and issues of the pipeline graph',
                  },
                  tasks: {
                    type: 'object',
                    additionalProperties: {
                      type: 'object',
                      properties: {
                        name: { type: 'string' },
                        lane: { type: 'string', enum: ['tasks', 'finally'] },
                        status,
                        skippedReason: { type: 'string' },
                        startTime: { type: 'string' },
                        duration: { type: 'number' },
                        retries: { type: 'integer' },
                        taskRuns: { type: 'array', items: { type: 'string' } },
                      },
                    },
                  },
                },
              }),
            },
            ...errors,
          },
        },
        delete: {
          summary: 'Delete a run with its TaskRuns and pods',
          parameters: [...runPathParameters, entityRefParameter],
          responses: { '204': { description: 'Deleted' }, ...errors },
        },
      },
      '/runs/{cluster}/{namespace}/{name}/logs': {
        get: {
          summary:
            "A step's log: from its pod while it exists, else from the archive",
          parameters: [
            ...runPathParameters,
            entityRefParameter,
            {
              name: 'taskRun',
              in: 'query',
              required: true,
              schema: { type: 'string' },
            },
            {
              name: 'step',
              in: 'query',
              required: true,
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': {
              description:
                'The log; header X-Cairn-Log-Source is `pod` or `archive`',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...errors,
          },
        },
      },
      '/runs/{cluster}/{namespace}/{name}/rerun': {
        post: {
          summary: 'Start a copy of a run, with some params changed',
          parameters: [...runPathParameters, entityRefParameter],
          requestBody: json(toSchema(rerunBodySchema)),
          responses: {
            '201': { description: 'The new run', ...json(createdRun) },
            ...errors,
          },
        },
      },
      '/runs/{cluster}/{namespace}/{name}/start': {
        post: {
          summary:
            'Start a run held with spec.status PipelineRunPending (permission pipelines.run.cancel)',
          parameters: [...runPathParameters, entityRefParameter],
          responses: { '204': { description: 'Started' }, ...errors },
        },
      },
      '/runs/{cluster}/{namespace}/{name}/cancel': {
        post: {
          summary: 'Cancel or stop a run in one of Tekton’s three modes',
          parameters: [...runPathParameters, entityRefParameter],
          requestBody: json(toSchema(cancelBodySchema)),
          responses: { '204': { description: 'Requested' }, ...errors },
        },
      },
    },
  };
}
