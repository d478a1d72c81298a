import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { TEMPLATE_KINDS } from './types';
import { versionError } from './versions';

/*
 * What the template store API accepts, as zod schemas: the backend parses
 * requests with them, the frontend's request types are inferred from them,
 * and the OpenAPI document is generated from them.
 */

/** @public */
export const TEMPLATE_SORTS = ['name', 'stars', 'updated'] as const;

/** Templates per page of the list. @public */
export const TEMPLATE_PAGE_SIZE = 24;

const kind = z.enum(TEMPLATE_KINDS, {
  error: `must be one of ${TEMPLATE_KINDS.join(', ')} (as Tekton spells it)`,
});

const templateName = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'a lowercase RFC 1123 subdomain',
  );

const version = z.string().superRefine((value, ctx) => {
  const error = versionError(value);
  if (error) ctx.addIssue({ code: 'custom', message: error });
});

/** A catalog group ref, normalised (`group:default/platform`). @public */
export const groupRefSchema = z
  .string({
    error: 'is required: the owner group, e.g. group:default/platform',
  })
  .transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value, { defaultKind: 'group' });
      if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
        ctx.addIssue({ code: 'custom', message: 'must be a group ref' });
        return z.NEVER;
      }
      return stringifyEntityRef(ref);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** `GET /templates`. @public */
export const listTemplatesQuerySchema = z
  .object({
    search: z
      .string()
      .max(200)
      .optional()
      .describe(
        'Substrings of name, display name, description or tags (all words must match)',
      ),
    kind: kind.optional(),
    category: z.string().optional(),
    tag: z.string().optional(),
    platform: z.string().optional(),
    owner: z.string().optional().describe('The owner group ref'),
    starred: z
      .enum(['true', 'false'])
      .optional()
      .describe('Only the templates the caller starred'),
    sort: z.enum(TEMPLATE_SORTS).default('name'),
    page: z.coerce.number().int().min(1).default(1),
  })
  .strict();

/** @public */
export type ListTemplatesQuery = z.input<typeof listTemplatesQuerySchema>;

/** `/templates/:kind/:name`. @public */
export const templatePathSchema = z.object({ kind, name: templateName });

/** `/templates/:kind/:name/versions/:version`. @public */
export const versionPathSchema = z.object({
  kind,
  name: templateName,
  version,
});

/** `GET …/diff?from=&to=`. @public */
export const diffQuerySchema = z
  .object({ from: version, to: version })
  .strict();

const YAML_MISSING = 'is required: the Task, Pipeline or StepAction YAML';

/** `POST /templates`: publish pasted YAML as a version. @public */
export const publishBodySchema = z
  .object({
    owner: groupRefSchema,
    version,
    yaml: z.string({ error: YAML_MISSING }).min(1, YAML_MISSING),
    readme: z
      .string()
      .max(256 * 1024)
      .optional(),
  })
  .strict();

/** @public */
export type PublishRequest = z.input<typeof publishBodySchema>;

/** `POST …/versions/:version/deprecation`. @public */
export const deprecateBodySchema = z
  .object({ deprecated: z.boolean() })
  .strict();

/** `POST /templates/:kind/:name/forks`. @public */
export const forkBodySchema = z
  .object({
    owner: groupRefSchema,
    name: templateName,
    version: version.describe('The version to fork'),
  })
  .strict();

/** @public */
export type ForkRequest = z.input<typeof forkBodySchema>;

/** `GET /imports/:id`. @public */
export const importPathSchema = z.object({ id: z.string().uuid() });
