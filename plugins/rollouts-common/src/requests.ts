import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { STONE_STAGES } from '@cairn/operators-api';
import { dns1123LabelErrors } from '@cairn/plugin-kubernetes-common';
import { entityRefSchema, objectPathSchema } from '@cairn/request-schemas';
import { z } from 'zod';

/*
 * What the rollouts API accepts, as zod schemas: the backend validates
 * requests with them, the frontend's request types are inferred from them,
 * and the OpenAPI document is generated from them. Names, entity refs and
 * the issue wording are every Cairn API's (@cairn/request-schemas).
 */

/** Query of `GET /stones`: without `entityRef`, every Stone the caller may read. @public */
export const stonesQuerySchema = z
  .object({ entityRef: entityRefSchema.optional() })
  .strict();

/** Query of `GET /stones` as the frontend sends it. @public */
export type StonesQuery = z.input<typeof stonesQuerySchema>;

/**
 * Query of one Stone's routes (`GET /stones/:cluster/:namespace/:name` and
 * its actions): the entity the Stone belongs to (a list entry's
 * `entityRef`), on which the permission is checked.
 * @public
 */
export const stoneQuerySchema = z
  .object({ entityRef: entityRefSchema })
  .strict();

/** Query of one Stone's routes as the frontend sends it. @public */
export type StoneQuery = z.input<typeof stoneQuerySchema>;

/** Path of one Stone: `/stones/:cluster/:namespace/:name`. @public */
export const stonePathSchema = objectPathSchema;

/** Where a Stone is: its cluster, namespace and name. @public */
export type StonePath = z.input<typeof stonePathSchema>;

const resourceVersion = z
  .string({
    error:
      "is required: the Stone's metadata.resourceVersion the change was decided on",
  })
  .min(
    1,
    "is required: the Stone's metadata.resourceVersion the change was decided on",
  );

/*
 * Optional: the Stone's metadata.generation the change was decided on. The
 * operator writes status all through an update, and every status write
 * bumps resourceVersion; with `generation` only a change of the spec since
 * the user looked makes the view stale, so Pause mid-update is not refused
 * because a pod became ready meanwhile.
 */
const generation = z
  .number({ error: "must be the Stone's metadata.generation (a number)" })
  .int("must be the Stone's metadata.generation (a whole number)")
  .nonnegative("must be the Stone's metadata.generation (0 or more)")
  .optional()
  .describe(
    "The Stone's metadata.generation the change was decided on: when given, only a spec change since then makes the request stale (409), not the operator's status writes",
  );

const force = z
  .boolean({ error: 'must be true or false' })
  .optional()
  .describe(
    'Act although the operator reports the Stone Degraded or its stage incomplete',
  );

const stage = z.enum(STONE_STAGES, {
  error: `must be one of ${STONE_STAGES.join(', ')}`,
});

/** Body of `POST /stones/:cluster/:namespace/:name/approve`. @public */
export const approveStageBodySchema = z
  .object({
    /** The next stage: the one `spec.strategy` becomes. */
    stage: stage.describe('The stage approved: the one after spec.strategy'),
    resourceVersion,
    generation,
    comment: z
      .string({ error: 'must be text' })
      .max(500, 'must be at most 500 characters')
      .optional(),
    force,
  })
  .strict();

/** Body of an approval. @public */
export type ApproveStageRequest = z.input<typeof approveStageBodySchema>;

// The grammar of a container image reference as the distribution project
// defines it: [domain[:port]/]path[:tag][@digest].
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST =
  '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
/** @public */
export const IMAGE_REFERENCE_PATTERN = `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`;
const IMAGE_REFERENCE = new RegExp(IMAGE_REFERENCE_PATTERN);
/** Longest repository name (without tag and digest) a registry accepts. */
const IMAGE_NAME_MAX_LENGTH = 255;

/**
 * Why `image` is not a container image reference, or undefined if it is one
 * (`registry.example.com:5000/team/app:1.2@sha256:…`).
 * @public
 */
export function imageReferenceError(image: string): string | undefined {
  if (image.trim() === '') return 'must be an image reference, e.g. nginx:1.27';
  if (!IMAGE_REFERENCE.test(image)) {
    return `"${image}" is not an image reference: expected [registry/]name[:tag][@digest], lowercase name, e.g. registry.example.com/team/app:1.2`;
  }
  const name = image.split('@')[0].replace(/:[\w][\w.-]*$/, '');
  if (name.length > IMAGE_NAME_MAX_LENGTH) {
    return `the repository name must be at most ${IMAGE_NAME_MAX_LENGTH} characters`;
  }
  return undefined;
}

const imageReference = z
  .string({ error: 'must be an image reference, e.g. nginx:1.27' })
  .superRefine((value, ctx) => {
    const error = imageReferenceError(value);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  })
  .meta({ pattern: IMAGE_REFERENCE_PATTERN });

const containerName = z.string().superRefine((value, ctx) => {
  for (const message of dns1123LabelErrors(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `container name ${JSON.stringify(value)}: ${message}`,
    });
  }
});

/**
 * A pod template as Kubernetes' API takes it; the fields not named here pass
 * through, and the cluster validates them.
 */
const podTemplateSchema = z
  .object({
    metadata: z
      .object({
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .passthrough()
      .optional(),
    spec: z
      .object({
        containers: z
          .array(z.object({ name: containerName }).passthrough())
          .min(1, 'must list at least one container'),
      })
      .passthrough(),
  })
  .passthrough();

/** Body of `POST /stones/:cluster/:namespace/:name/update`. @public */
export const startUpdateBodySchema = z
  .object({
    resourceVersion,
    generation,
    /** New image by container name, applied on top of `template` (or the Stone's template). */
    images: z
      .record(z.string(), imageReference)
      .superRefine((images, ctx) => {
        if (Object.keys(images).length === 0) {
          ctx.addIssue({
            code: 'custom',
            message: 'must name at least one container and its new image',
          });
        }
        // zod reports a record key's own issues only as "Invalid key".
        for (const name of Object.keys(images)) {
          for (const message of dns1123LabelErrors(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `container name ${JSON.stringify(name)}: ${message}`,
            });
          }
        }
      })
      .describe(
        "New image by container name, set on `template` (or, without it, on the Stone's template)",
      ),
    /** The whole new pod template, for changes besides images. */
    template: podTemplateSchema
      .optional()
      .describe(
        'The new pod template, when the update changes more than images',
      ),
    force,
  })
  .strict();

/** Body of a start of a staged update. @public */
export type StartUpdateRequest = Omit<
  z.input<typeof startUpdateBodySchema>,
  'template'
> & { template?: V1PodTemplateSpec };

/** Body of `POST …/pause`, `…/resume` and `…/abort`. @public */
export const stoneActionBodySchema = z
  .object({ resourceVersion, generation, force })
  .strict();

/** Body of a pause, resume or abort. @public */
export type StoneActionRequest = z.input<typeof stoneActionBodySchema>;

/** Body of `POST /stones/:cluster/:namespace/:name/rollback`. @public */
export const rollbackBodySchema = z
  .object({
    resourceVersion,
    generation,
    revision: z
      .string({
        error: 'is required: the name of the ControllerRevision to go back to',
      })
      .min(1, 'is required: the name of the ControllerRevision to go back to'),
    force,
  })
  .strict();

/** Body of a rollback. @public */
export type RollbackRequest = z.input<typeof rollbackBodySchema>;
