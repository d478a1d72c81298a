import {
  clusterNameSchema as clusterName,
  dns1123SubdomainSchema as objectName,
  entityRefSchema,
  namespaceNameSchema as namespaceName,
} from '@cairn/request-schemas';
import { z } from 'zod';
import { RUN_SORT_FIELDS } from './api';
import { RUN_STATUSES, RunStatus } from './status';
import { Pipeline, TEKTON_API_VERSION } from './types';
import { GIT_PROVIDERS, GitProvider } from './triggers/delivery';
import {
  WEBHOOK_DELIVERY_OUTCOMES,
  WebhookDeliveryOutcome,
} from './triggers/deliveryLog';

/*
 * What the pipelines API accepts, as zod schemas: the backend validates
 * requests with them, the frontend's request types are inferred from them,
 * and the OpenAPI document is generated from them. Names, entity refs and
 * object paths are @cairn/request-schemas', as every Cairn API's.
 */

const splitList = (value: string) =>
  value
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);

/** Query of `GET /runs`. @public */
export const runsQuerySchema = z.object({
  /** Without it, the runs of every entity the caller may read. */
  entityRef: entityRefSchema.optional(),
  entity: z
    .string()
    .transform(splitList)
    .pipe(z.array(entityRefSchema))
    .optional(),
  status: z
    .string()
    .transform(splitList)
    .pipe(
      z.array(
        z.enum(RUN_STATUSES as [RunStatus, ...RunStatus[]], {
          error: `must be a comma-separated list of ${RUN_STATUSES.join(', ')}`,
        }),
      ),
    )
    .optional(),
  pipeline: z.string().transform(splitList).optional(),
  cluster: clusterName().optional(),
  namespace: namespaceName().optional(),
  label: z.string().optional(),
  search: z.string().max(200, 'must be at most 200 characters').optional(),
  sort: z
    .enum(RUN_SORT_FIELDS, {
      error: `must be one of ${RUN_SORT_FIELDS.join(', ')}`,
    })
    .default('started'),
  order: z
    .enum(['asc', 'desc'], { error: 'must be asc or desc' })
    .default('desc'),
  // A query string carries only text: the number is read from it.
  limit: z.coerce
    .number({ error: 'must be a number from 1 to 200' })
    .int('must be a whole number from 1 to 200')
    .min(1, 'must be a number from 1 to 200')
    .max(200, 'must be a number from 1 to 200')
    .default(25),
  cursor: z.string().optional(),
});

/**
 * The runs list's query as the frontend builds it: the parsed form, lists as
 * arrays (sent comma-separated), every field optional.
 * @public
 */
export type ListRunsQuery = Partial<z.output<typeof runsQuerySchema>>;

/** `?entityRef=` of the routes about one entity. @public */
export const entityRefQuerySchema = z.object({ entityRef: entityRefSchema });

/** An optional whole number ≥ 0 read from a query string. */
const wholeNumber = (what: string) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .min(0, `must be ${what}`)
    .optional();

/** Query of `GET /runs/:cluster/:namespace/:name/logs`. @public */
export const stepLogQuerySchema = z.object({
  entityRef: entityRefSchema,
  taskRun: z.string({ error: 'is required: the TaskRun name' }).min(1),
  step: z.string({ error: 'is required: the step name' }).min(1),
  /** Stream the log as the container writes it, until the step ends. */
  follow: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional(),
  attempt: wholeNumber(
    'the TaskRun attempt, from 0 (the first) to its number of retries',
  ),
  start: wholeNumber('a byte offset'),
  end: wholeNumber('a byte offset'),
  tail: wholeNumber('a number of bytes'),
});

/** Query of `GET /runs/:cluster/:namespace/:name/logs/search`. @public */
export const stepLogSearchQuerySchema = stepLogQuerySchema
  .pick({ entityRef: true, taskRun: true, step: true, attempt: true })
  .extend({
    q: z
      .string({ error: 'is required: the text to look for' })
      .min(1, 'is required: the text to look for')
      .max(200, 'must be at most 200 characters'),
    limit: z.coerce
      .number({ error: 'must be a number from 1 to 1000' })
      .int('must be a whole number from 1 to 1000')
      .min(1, 'must be a number from 1 to 1000')
      .max(1000, 'must be a number from 1 to 1000')
      .default(100),
  });

/** Query of a search in a step's log. @public */
export type StepLogSearchQuery = z.input<typeof stepLogSearchQuerySchema>;

/** Query of a step's log. @public */
export type StepLogQuery = z.input<typeof stepLogQuerySchema>;

/** Query of `GET /tasks`. @public */
export const tasksQuerySchema = z.object({
  entityRef: entityRefSchema,
  cluster: clusterName('is required: the cluster'),
  namespace: namespaceName('is required: the namespace of the Tasks'),
});

const DURATION_TEXT =
  'must be a duration such as "1h", "30m" or "1h30m" ("0" for none)';

/** Go durations as Tekton accepts them: "1h30m", "45s", "0". @public */
export const durationSchema = z
  .string()
  .regex(/^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/, DURATION_TEXT);

const workspaceBindingSchema = z
  .object({
    name: z.string().min(1),
    subPath: z.string().optional(),
    emptyDir: z.object({}).passthrough().optional(),
    persistentVolumeClaim: z
      .object({
        claimName: z.string().min(1),
        readOnly: z.boolean().optional(),
      })
      .optional(),
    volumeClaimTemplate: z.object({}).passthrough().optional(),
    configMap: z
      .object({ name: z.string().min(1) })
      .passthrough()
      .optional(),
    secret: z
      .object({ secretName: z.string().min(1) })
      .passthrough()
      .optional(),
  })
  .strict()
  .refine(
    w =>
      [
        w.emptyDir,
        w.persistentVolumeClaim,
        w.volumeClaimTemplate,
        w.configMap,
        w.secret,
      ].filter(Boolean).length === 1,
    {
      message:
        'bind exactly one of emptyDir, persistentVolumeClaim, volumeClaimTemplate, configMap or secret',
    },
  );

/**
 * Param values by name. Each must match its declared type (checked against
 * the Pipeline): a string, a list of strings, or an object of string values;
 * null or a missing name leaves the param to its default. Numbers and booleans
 * are refused, not turned into text: `"3"`, not `3`.
 */
const paramValuesSchema = z.record(
  z.string(),
  z.union(
    [
      z.string(),
      z.array(z.string()),
      z.record(z.string(), z.string()),
      z.null(),
    ],
    {
      error: issue =>
        `must be a string, a list of strings or an object of string values, as the param's type declares; got ${describeJson(
          issue.input,
        )}${
          typeof issue.input === 'number' || typeof issue.input === 'boolean'
            ? ` (send "${issue.input}" as a string)`
            : ''
        }`,
    },
  ),
);

/** Param values of a start or rerun request, by param name. @public */
export type ParamValues = z.input<typeof paramValuesSchema>;

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'a list with a value that is not a string';
  if (value !== null && typeof value === 'object') {
    return 'an object with a value that is not a string';
  }
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** Body of `POST /runs`. @public */
export const startRunBodySchema = z
  .object({
    cluster: clusterName('is required: the cluster of the pipeline'),
    namespace: namespaceName(),
    pipeline: objectName('is required: the name of the Pipeline to run'),
    params: paramValuesSchema.default({}),
    serviceAccountName: objectName(
      'must be the name of a ServiceAccount',
    ).optional(),
    timeouts: z
      .object({
        pipeline: durationSchema.optional(),
        tasks: durationSchema.optional(),
        finally: durationSchema.optional(),
      })
      .strict()
      .optional(),
    workspaces: z.array(workspaceBindingSchema).default([]),
    /** Create the run held (spec.status PipelineRunPending), to start later. */
    pending: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

/** Body of `POST /runs` as the frontend sends it. @public */
export type StartRunRequest = z.input<typeof startRunBodySchema>;
/** Body of `POST /runs` as the backend reads it, defaults applied. @public */
export type StartRunBody = z.output<typeof startRunBodySchema>;

/** Body of `POST /runs/:cluster/:namespace/:name/rerun`. @public */
export const rerunBodySchema = z
  .object({ params: paramValuesSchema.default({}) })
  .strict();

/** Body of a rerun as the frontend sends it. @public */
export type RerunRequest = z.input<typeof rerunBodySchema>;

/**
 * Tekton's three ways to cancel a PipelineRun (the `spec.status` each sets),
 * and what each does.
 * @public
 */
export const CANCEL_MODES = [
  {
    mode: 'Cancelled',
    explanation: 'Stop now: cancel running tasks and skip finally tasks.',
  },
  {
    mode: 'CancelledRunFinally',
    explanation: 'Stop now: cancel running tasks, then run finally tasks.',
  },
  {
    mode: 'StoppedRunFinally',
    explanation:
      'Start no new tasks: let running tasks finish, then run finally tasks.',
  },
] as const;

/** @public */
export type CancelMode = (typeof CANCEL_MODES)[number]['mode'];

const cancelModes = CANCEL_MODES.map(m => m.mode) as [
  CancelMode,
  ...CancelMode[],
];

/** Body of `POST /runs/:cluster/:namespace/:name/cancel`. @public */
export const cancelBodySchema = z
  .object({
    mode: z
      .enum(cancelModes, {
        error: `must be ${CANCEL_MODES.map(
          m => `${m.mode} (${m.explanation.replace(/\.$/, '')})`,
        ).join(', ')}`,
      })
      .default('Cancelled'),
  })
  .strict();

/** Body of a cancel request. @public */
export type CancelRequest = z.input<typeof cancelBodySchema>;

/**
 * A Tekton v1 Pipeline as the builder sends it; fields Cairn does not model
 * pass through (the cluster validates the spec). Typed as {@link Pipeline}
 * so the builder's objects can be sent as they are.
 */
const pipelineObjectSchema = z
  .object({
    apiVersion: z.literal(TEKTON_API_VERSION, {
      error: 'must be tekton.dev/v1: the builder writes Tekton v1 Pipelines',
    }),
    kind: z.literal('Pipeline', { error: 'must be Pipeline' }),
    metadata: z
      .object({
        name: objectName('must be the name of the Pipeline').optional(),
        namespace: namespaceName().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .passthrough(),
    spec: z.object({}).passthrough(),
  })
  .passthrough() as unknown as z.ZodType<Pipeline, Pipeline>;

/** Body of `POST /pipelines`. @public */
export const createPipelineBodySchema = z
  .object({
    cluster: clusterName('is required: the cluster to create it in'),
    namespace: namespaceName(),
    pipeline: pipelineObjectSchema.refine(p => Boolean(p.metadata.name), {
      message: 'metadata.name is required: the name of the new Pipeline',
      path: ['metadata', 'name'],
    }),
  })
  .strict();

/** Creates a Pipeline (`POST /pipelines`). @public */
export type CreatePipelineRequest = z.input<typeof createPipelineBodySchema>;

const RESOURCE_VERSION_MISSING =
  'is required: the metadata.resourceVersion of the Pipeline as you loaded it';

/** Body of `PUT /pipelines/:cluster/:namespace/:name`. @public */
export const updatePipelineBodySchema = z
  .object({
    pipeline: pipelineObjectSchema,
    /** `resourceVersion` of the PipelineDefinition the edit started from. */
    resourceVersion: z
      .string({ error: RESOURCE_VERSION_MISSING })
      .min(1, RESOURCE_VERSION_MISSING),
  })
  .strict();

/** Replaces a Pipeline (`PUT /pipelines/:cluster/:namespace/:name`). @public */
export type UpdatePipelineRequest = z.input<typeof updatePipelineBodySchema>;

/** `GET /webhooks/deliveries`: the newest first. @public */
export const webhookDeliveriesQuerySchema = z.object({
  provider: z.enum(GIT_PROVIDERS as [GitProvider, ...GitProvider[]]).optional(),
  outcome: z
    .enum(
      WEBHOOK_DELIVERY_OUTCOMES as [
        WebhookDeliveryOutcome,
        ...WebhookDeliveryOutcome[],
      ],
    )
    .optional(),
  /** Only the deliveries that matched Pipelines of this catalog entity. */
  entityRef: z.string().min(1).max(400).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** @public */
export type WebhookDeliveriesQuery = z.infer<
  typeof webhookDeliveriesQuerySchema
>;

/** `POST /webhooks/deliveries/:id/redeliver`. @public */
export const webhookDeliveryPathSchema = z.object({
  id: z.string().min(1).max(400),
});
