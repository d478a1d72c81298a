import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  DELETION_POLICIES,
  invalidQuantities,
  TENANT_ROLES,
} from '@cairn/operators-api';
import {
  clusterNameSchema,
  dns1123LabelSchema,
  dns1123SubdomainSchema,
} from '@cairn/request-schemas';
import { z } from 'zod';

/*
 * What the environments API accepts, as zod schemas: the backend validates
 * requests with them, the frontend's request types are inferred from them
 * (and its form checks a draft with them), and the OpenAPI document is
 * generated from them. Names and quantities are refused with Kubernetes'
 * own wording, so the portal says what the API server would.
 */

const clusterName = clusterNameSchema();

/**
 * An Environment's name: a DNS-1123 label, since it also names the node
 * label binding its nodes (`env.tenancy.cairn.dev/<name>`).
 * @public
 */
export const environmentNameSchema = dns1123LabelSchema(
  "is required: the environment's name",
);

const GROUP_REF_MISSING =
  'is required: a catalog group, e.g. group:default/team-storefront';

/** A catalog group ref, normalised (`team-x` → `group:default/team-x`). @public */
export const groupRefSchema = z
  .string({ error: GROUP_REF_MISSING })
  .min(1, GROUP_REF_MISSING)
  .transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value, { defaultKind: 'group' });
      if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is a ${ref.kind}, not a group; use group:namespace/name`,
        });
        return z.NEVER;
      }
      return stringifyEntityRef(ref);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a group ref; use group:namespace/name, e.g. group:default/team-storefront`,
      });
      return z.NEVER;
    }
  });

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `value` cannot be a label value (Kubernetes' wording), if it cannot. @public */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345')",
    );
  }
  return errors;
}

const labelValue = z
  .string({ error: 'must be a node label value' })
  .min(1, 'must not be empty')
  .superRefine((value, ctx) => {
    for (const message of labelValueErrors(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
      });
    }
  });

const labelValues = (description: string) =>
  z
    .array(labelValue)
    .refine(values => new Set(values).size === values.length, {
      message: 'lists a value twice',
    })
    .optional()
    .describe(description);

/** A placement: zone, rack and host label values, any mix. @public */
export const placementSchema = z
  .object({
    zones: labelValues('Zone label values'),
    racks: labelValues('Rack label values'),
    hosts: labelValues('Host label values'),
  })
  .strict();

/**
 * A resource list (ResourceQuota `hard`, LimitRange items): resource names
 * to quantities, each checked as Kubernetes parses one (`100Gi`, `500m`).
 * @public
 */
export const resourceListSchema = z
  .record(
    z.string().min(1, 'a resource name must not be empty'),
    z
      .union([z.string(), z.number()], {
        error: 'must be a quantity, e.g. 4, 500m or 100Gi',
      })
      .transform(String),
  )
  .superRefine((list, ctx) => {
    for (const { resource, message } of invalidQuantities(list)) {
      ctx.addIssue({
        code: 'custom',
        path: [resource],
        message: `Invalid value: ${JSON.stringify(list[resource])}: ${message}`,
      });
    }
  });

/** The spec of an Environment as ops write it. @public */
export const environmentSpecSchema = z
  .object({
    namespace: dns1123LabelSchema(
      'is required: the namespace the environment is',
    ),
    owner: groupRefSchema.describe('The owning team, a catalog group ref'),
    tenants: z
      .array(
        z
          .object({
            group: groupRefSchema,
            role: z.enum(TENANT_ROLES, {
              error: `must be one of ${TENANT_ROLES.join(', ')}`,
            }),
          })
          .strict(),
      )
      .refine(
        tenants => new Set(tenants.map(t => t.group)).size === tenants.length,
        { message: 'lists a group twice; give each group one role' },
      )
      .optional()
      .describe('Teams given the admin, edit or view role in the namespace'),
    placement: placementSchema.optional(),
    storageClasses: z
      .array(dns1123SubdomainSchema('must be a StorageClass name'))
      .optional()
      .describe(
        'The StorageClasses claims may use; absent: all, []: none (every other class gets a quota of 0)',
      ),
    quota: resourceListSchema
      .optional()
      .describe("The ResourceQuota's hard limits"),
    limits: z
      .object({
        default: resourceListSchema.optional(),
        defaultRequest: resourceListSchema.optional(),
        max: resourceListSchema.optional(),
      })
      .strict()
      .optional()
      .describe("The LimitRange's Container item"),
    deletionPolicy: z
      .enum(DELETION_POLICIES, {
        error: `must be one of ${DELETION_POLICIES.join(', ')}`,
      })
      .optional(),
  })
  .strict();

/** An Environment's spec as the frontend sends it. @public */
export type EnvironmentSpecRequest = z.input<typeof environmentSpecSchema>;

/** Query of `GET /environments`. @public */
export const environmentsQuerySchema = z
  .object({
    cluster: clusterName.optional(),
    group: groupRefSchema
      .optional()
      .describe(
        'Only the environments this group owns or is a tenant of (a team page)',
      ),
  })
  .strict();

/** @public */
export type EnvironmentsQuery = z.input<typeof environmentsQuerySchema>;

/** Path of one Environment: `/environments/:cluster/:name`. @public */
export const environmentPathSchema = z.object({
  cluster: clusterName,
  name: environmentNameSchema,
});

/** @public */
export type EnvironmentPath = z.input<typeof environmentPathSchema>;

/** Body of `POST /environments/:cluster`. @public */
export const createEnvironmentBodySchema = z
  .object({ name: environmentNameSchema, spec: environmentSpecSchema })
  .strict();

/** @public */
export type CreateEnvironmentRequest = z.input<
  typeof createEnvironmentBodySchema
>;

const resourceVersion = z
  .string({
    error:
      "is required: the Environment's metadata.resourceVersion the edit was made on",
  })
  .min(
    1,
    "is required: the Environment's metadata.resourceVersion the edit was made on",
  );

/** Body of `PUT /environments/:cluster/:name`: the whole new spec. @public */
export const updateEnvironmentBodySchema = z
  .object({ resourceVersion, spec: environmentSpecSchema })
  .strict();

/** @public */
export type UpdateEnvironmentRequest = z.input<
  typeof updateEnvironmentBodySchema
>;

/** Path of a cluster's routes: `/clusters/:cluster/...`. @public */
export const clusterPathSchema = z.object({ cluster: clusterName });

/** Empty query. @public */
export const emptyQuerySchema = z.object({}).strict();

const optionalLabel = (what: string) =>
  z
    .union([labelValue, z.null()])
    .optional()
    .describe(`The ${what} label value to write; null removes the label`);

/** Body of `POST /clusters/:cluster/nodes/labels`. @public */
export const labelNodesBodySchema = z
  .object({
    nodes: z
      .array(z.string().min(1, 'a node name must not be empty'), {
        error: 'is required: the names of the nodes to label',
      })
      .min(1, 'is required: at least one node'),
    zone: optionalLabel('zone'),
    rack: optionalLabel('rack'),
    host: optionalLabel('host'),
  })
  .strict()
  .refine(
    body =>
      body.zone !== undefined ||
      body.rack !== undefined ||
      body.host !== undefined,
    { message: 'names no label to write: give zone, rack or host' },
  );

/** @public */
export type LabelNodesRequest = z.input<typeof labelNodesBodySchema>;
