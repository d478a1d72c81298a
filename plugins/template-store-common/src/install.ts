import { parse } from 'yaml';
import { z } from 'zod';
import { TemplateKind } from './types';

/**
 * What the store writes on a Task, Pipeline or StepAction it installs, so
 * that the portal knows later which template and version an object came
 * from (for "used by", and to say what an install would replace).
 * @public
 */
export const TEMPLATE_ANNOTATIONS = {
  /** `Task/git-clone`: the template's kind and name in the store. */
  template: 'cairn.dev/template',
  /** The version installed. */
  version: 'cairn.dev/template-version',
  /** The `sha256:` digest of that version's YAML. */
  digest: 'cairn.dev/template-digest',
} as const;

/** The label the Tekton catalog's READMEs install a version with. @public */
export const TEMPLATE_VERSION_LABEL = 'app.kubernetes.io/version';

/** A template and version, as an installed object names it. @public */
export interface TemplateVersionRef {
  kind: TemplateKind;
  name: string;
  version: string;
}

/** `Task/git-clone`. @public */
export function templateKey(ref: { kind: TemplateKind; name: string }) {
  return `${ref.kind}/${ref.name}`;
}

/**
 * The template and version an object (or an embedded `taskSpec`'s
 * metadata) says it was installed from, if it says so.
 * @public
 */
export function installedFrom(metadata?: {
  annotations?: Record<string, string>;
}): TemplateVersionRef | undefined {
  const annotations = metadata?.annotations ?? {};
  const key = annotations[TEMPLATE_ANNOTATIONS.template];
  const version = annotations[TEMPLATE_ANNOTATIONS.version];
  const match = /^(Task|Pipeline|StepAction)\/(.+)$/.exec(key ?? '');
  if (!match || !version) return undefined;
  return { kind: match[1] as TemplateKind, name: match[2], version };
}

type Json = Record<string, any>;

/**
 * The object to install from a version's YAML: named as the template, in
 * the target namespace, with the catalog's version label, the annotations
 * naming the template, and `labels` (the entity's, so its pages find it).
 * Pure: the builder embeds the same object's spec.
 * @public
 */
export function templateObject(
  yaml: string,
  template: TemplateVersionRef & { digest: string },
  target: { namespace?: string; labels?: Record<string, string> } = {},
): Json {
  // The store accepted this YAML, parsed safely, when it was published.
  const object = parse(yaml, { customTags: [], schema: 'core' }) as Json;
  const metadata: Json = object.metadata ?? {};
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: template.name,
      ...(target.namespace ? { namespace: target.namespace } : {}),
      labels: {
        ...metadata.labels,
        ...target.labels,
        [TEMPLATE_VERSION_LABEL]: template.version,
      },
      annotations: {
        ...metadata.annotations,
        [TEMPLATE_ANNOTATIONS.template]: templateKey(template),
        [TEMPLATE_ANNOTATIONS.version]: template.version,
        [TEMPLATE_ANNOTATIONS.digest]: template.digest,
      },
    },
    spec: object.spec,
  };
}

const dns1123Label = z
  .string()
  .min(1, 'is required')
  .max(63)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'a lowercase RFC 1123 label (letters, digits and "-")',
  );

/** `POST /templates/:kind/:name/versions/:version/installs`. @public */
export const installBodySchema = z
  .object({
    entityRef: z
      .string({ error: 'is required: the catalog entity the install is for' })
      .min(1)
      .describe(
        'The catalog entity the install is for: the caller needs templates.install on it, and the namespace must be one of its',
      ),
    cluster: z.string({ error: 'is required: the cluster' }).min(1),
    namespace: dns1123Label,
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'Preview: what is there now, whether it differs and how; nothing is written',
      ),
    replace: z
      .string()
      .optional()
      .describe(
        'The resourceVersion of the object the preview showed: replace it (refused if it changed since)',
      ),
  })
  .strict();

/** @public */
export type InstallRequest = z.input<typeof installBodySchema>;

/** `GET /install-targets?entityRef=`. @public */
export const installTargetsQuerySchema = z
  .object({ entityRef: z.string().min(1) })
  .strict();

/** Where an entity's installs may go. @public */
export interface InstallTargets {
  clusters: string[];
  /** The entity's namespace (its backstage.io/kubernetes-namespace), if it has one. */
  namespace?: string;
}

/** What an install found, would do, or did. @public */
export interface InstallResult {
  /** `preview` for a dry run; `unchanged` when the same object is there. */
  outcome: 'preview' | 'created' | 'replaced' | 'unchanged';
  cluster: string;
  namespace: string;
  kind: TemplateKind;
  name: string;
  version: string;
  /** The object as the cluster stores it (or would). */
  object: Json;
  /** The object of that kind and name already in the namespace. */
  existing?: {
    resourceVersion: string;
    /** The template and version it was installed from, if from the store. */
    installedFrom?: TemplateVersionRef;
    /** Whether installing would change it. */
    differs: boolean;
    /** A unified diff of its labels, annotations and spec against the install's. */
    diff: string;
  };
}

/** `GET /cluster-templates/:cluster/:namespace/:kind/:name?entityRef=`: a Task or Pipeline of a cluster, to publish. @public */
export const clusterTemplatePathSchema = z.object({
  cluster: z.string().min(1),
  namespace: dns1123Label,
  kind: z.enum(['Task', 'Pipeline'], {
    error: 'must be Task or Pipeline (as Tekton spells it)',
  }),
  name: z.string().min(1).max(253),
});

/** @public */
export const clusterTemplateQuerySchema = z
  .object({
    entityRef: z
      .string()
      .min(1)
      .describe('The catalog entity whose namespace the object is in'),
  })
  .strict();

/** A cluster object as template YAML, ready to publish. @public */
export interface ClusterTemplate {
  kind: TemplateKind;
  name: string;
  yaml: string;
}
