import {
  deprecateBodySchema,
  diffQuerySchema,
  forkBodySchema,
  importPathSchema,
  clusterTemplatePathSchema,
  clusterTemplateQuerySchema,
  installBodySchema,
  installTargetsQuerySchema,
  listTemplatesQuerySchema,
  publishBodySchema,
  TEMPLATE_KINDS,
  templatePathSchema,
  versionPathSchema,
} from '@cairn/plugin-template-store-common';
import {
  buildOpenApiDocument as buildDocument,
  COMMON_ERROR_RESPONSES,
  CLUSTER_UNAVAILABLE_RESPONSE,
  typed as s,
  errorResponse,
  JsonSchema,
  RoutedOperation,
  schemaRef as ref,
} from '@cairn/backend-openapi';
import { z } from 'zod';

/** `POST /imports`'s owner: whose the templates the import creates are. */
export const importQuerySchema = z
  .object({
    owner: z
      .string()
      .optional()
      .describe(
        'The owner group of templates the import creates (default: templateStore.imports.defaultOwner)',
      ),
  })
  .strict();

/**
 * One route of the template store API. The router registers exactly these
 * and parses each input with the schema named here, and the OpenAPI document
 * is built from them, so the two cannot drift.
 */
export interface ApiOperation extends RoutedOperation {
  method: 'get' | 'post' | 'put' | 'delete';
  /** The status and schema of success. */
  success: { status: number; description: string; schema?: JsonSchema };
}

/** The import's request body: the archive itself, or a multipart form with it. */
export const ARCHIVE_BODY = {
  requestBody: {
    required: true,
    description:
      'The archive itself, or a multipart form with it in the field `file`',
    content: {
      'application/gzip': { schema: { type: 'string', format: 'binary' } },
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: { file: { type: 'string', format: 'binary' } },
          required: ['file'],
          additionalProperties: false,
        },
      },
    },
  },
};

export const API_OPERATIONS = {
  listTemplates: {
    method: 'get',
    path: '/templates',
    summary: 'Templates matching the search and filters, a page at a time',
    query: listTemplatesQuerySchema,
    success: {
      status: 200,
      description: 'A page of templates',
      schema: ref('TemplateList'),
    },
  },
  facets: {
    method: 'get',
    path: '/facets',
    summary: 'The kinds, categories, tags, platforms and owners, with counts',
    success: {
      status: 200,
      description: 'The facets',
      schema: ref('TemplateFacets'),
    },
  },
  publish: {
    method: 'post',
    path: '/templates',
    summary:
      'Publish pasted YAML as a new version (a new template if none has its kind and name); versions must increase',
    body: publishBodySchema,
    auditEventId: 'template-publish',
    success: {
      status: 201,
      description: 'The version',
      schema: ref('TemplateVersionDetail'),
    },
  },
  getTemplate: {
    method: 'get',
    path: '/templates/:kind/:name',
    summary: 'A template with its versions, newest first',
    pathParams: templatePathSchema,
    success: {
      status: 200,
      description: 'The template',
      schema: ref('TemplateDetail'),
    },
  },
  getVersion: {
    method: 'get',
    path: '/templates/:kind/:name/versions/:version',
    summary: 'One version: its YAML byte for byte, README and extracted docs',
    pathParams: versionPathSchema,
    success: {
      status: 200,
      description: 'The version',
      schema: ref('TemplateVersionDetail'),
    },
  },
  diff: {
    method: 'get',
    path: '/templates/:kind/:name/diff',
    summary: 'A unified diff of two versions’ YAML',
    pathParams: templatePathSchema,
    query: diffQuerySchema,
    success: {
      status: 200,
      description: 'The diff',
      schema: ref('VersionDiff'),
    },
  },
  deprecate: {
    method: 'put',
    path: '/templates/:kind/:name/versions/:version/deprecated',
    summary: 'Mark a version deprecated, or not',
    pathParams: versionPathSchema,
    body: deprecateBodySchema,
    auditEventId: 'template-deprecate',
    success: { status: 204, description: 'Done' },
  },
  deleteVersion: {
    method: 'delete',
    path: '/templates/:kind/:name/versions/:version',
    summary:
      'Delete a version no pipeline uses (the template goes with its last version)',
    pathParams: versionPathSchema,
    auditEventId: 'template-version-delete',
    success: { status: 204, description: 'Deleted' },
  },
  star: {
    method: 'put',
    path: '/templates/:kind/:name/star',
    summary: 'Star a template as the signed-in user',
    pathParams: templatePathSchema,
    success: { status: 204, description: 'Starred' },
  },
  unstar: {
    method: 'delete',
    path: '/templates/:kind/:name/star',
    summary: 'Remove the signed-in user’s star',
    pathParams: templatePathSchema,
    success: { status: 204, description: 'Unstarred' },
  },
  fork: {
    method: 'post',
    path: '/templates/:kind/:name/forks',
    summary:
      'Copy a version under a new name and owner, remembering where it came from',
    pathParams: templatePathSchema,
    body: forkBodySchema,
    auditEventId: 'template-fork',
    success: {
      status: 201,
      description: 'The fork’s version',
      schema: ref('TemplateVersionDetail'),
    },
  },
  importArchive: {
    method: 'post',
    path: '/imports',
    summary:
      'Import a .tar.gz in the Tekton catalog layout (task/<name>/<version>/<name>.yaml at its root); for ops',
    query: importQuerySchema,
    body: ARCHIVE_BODY,
    auditEventId: 'template-import',
    success: {
      status: 201,
      description: 'What happened to each file',
      schema: ref('ImportReport'),
    },
  },
  getImport: {
    method: 'get',
    path: '/imports/:id',
    summary: 'The report of an import',
    pathParams: importPathSchema,
    success: {
      status: 200,
      description: 'The report',
      schema: ref('ImportReport'),
    },
  },
  listUsage: {
    method: 'get',
    path: '/templates/:kind/:name/usage',
    summary:
      'The Pipelines in the watched clusters that use the template: installed from it, or naming a Task installed from it, or embedding it',
    pathParams: templatePathSchema,
    success: {
      status: 200,
      description: 'The pipelines, by cluster, namespace and name',
      schema: ref('TemplateUsageList'),
    },
  },
  clusterTemplate: {
    method: 'get',
    path: '/cluster-templates/:cluster/:namespace/:kind/:name',
    summary:
      "A Task or Pipeline in a namespace of a catalog entity, as template YAML to publish (POST /templates) as a new version: without its namespace, status, the cluster's bookkeeping and the store's install annotations",
    pathParams: clusterTemplatePathSchema,
    query: clusterTemplateQuerySchema,
    success: {
      status: 200,
      description: 'The YAML',
      schema: ref('ClusterTemplate'),
    },
  },
  installTargets: {
    method: 'get',
    path: '/install-targets',
    summary:
      'The clusters and namespace installs for a catalog entity may go to (permission templates.install on it)',
    query: installTargetsQuerySchema,
    success: {
      status: 200,
      description: 'The targets',
      schema: ref('InstallTargets'),
    },
  },
  install: {
    method: 'post',
    path: '/templates/:kind/:name/versions/:version/installs',
    summary:
      'Install a version into a namespace of a catalog entity (permission templates.install on it), or preview it (dryRun): what is there, whether it differs and how. A different object there is replaced only with `replace` set to the resourceVersion the preview showed',
    pathParams: versionPathSchema,
    body: installBodySchema,
    auditEventId: 'template-install',
    success: {
      status: 200,
      description: 'What the install found and did (or would do)',
      schema: ref('InstallResult'),
    },
  },
} satisfies Record<string, ApiOperation>;

export type OperationId = keyof typeof API_OPERATIONS;

const ERROR_RESPONSES = {
  ...COMMON_ERROR_RESPONSES,
  '404': errorResponse(
    'No such template, version, import or entity, or the cluster does not serve the kind',
  ),
  '409': errorResponse(
    'A version conflict: the version exists with other content, is not above the latest, or is in use; or an install would replace an object not confirmed, changed since its preview, or another entity’s',
  ),
  '503': CLUSTER_UNAVAILABLE_RESPONSE,
  '413': errorResponse(
    'The YAML or the archive is over its size limit, or the archive holds too many files',
  ),
};

const strings = { type: 'array', items: s('string') };
const kindSchema = s('string', { enum: [...TEMPLATE_KINDS] });
const facetValues = {
  type: 'array',
  items: {
    type: 'object',
    properties: { value: s('string'), count: s('integer') },
    required: ['value', 'count'],
    additionalProperties: false,
  },
};
const object = (properties: JsonSchema, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const summaryProperties = {
  kind: kindSchema,
  name: s('string'),
  owner: s('string', { description: 'The owner group ref' }),
  displayName: s('string'),
  description: s('string'),
  categories: strings,
  tags: strings,
  platforms: strings,
  latestVersion: s('string'),
  stars: s('integer'),
  starred: s('boolean', { description: 'Whether the caller starred it' }),
  usage: s('integer', {
    description:
      'How many Pipelines in the watched clusters use it (GET …/usage lists them)',
  }),
  forkedFrom: object(
    { kind: kindSchema, name: s('string'), version: s('string') },
    ['kind', 'name', 'version'],
  ),
  updatedAt: s('string', { format: 'date-time' }),
};
const summaryRequired = [
  'kind',
  'name',
  'owner',
  'categories',
  'tags',
  'platforms',
  'latestVersion',
  'stars',
  'starred',
  'usage',
  'updatedAt',
];
const versionSummaryProperties = {
  version: s('string'),
  apiVersion: s('string', { enum: ['tekton.dev/v1', 'tekton.dev/v1beta1'] }),
  digest: s('string', { pattern: '^sha256:[0-9a-f]{64}$' }),
  minPipelinesVersion: s('string'),
  deprecated: s('boolean'),
  createdBy: s('string'),
  createdAt: s('string', { format: 'date-time' }),
};
const versionSummaryRequired = [
  'version',
  'apiVersion',
  'digest',
  'deprecated',
  'createdBy',
  'createdAt',
];

const docs = object(
  {
    kind: kindSchema,
    apiVersion: s('string'),
    name: s('string'),
    displayName: s('string'),
    description: s('string'),
    categories: strings,
    tags: strings,
    platforms: strings,
    minPipelinesVersion: s('string'),
    params: {
      type: 'array',
      items: object(
        {
          name: s('string'),
          type: s('string'),
          description: s('string'),
          default: s('string'),
        },
        ['name', 'type'],
      ),
    },
    results: {
      type: 'array',
      items: object(
        { name: s('string'), type: s('string'), description: s('string') },
        ['name', 'type'],
      ),
    },
    workspaces: {
      type: 'array',
      items: object(
        {
          name: s('string'),
          description: s('string'),
          optional: s('boolean'),
          readOnly: s('boolean'),
        },
        ['name', 'optional', 'readOnly'],
      ),
    },
  },
  [
    'kind',
    'apiVersion',
    'name',
    'categories',
    'tags',
    'platforms',
    'params',
    'results',
    'workspaces',
  ],
);

const COMPONENTS = {
  TemplateSummary: object(summaryProperties, summaryRequired),
  TemplateList: object(
    {
      items: { type: 'array', items: ref('TemplateSummary') },
      totalCount: s('integer'),
    },
    ['items', 'totalCount'],
  ),
  TemplateFacets: object(
    {
      kinds: facetValues,
      categories: facetValues,
      tags: facetValues,
      platforms: facetValues,
      owners: facetValues,
    },
    ['kinds', 'categories', 'tags', 'platforms', 'owners'],
  ),
  TemplateVersionSummary: object(
    versionSummaryProperties,
    versionSummaryRequired,
  ),
  TemplateDetail: object(
    {
      ...summaryProperties,
      versions: { type: 'array', items: ref('TemplateVersionSummary') },
    },
    [...summaryRequired, 'versions'],
  ),
  TemplateDocs: docs,
  TemplateVersionDetail: object(
    {
      ...versionSummaryProperties,
      kind: kindSchema,
      name: s('string'),
      yaml: s('string', {
        description: 'The YAML as published, byte for byte',
      }),
      readme: s('string', { description: 'Markdown' }),
      docs: ref('TemplateDocs'),
    },
    [...versionSummaryRequired, 'kind', 'name', 'yaml', 'docs'],
  ),
  TemplateUsageList: object(
    {
      items: {
        type: 'array',
        items: object(
          {
            kind: kindSchema,
            name: s('string'),
            version: s('string'),
            cluster: s('string'),
            namespace: s('string'),
            pipeline: s('string'),
            entityRef: s('string'),
          },
          ['kind', 'name', 'version', 'cluster', 'namespace', 'pipeline'],
        ),
      },
    },
    ['items'],
  ),
  ClusterTemplate: object(
    {
      kind: s('string', { enum: ['Task', 'Pipeline'] }),
      name: s('string'),
      yaml: s('string'),
    },
    ['kind', 'name', 'yaml'],
  ),
  InstallTargets: object({ clusters: strings, namespace: s('string') }, [
    'clusters',
  ]),
  InstallResult: object(
    {
      outcome: s('string', {
        enum: ['preview', 'created', 'replaced', 'unchanged'],
      }),
      cluster: s('string'),
      namespace: s('string'),
      kind: kindSchema,
      name: s('string'),
      version: s('string'),
      object: s('object', {
        description: 'The object as the cluster stores it (or would)',
      }),
      existing: object(
        {
          resourceVersion: s('string'),
          installedFrom: object(
            { kind: kindSchema, name: s('string'), version: s('string') },
            ['kind', 'name', 'version'],
          ),
          differs: s('boolean'),
          diff: s('string', {
            description:
              'Unified diff of labels, annotations and spec, the cluster’s against the install’s',
          }),
        },
        ['resourceVersion', 'differs', 'diff'],
      ),
    },
    ['outcome', 'cluster', 'namespace', 'kind', 'name', 'version', 'object'],
  ),
  VersionDiff: object(
    { from: s('string'), to: s('string'), patch: s('string') },
    ['from', 'to', 'patch'],
  ),
  ImportReport: object(
    {
      id: s('string', { format: 'uuid' }),
      source: s('string'),
      startedAt: s('string', { format: 'date-time' }),
      finishedAt: s('string', { format: 'date-time' }),
      added: s('integer'),
      unchanged: s('integer'),
      rejected: s('integer'),
      files: {
        type: 'array',
        items: object(
          {
            path: s('string'),
            outcome: s('string', { enum: ['added', 'unchanged', 'rejected'] }),
            kind: kindSchema,
            name: s('string'),
            version: s('string'),
            reason: s('string', {
              description: 'Why it was rejected, in YAML’s or Tekton’s words',
            }),
          },
          ['path', 'outcome'],
        ),
      },
    },
    [
      'id',
      'source',
      'startedAt',
      'finishedAt',
      'added',
      'unchanged',
      'rejected',
      'files',
    ],
  ),
};

/** The OpenAPI 3.1 document of the template store API, from {@link API_OPERATIONS}. */
export function buildOpenApiDocument() {
  return buildDocument({
    info: {
      title: 'template-store',
      version: '1',
      description:
        'Cairn’s template store: versioned Tekton Tasks, Pipelines and StepActions (`/api/template-store`)',
    },
    servers: [{ url: '/api/template-store' }],
    operations: API_OPERATIONS,
    errorResponses: ERROR_RESPONSES,
    schemas: COMPONENTS,
  });
}
