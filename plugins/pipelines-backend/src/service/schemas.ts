import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  RUN_SORT_FIELDS,
  RUN_STATUSES,
  RunStatus,
} from '@cairn/plugin-pipelines-common';
import { z } from 'zod';

/** Parses input with a zod schema; an InputError naming each field to fix. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new InputError(`invalid ${where}: ${problems.join('; ')}`);
  }
  return result.data;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const entityRefSchema = z
  .string({
    error:
      'is required: the catalog entity the pipeline or run belongs to, e.g. component:default/shop',
  })
  .min(
    1,
    'is required: the catalog entity the pipeline or run belongs to, e.g. component:default/shop',
  )
  .transform((value, ctx) => {
    try {
      return stringifyEntityRef(parseEntityRef(value));
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not an entity ref; use kind:namespace/name, e.g. component:default/shop`,
      });
      return z.NEVER;
    }
  });

const splitList = (value: string) =>
  value
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);

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
  cluster: z.string().min(1, 'must be a cluster name').optional(),
  namespace: z.string().regex(DNS_LABEL, 'must be a namespace name').optional(),
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
  limit: z.coerce
    .number({ error: 'must be a number from 1 to 200' })
    .int('must be a whole number from 1 to 200')
    .min(1, 'must be a number from 1 to 200')
    .max(200, 'must be a number from 1 to 200')
    .default(25),
  cursor: z.string().optional(),
});

export const entityRefQuerySchema = z.object({ entityRef: entityRefSchema });

export const runParamsSchema = z.object({
  cluster: z.string().min(1),
  namespace: z.string().regex(DNS_LABEL, 'must be a namespace name'),
  name: z.string().regex(DNS_SUBDOMAIN, 'must be a Kubernetes object name'),
});

// Go durations as Tekton accepts them: "1h30m", "45s", "0".
const duration = z
  .string()
  .regex(
    /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/,
    'must be a duration such as "1h", "30m" or "1h30m" ("0" for none)',
  );

const workspaceBinding = z
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

export const startRunBodySchema = z
  .object({
    cluster: z.string().min(1, 'is required: the cluster of the pipeline'),
    namespace: z.string().regex(DNS_LABEL, 'must be a namespace name'),
    pipeline: z.string().regex(DNS_SUBDOMAIN, 'must be a Pipeline name'),
    params: z.record(z.string(), z.unknown()).default({}),
    serviceAccountName: z
      .string()
      .regex(DNS_SUBDOMAIN, 'must be a ServiceAccount name')
      .optional(),
    timeouts: z
      .object({
        pipeline: duration.optional(),
        tasks: duration.optional(),
        finally: duration.optional(),
      })
      .strict()
      .optional(),
    workspaces: z.array(workspaceBinding).default([]),
    /** Create the run held (spec.status PipelineRunPending), to start later. */
    pending: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

export const rerunBodySchema = z
  .object({ params: z.record(z.string(), z.unknown()).default({}) })
  .strict();

export const cancelBodySchema = z
  .object({
    mode: z
      .enum(['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally'], {
        error:
          'must be Cancelled (stop now), CancelledRunFinally (stop now, run finally tasks) or StoppedRunFinally (let running tasks finish, run finally tasks)',
      })
      .default('Cancelled'),
  })
  .strict();

export type StartRunBody = z.infer<typeof startRunBodySchema>;
export type RunsQueryInput = z.infer<typeof runsQuerySchema>;

/** A Tekton v1 Pipeline as the builder sends it; fields Cairn does not model pass through. */
const pipelineObjectSchema = z
  .object({
    apiVersion: z.literal('tekton.dev/v1', {
      error: 'must be tekton.dev/v1: the builder writes Tekton v1 Pipelines',
    }),
    kind: z.literal('Pipeline', { error: 'must be Pipeline' }),
    metadata: z
      .object({
        name: z
          .string()
          .regex(DNS_SUBDOMAIN, 'must be a Pipeline name')
          .max(253, 'must be at most 253 characters')
          .optional(),
        namespace: z
          .string()
          .regex(DNS_LABEL, 'must be a namespace name')
          .optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .passthrough(),
    spec: z.object({}).passthrough(),
  })
  .passthrough();

export const createPipelineBodySchema = z
  .object({
    cluster: z.string().min(1, 'is required: the cluster to create it in'),
    namespace: z.string().regex(DNS_LABEL, 'must be a namespace name'),
    pipeline: pipelineObjectSchema.refine(p => Boolean(p.metadata.name), {
      message: 'metadata.name is required: the name of the new Pipeline',
      path: ['metadata', 'name'],
    }),
  })
  .strict();

export const updatePipelineBodySchema = z
  .object({
    pipeline: pipelineObjectSchema,
    resourceVersion: z
      .string({
        error:
          'is required: the metadata.resourceVersion of the Pipeline as you loaded it',
      })
      .min(
        1,
        'is required: the metadata.resourceVersion of the Pipeline as you loaded it',
      ),
  })
  .strict();

export const tasksQuerySchema = z.object({
  entityRef: entityRefSchema,
  cluster: z.string({ error: 'is required: the cluster' }).min(1),
  namespace: z
    .string({ error: 'is required: the namespace of the Tasks' })
    .regex(DNS_LABEL, 'must be a namespace name'),
});

export type CreatePipelineBody = z.infer<typeof createPipelineBodySchema>;
export type UpdatePipelineBody = z.infer<typeof updatePipelineBodySchema>;
