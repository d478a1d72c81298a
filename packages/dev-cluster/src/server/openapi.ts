import { createHash } from 'node:crypto';
import {
  FieldType,
  modelFields,
  modelNameForKind,
  modelNameForType,
} from './builtinSchemas';
import { KUBERNETES_VERSION } from './discovery';
import { modelDocs } from './modelDocs';
import { encodeSwaggerDocument } from './openapiProtobuf';
import { apiVersionOf, ResourceRegistry, ResourceType } from './registry';

/*
 * OpenAPI v3 as kube-apiserver publishes it: /openapi/v3 lists one document
 * per group-version, each with the paths of its resources (operations tagged
 * with x-kubernetes-group-version-kind and the query parameters kubectl looks
 * for, such as fieldValidation) and the schemas of its kinds (built-in ones
 * from the client-node models, with Kubernetes' descriptions from
 * modelDocs.ts; custom ones from their CRD's openAPIV3Schema, descriptions
 * and all). /openapi/v2 is the same schemas in one Swagger 2.0 document.
 *
 * PATCH operations list json-patch, merge-patch and apply-patch bodies but
 * not strategic-merge-patch: without the patch strategies in these schemas,
 * kubectl must compute strategic merge patches from its compiled-in types.
 */

type Schema = Record<string, unknown>;

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The schema name of a client-node model: V1PodSpec → io.k8s.api.v1.PodSpec. */
function schemaName(model: string): string {
  if (model === 'V1ObjectMeta') return OBJECT_META;
  const match = /^([A-Z][a-z]*)?(V\d+(?:alpha\d+|beta\d+)?)(.+)$/.exec(model);
  if (!match) return `io.k8s.api.${model}`;
  const [, group, version, kind] = match;
  return `io.k8s.api.${
    group ? `${group.toLowerCase()}.` : ''
  }${version.toLowerCase()}.${kind}`;
}

function ref(name: string): Schema {
  return { allOf: [{ $ref: `#/components/schemas/${name}` }] };
}

class SchemaCollector {
  readonly schemas: Record<string, Schema> = {};

  fieldSchema(type: FieldType): Schema {
    switch (type.kind) {
      case 'array':
        return { type: 'array', items: this.fieldSchema(type.items) };
      case 'map':
        return {
          type: 'object',
          additionalProperties: this.fieldSchema(type.values),
        };
      case 'model':
        return ref(this.model(type.name));
      default:
        switch (type.name) {
          case 'string':
            return type.format === 'byte'
              ? { type: 'string', format: 'byte' }
              : { type: 'string' };
          case 'number':
            return type.format === 'int32' || type.format === 'int64'
              ? { type: 'integer', format: type.format }
              : { type: 'number', format: 'double' };
          case 'boolean':
            return { type: 'boolean' };
          case 'Date':
            return { type: 'string', format: 'date-time' };
          case 'IntOrString':
            return {
              'x-kubernetes-int-or-string': true,
              anyOf: [{ type: 'integer' }, { type: 'string' }],
            };
          default:
            return {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
            };
        }
    }
  }

  /** Adds the schema of a model (and those it refers to); returns its name. */
  model(
    model: string,
    gvk?: { group: string; version: string; kind: string },
  ): string {
    const name = schemaName(model);
    if (this.schemas[name] && !gvk) return name;
    const docs = modelDocs(model);
    const schema: Schema = {
      ...(docs?.description ? { description: docs.description } : {}),
      type: 'object',
      properties: {},
    };
    this.schemas[name] = schema;
    const properties: Record<string, Schema> = {};
    for (const [field, type] of modelFields(model) ?? []) {
      const description = docs?.fields.get(field);
      properties[field] = {
        ...(description ? { description } : {}),
        ...this.fieldSchema(type),
      };
    }
    schema.properties = properties;
    if (docs?.required.length) schema.required = docs.required;
    if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
    return name;
  }
}

function customSchemaName(type: ResourceType): string {
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${
    type.kind
  }`;
}

function parameter(
  name: string,
  description: string,
  type: 'string' | 'boolean' = 'string',
) {
  return {
    name,
    in: 'query',
    description,
    schema: { type, uniqueItems: true },
  };
}

const DRY_RUN = parameter(
  'dryRun',
  'When present, indicates that modifications should not be persisted. The only valid value is All.',
);
const FIELD_MANAGER = parameter(
  'fieldManager',
  'fieldManager is a name associated with the actor or entity that is making these changes.',
);
const FIELD_VALIDATION = parameter(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default) and Strict.',
);
const FORCE = parameter(
  'force',
  'Force is going to "force" Apply requests.',
  'boolean',
);

function operation(
  type: ResourceType,
  action: string,
  schemaRef: string,
  extra: Schema = {},
): Schema {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  return {
    tags: [apiVersionOf(type)],
    operationId: `${action}${type.kind}`,
    responses: {
      '200': {
        description: 'OK',
        content: { 'application/json': { schema: ref(schemaRef) } },
      },
    },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  };
}

function pathsFor(
  type: ResourceType,
  schemaRef: string,
): Record<string, Schema> {
  const base = type.group
    ? `/apis/${type.group}/${type.version}`
    : `/api/${type.version}`;
  const collection = type.namespaced
    ? `${base}/namespaces/{namespace}/${type.plural}`
    : `${base}/${type.plural}`;
  const body = (contentTypes: string[]) => ({
    requestBody: {
      required: true,
      content: Object.fromEntries(
        contentTypes.map(t => [t, { schema: ref(schemaRef) }]),
      ),
    },
  });
  const paths: Record<string, Schema> = {};
  const collectionOps: Schema = {};
  if (type.verbs.includes('list'))
    collectionOps.get = operation(type, 'list', schemaRef);
  if (type.verbs.includes('create')) {
    collectionOps.post = operation(type, 'post', schemaRef, {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      ...body(['application/json']),
    });
  }
  if (Object.keys(collectionOps).length) paths[collection] = collectionOps;
  if (!type.verbs.includes('get')) return paths;
  paths[`${collection}/{name}`] = {
    get: operation(type, 'get', schemaRef),
    put: operation(type, 'put', schemaRef, {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      ...body(['application/json']),
    }),
    patch: operation(type, 'patch', schemaRef, {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
      ...body([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]),
    }),
    delete: operation(type, 'delete', schemaRef, { parameters: [DRY_RUN] }),
  };
  return paths;
}

function customResourceSchema(type: ResourceType): Schema {
  const schema = (type.custom?.schema ?? { type: 'object' }) as Schema;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  // TypeMeta's descriptions, which every built-in kind's model repeats.
  const typeMeta = modelDocs('V1Pod')?.fields;
  return {
    ...schema,
    properties: {
      ...properties,
      apiVersion: {
        type: 'string',
        description: typeMeta?.get('apiVersion'),
      },
      kind: {
        type: 'string',
        description: typeMeta?.get('kind'),
      },
      metadata: ref(OBJECT_META),
    },
    'x-kubernetes-group-version-kind': [
      { group: type.group, version: type.version, kind: type.kind },
    ],
  };
}

/** The OpenAPI v3 document of one group-version; undefined if it is not served. */
export function groupVersionDocument(
  registry: ResourceRegistry,
  group: string,
  version: string,
) {
  const types = registry.inGroupVersion(group, version);
  if (!types.length) return undefined;
  const collector = new SchemaCollector();
  let paths: Record<string, Schema> = {};
  for (const type of types) {
    let schemaRef: string;
    if (type.custom) {
      collector.model('V1ObjectMeta');
      schemaRef = customSchemaName(type);
      collector.schemas[schemaRef] = customResourceSchema(type);
    } else {
      const model = modelNameForType(type);
      if (!model) continue;
      schemaRef = collector.model(model, {
        group: type.group,
        version: type.version,
        kind: type.kind,
      });
    }
    paths = { ...paths, ...pathsFor(type, schemaRef) };
    for (const sub of type.subresources) {
      if (sub.name !== 'scale') continue;
      const scale = modelNameForKind('autoscaling', 'v1', 'Scale');
      if (scale)
        collector.model(scale, {
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
        });
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: { schemas: collector.schemas },
  };
}

const V3_REF = '#/components/schemas/';

/**
 * A v3 schema in Swagger 2.0's form, as kube-apiserver publishes it at
 * /openapi/v2: a reference is a `$ref` beside the field's description (v3
 * needs the allOf wrapper for that), int-or-string is a string of format
 * int-or-string (v2 has no anyOf).
 */
function swaggerSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(swaggerSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const { allOf, anyOf, ...rest } = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace(V3_REF, '#/definitions/');
    } else if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([k, v]) => [k, swaggerSchema(v)]),
      );
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = swaggerSchema(value);
    } else out[key] = value;
  }
  const refs = allOf as Schema[] | undefined;
  if (refs?.length === 1 && typeof refs[0].$ref === 'string') {
    out.$ref = (refs[0].$ref as string).replace(V3_REF, '#/definitions/');
  } else if (refs) out.allOf = swaggerSchema(refs);
  if (rest['x-kubernetes-int-or-string']) {
    out.type = 'string';
    out.format = 'int-or-string';
  } else if (anyOf) out.anyOf = swaggerSchema(anyOf);
  return out;
}

/** A v3 operation in Swagger 2.0's form: body and query parameters, response schemas. */
function swaggerOperation(v3Operation: Schema): Schema {
  const { requestBody, responses, parameters, ...rest } = v3Operation;
  const out: Schema = { ...rest };
  const body = requestBody as
    | { content: Record<string, { schema: Schema }> }
    | undefined;
  const swaggerParameters: Schema[] = (
    (parameters as Schema[] | undefined) ?? []
  ).map(({ schema, ...query }) => ({
    ...query,
    ...(schema as Schema),
  }));
  if (body) {
    out.consumes = Object.keys(body.content);
    swaggerParameters.unshift({
      name: 'body',
      in: 'body',
      required: true,
      schema: swaggerSchema(Object.values(body.content)[0].schema),
    });
  }
  if (swaggerParameters.length) out.parameters = swaggerParameters;
  out.produces = ['application/json', 'application/yaml'];
  out.responses = Object.fromEntries(
    Object.entries(
      responses as Record<
        string,
        { description: string; content: Record<string, { schema: Schema }> }
      >,
    ).map(([code, response]) => [
      code,
      {
        description: response.description,
        schema: swaggerSchema(Object.values(response.content)[0]?.schema ?? {}),
      },
    ]),
  );
  return out;
}

/** The Swagger 2.0 document of /openapi/v2: every group-version's paths and schemas in one. */
export function swaggerDocument(
  documents: NonNullable<ReturnType<typeof groupVersionDocument>>[],
) {
  const paths: Record<string, Schema> = {};
  const definitions: Record<string, Schema> = {};
  for (const document of documents) {
    for (const [path, item] of Object.entries(document.paths)) {
      paths[path] = Object.fromEntries(
        Object.entries(item).map(([method, op]) => [
          method,
          swaggerOperation(op as Schema),
        ]),
      );
    }
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      const converted = swaggerSchema(schema) as Schema;
      const known = definitions[name];
      const gvks = [
        ...((known?.['x-kubernetes-group-version-kind'] as unknown[]) ?? []),
        ...((converted['x-kubernetes-group-version-kind'] as unknown[]) ?? []),
      ];
      if (gvks.length) converted['x-kubernetes-group-version-kind'] = gvks;
      definitions[name] = converted;
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    definitions,
  };
}

/**
 * Serves /openapi/v2, /openapi/v3 and /openapi/v3/<gv path>, caching
 * documents until the served types change.
 */
export class OpenApiDocuments {
  private readonly cache = new Map<
    string,
    { json: NonNullable<ReturnType<typeof groupVersionDocument>>; hash: string }
  >();
  private swagger: ReturnType<typeof swaggerDocument> | undefined;
  private swaggerBytes: Buffer | undefined;

  constructor(private readonly registry: ResourceRegistry) {
    registry.onChange(() => {
      this.cache.clear();
      this.swagger = undefined;
      this.swaggerBytes = undefined;
    });
  }

  /** /openapi/v2 in its protobuf form. */
  swaggerProtobuf(): Buffer {
    if (!this.swaggerBytes)
      this.swaggerBytes = encodeSwaggerDocument(
        this.serve(['v2']) as ReturnType<typeof swaggerDocument>,
      );
    return this.swaggerBytes;
  }

  private groupVersions(): string[] {
    const gvs = new Set<string>();
    for (const type of this.registry.all()) {
      gvs.add(
        type.group
          ? `apis/${type.group}/${type.version}`
          : `api/${type.version}`,
      );
    }
    return [...gvs];
  }

  private document(gvPath: string) {
    let entry = this.cache.get(gvPath);
    if (!entry) {
      const parts = gvPath.split('/');
      let doc: ReturnType<typeof groupVersionDocument> | undefined;
      if (parts[0] === 'api' && parts.length === 2) {
        doc = groupVersionDocument(this.registry, '', parts[1]);
      } else if (parts[0] === 'apis' && parts.length === 3) {
        doc = groupVersionDocument(this.registry, parts[1], parts[2]);
      }
      if (!doc) return undefined;
      const hash = createHash('sha512')
        .update(JSON.stringify(doc))
        .digest('hex')
        .toUpperCase();
      entry = { json: doc, hash };
      this.cache.set(gvPath, entry);
    }
    return entry;
  }

  /** The document at /openapi/<path…>, or undefined (404). */
  serve(path: string[]): unknown {
    if (path[0] === 'v2' && path.length === 1) {
      if (!this.swagger) {
        this.swagger = swaggerDocument(
          this.groupVersions().flatMap(gv => {
            const entry = this.document(gv);
            return entry ? [entry.json] : [];
          }),
        );
      }
      return this.swagger;
    }
    if (path[0] !== 'v3') return undefined;
    if (path.length === 1) {
      const paths: Record<string, unknown> = {};
      for (const gv of this.groupVersions()) {
        const entry = this.document(gv);
        if (entry)
          paths[gv] = {
            serverRelativeURL: `/openapi/v3/${gv}?hash=${entry.hash}`,
          };
      }
      return { paths };
    }
    return this.document(path.slice(1).join('/'))?.json;
  }
}
