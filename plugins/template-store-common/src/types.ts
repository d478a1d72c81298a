/** The kinds of Tekton objects the store holds, spelled as Tekton does. @public */
export const TEMPLATE_KINDS = ['Task', 'Pipeline', 'StepAction'] as const;

/** @public */
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** A param of a Task, Pipeline or StepAction, for the docs. @public */
export interface TemplateParamDoc {
  name: string;
  type: string;
  description?: string;
  /** The default, as YAML would print it (a string, or JSON of an array/object). */
  default?: string;
}

/** @public */
export interface TemplateResultDoc {
  name: string;
  type: string;
  description?: string;
}

/** @public */
export interface TemplateWorkspaceDoc {
  name: string;
  description?: string;
  optional: boolean;
  readOnly: boolean;
}

/** What the store reads from a template's YAML. @public */
export interface TemplateDocs {
  kind: TemplateKind;
  /** `tekton.dev/v1` or `tekton.dev/v1beta1`. */
  apiVersion: string;
  name: string;
  displayName?: string;
  description?: string;
  categories: string[];
  tags: string[];
  platforms: string[];
  /** `tekton.dev/pipelines.minVersion`. */
  minPipelinesVersion?: string;
  params: TemplateParamDoc[];
  results: TemplateResultDoc[];
  workspaces: TemplateWorkspaceDoc[];
}

/** One template in the list. @public */
export interface TemplateSummary {
  kind: TemplateKind;
  name: string;
  /** A catalog group ref, e.g. `group:default/platform`. */
  owner: string;
  displayName?: string;
  description?: string;
  categories: string[];
  tags: string[];
  platforms: string[];
  latestVersion: string;
  stars: number;
  /** Whether the signed-in user starred it. */
  starred: boolean;
  /** How many pipelines in the watched clusters use it; filled once usage is tracked. */
  usage: number;
  forkedFrom?: { kind: TemplateKind; name: string; version: string };
  updatedAt: string;
}

/** @public */
export interface TemplateVersionSummary {
  version: string;
  apiVersion: string;
  digest: string;
  minPipelinesVersion?: string;
  deprecated: boolean;
  createdBy: string;
  createdAt: string;
}

/** A template with its versions, newest first. @public */
export interface TemplateDetail extends TemplateSummary {
  versions: TemplateVersionSummary[];
}

/** One version: its YAML byte for byte, README and docs. @public */
export interface TemplateVersionDetail extends TemplateVersionSummary {
  kind: TemplateKind;
  name: string;
  yaml: string;
  readme?: string;
  docs: TemplateDocs;
}

/** @public */
export interface TemplateList {
  items: TemplateSummary[];
  totalCount: number;
}

/** @public */
export interface TemplateFacets {
  kinds: Array<{ value: string; count: number }>;
  categories: Array<{ value: string; count: number }>;
  tags: Array<{ value: string; count: number }>;
  platforms: Array<{ value: string; count: number }>;
  owners: Array<{ value: string; count: number }>;
}

/** What happened to one file of an import. @public */
export interface ImportFileOutcome {
  path: string;
  outcome: 'added' | 'unchanged' | 'rejected';
  kind?: TemplateKind;
  name?: string;
  version?: string;
  /** Why it was rejected. */
  reason?: string;
}

/** @public */
export interface ImportReport {
  id: string;
  source: string;
  startedAt: string;
  finishedAt: string;
  added: number;
  unchanged: number;
  rejected: number;
  files: ImportFileOutcome[];
}

/** Line diff between two versions' YAML. @public */
export interface VersionDiff {
  from: string;
  to: string;
  /** Unified diff of the two YAML texts. */
  patch: string;
}

/** A pipeline in a watched cluster that uses a template version. @public */
export interface TemplateUsage {
  kind: TemplateKind;
  name: string;
  version: string;
  cluster: string;
  namespace: string;
  /** The Pipeline's name. */
  pipeline: string;
  /** The catalog entity whose Pipeline it is, when one's annotations select it. */
  entityRef?: string;
}

/** `GET /templates/:kind/:name/usage`. @public */
export interface TemplateUsageList {
  items: TemplateUsage[];
}
