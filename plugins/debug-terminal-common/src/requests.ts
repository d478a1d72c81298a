import { DEBUG_MODES, DEBUG_PROFILES } from '@cairn/operators-api';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
} from '@cairn/plugin-kubernetes-common';
import {
  clusterNameSchema,
  entityRefSchema,
  objectPathSchema,
} from '@cairn/request-schemas';
import { z } from 'zod';

/*
 * What the debug terminal API accepts, as zod schemas: the backend validates
 * requests with them, the frontend's request types are inferred from them,
 * and the OpenAPI document is generated from them. Names, entity refs and the
 * issue wording are every Cairn API's (@cairn/request-schemas).
 */

/** A Kubernetes name refused with Kubernetes' own wording. */
function kubernetesName(errorsOf: (value: string) => string[], what: string) {
  const missing = `is required: ${what}`;
  return z
    .string({ error: missing })
    .min(1, missing)
    .superRefine((value, ctx) => {
      for (const message of errorsOf(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
        });
      }
    });
}

const cluster = clusterNameSchema();
const namespace = kubernetesName(dns1123LabelErrors, 'the namespace');
const pod = kubernetesName(dns1123SubdomainErrors, 'the pod name');
const container = kubernetesName(dns1123LabelErrors, 'the container name');

/** Where a container is, and the entity it is checked against. @public */
export const containerTargetSchema = z
  .object({
    entityRef: entityRefSchema,
    cluster,
    namespace,
    pod,
    container,
  })
  .strict();

/**
 * Body of `POST /sessions`: a toolkit of the configured catalog (anyone
 * allowed to debug the entity) or an image outside it (ops only).
 * @public
 */
export const createSessionBodySchema = containerTargetSchema
  .extend({
    toolkit: z
      .string({ error: 'must be the name of a toolkit' })
      .min(1)
      .optional(),
    image: z
      .string({ error: 'must be an image reference' })
      .regex(/^\S+$/, 'must be an image reference without spaces')
      .optional(),
    profile: z
      .enum(DEBUG_PROFILES, {
        error: `must be one of ${DEBUG_PROFILES.join(', ')}`,
      })
      .optional(),
    mode: z
      .enum(DEBUG_MODES, { error: `must be one of ${DEBUG_MODES.join(', ')}` })
      .optional(),
    ttlSeconds: z
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .positive('must be a positive number of seconds')
      .optional(),
  })
  .strict()
  .refine(body => (body.toolkit === undefined) !== (body.image === undefined), {
    message: 'name exactly one of toolkit and image',
    path: ['toolkit'],
  });

/** Body of `POST /sessions` as the frontend sends it. @public */
export type CreateSessionRequest = z.input<typeof createSessionBodySchema>;
/** Body of `POST /sessions` once validated. @public */
export type CreateSessionBody = z.output<typeof createSessionBodySchema>;

/** Query of `GET /sessions`: the sessions of one entity. @public */
export const sessionsQuerySchema = z
  .object({ entityRef: entityRefSchema })
  .strict();

/** @public */
export type SessionsQuery = z.input<typeof sessionsQuerySchema>;

/** Query of `GET /pods`: the pods of one entity. @public */
export const podsQuerySchema = sessionsQuerySchema;

/** @public */
export type PodsQuery = z.input<typeof podsQuerySchema>;

/** Path of one session: `/sessions/:cluster/:namespace/:name`. @public */
export const sessionPathSchema = objectPathSchema;

/** @public */
export type SessionPath = z.input<typeof sessionPathSchema>;

/** Query of one session's routes (and its attach socket): the entity it belongs to. @public */
export const sessionQuerySchema = z
  .object({ entityRef: entityRefSchema })
  .strict();

/** @public */
export type SessionQuery = z.input<typeof sessionQuerySchema>;

/** Query of the plain shell socket (`/shell`). @public */
export const shellQuerySchema = containerTargetSchema;

/** @public */
export type ShellQuery = z.input<typeof shellQuerySchema>;

/** Path of a recording: `/recordings/:id`. @public */
export const recordingPathSchema = z
  .object({
    id: z.coerce
      .number({ error: 'must be a recording id' })
      .int('must be a recording id')
      .positive('must be a recording id'),
  })
  .strict();

/** Query of `GET /recordings`. @public */
export const recordingsQuerySchema = z
  .object({ entityRef: entityRefSchema.optional() })
  .strict();

/**
 * A message the browser sends on a terminal socket besides keystrokes
 * (which travel as binary frames): the terminal's new size.
 * @public
 */
export const terminalControlMessageSchema = z
  .object({
    type: z.literal('resize'),
    cols: z.number().int().positive().max(1000),
    rows: z.number().int().positive().max(1000),
  })
  .strict();

/** @public */
export type TerminalControlMessage = z.input<
  typeof terminalControlMessageSchema
>;
