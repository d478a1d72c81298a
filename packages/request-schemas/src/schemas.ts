import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_LABEL_PATTERN,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  DNS1123_SUBDOMAIN_PATTERN,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
} from '@cairn/plugin-kubernetes-common';
import { z } from 'zod';

/*
 * The pieces every Cairn API's request schemas are made of. The backends
 * validate requests with those schemas, the frontends infer their request
 * types from them (and check forms with them), the OpenAPI documents are
 * generated from them: so the wording of a problem is one, whichever API
 * or page reports it.
 */

/**
 * What is wrong with a request, one message per problem, each prefixed with
 * the field it is about (`timeouts.pipeline: must be a duration ...`).
 * @public
 */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map(issue => {
    const path = issue.path.join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/**
 * A Kubernetes name checked by one of Kubernetes' validators, refused with its
 * wording (`Invalid value: "Foo": a lowercase RFC 1123 ...`). The pattern and
 * length also go into the JSON schema of the OpenAPI document.
 */
function kubernetesName(
  errorsOf: (value: string) => string[],
  shape: { pattern: string; maxLength: number },
  missing: string,
) {
  return z
    .string({ error: missing })
    .superRefine((value, ctx) => {
      for (const message of errorsOf(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
        });
      }
    })
    .meta(shape);
}

const LABEL_SHAPE = {
  pattern: DNS1123_LABEL_PATTERN,
  maxLength: DNS1123_LABEL_MAX_LENGTH,
};
const SUBDOMAIN_SHAPE = {
  pattern: DNS1123_SUBDOMAIN_PATTERN,
  maxLength: DNS1123_SUBDOMAIN_MAX_LENGTH,
};

/**
 * A name that must be a DNS-1123 label (a namespace, an Environment),
 * refused in Kubernetes' wording; `missing` says what to give when absent.
 * @public
 */
export const dns1123LabelSchema = (missing: string) =>
  kubernetesName(dns1123LabelErrors, LABEL_SHAPE, missing);

/**
 * A name that must be a DNS-1123 subdomain (most object names: PipelineRun,
 * Pipeline, ServiceAccount, StorageClass), refused in Kubernetes' wording.
 * @public
 */
export const dns1123SubdomainSchema = (missing: string) =>
  kubernetesName(dns1123SubdomainErrors, SUBDOMAIN_SHAPE, missing);

/** A namespace name: a DNS-1123 label. @public */
export const namespaceNameSchema = (missing = 'is required: the namespace') =>
  dns1123LabelSchema(missing);

/** The name of a cluster of the portal's `kubernetes` config. @public */
export const clusterNameSchema = (missing = 'is required: the cluster name') =>
  z.string({ error: missing }).min(1, missing);

const ENTITY_REF_MISSING =
  'is required: the catalog entity it belongs to, e.g. component:default/shop';

/** A catalog entity ref, normalised (`component:default/shop`). @public */
export const entityRefSchema = z
  .string({ error: ENTITY_REF_MISSING })
  .min(1, ENTITY_REF_MISSING)
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

/** Path of a namespaced object (a run, a Pipeline, a Stone): `/:cluster/:namespace/:name`. @public */
export const objectPathSchema = z.object({
  cluster: clusterNameSchema(),
  namespace: namespaceNameSchema(),
  name: dns1123SubdomainSchema('is required: the object name'),
});

/** Where a namespaced object is: its cluster, namespace and name. @public */
export type ObjectPath = z.input<typeof objectPathSchema>;
