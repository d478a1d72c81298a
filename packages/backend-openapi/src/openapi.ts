import { z } from 'zod';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), or a part of an OpenAPI document. */
export type JsonSchema = Record<string, any>;

/** A response of an operation, as OpenAPI writes it. */
export interface OpenApiResponse {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}

/**
 * One route of a backend's API: the router registers it and parses its inputs
 * with these zod schemas, and the OpenAPI document is built from the same
 * schemas, so the two cannot drift.
 */
export interface OpenApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The router's (Express) path, e.g. `/runs/:cluster/:namespace/:name`. */
  path: string;
  summary: string;
  /** Path parameters, parsed from `req.params`. */
  pathParams?: z.ZodObject;
  /** Query parameters, parsed from `req.query`. */
  query?: z.ZodObject;
  /** What a query parameter means, where its schema does not say. */
  queryDescriptions?: Record<string, string>;
  /**
   * A JSON body parsed with this schema, or a request body OpenAPI writes
   * out as it is (an upload, say).
   */
  body?: z.ZodType | { requestBody: JsonSchema };
  /**
   * The response of success, for a route that sends one status; its body is
   * of `schema` (JSON unless `contentType` says), none without one.
   */
  success?: OpenApiSuccess;
  /** Responses of success, for a route that sends several. */
  responses?: Record<string, OpenApiResponse>;
}

/** The one response of success of an operation. */
export interface OpenApiSuccess {
  status: number;
  description: string;
  schema?: JsonSchema;
  contentType?: string;
}

export interface OpenApiDocumentOptions {
  info: { title: string; version: string; description: string };
  /** Where the API is mounted, e.g. `[{ url: '/api/rollouts' }]`. */
  servers?: { url: string }[];
  /** By operationId, or a list (then without operationIds). */
  operations: Record<string, OpenApiOperation> | OpenApiOperation[];
  /** Error responses every operation may give, by status. */
  errorResponses?: Record<string, OpenApiResponse>;
  /** `components.schemas`; an `Error` schema is there unless given. */
  schemas?: Record<string, JsonSchema>;
}

/** The JSON Schema of a zod schema as a request must be (input). */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    // Transforms and refinements have no JSON Schema; they accept any input.
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** OpenAPI parameters of a zod object: one per property. */
export function toParameters(
  schema: z.ZodObject,
  where: 'path' | 'query',
  descriptions: Record<string, string> = {},
): JsonSchema[] {
  const json = toJsonSchema(schema);
  const required = new Set<string>(json.required ?? []);
  return Object.entries<JsonSchema>(json.properties ?? {}).map(
    ([name, { description, ...property }]) => {
      const text = descriptions[name] ?? description;
      return {
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(text ? { description: text } : {}),
        schema: property,
      };
    },
  );
}

/** `/runs/:cluster` as OpenAPI writes it: `/runs/{cluster}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/** A `$ref` to a schema of the document's `components.schemas`. */
export function schemaRef(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A response with a JSON body of this schema (or no body without one). */
export function jsonResponse(
  description: string,
  schema?: JsonSchema,
): OpenApiResponse {
  return schema
    ? { description, content: { 'application/json': { schema } } }
    : { description };
}

/** A response with Backstage's error body (`#/components/schemas/Error`). */
export function errorResponse(description: string): OpenApiResponse {
  return jsonResponse(description, schemaRef('Error'));
}

/** A JSON Schema of `type`, with further keywords: `typed('string', { enum })`. */
export function typed(type: string, keywords: JsonSchema = {}): JsonSchema {
  return { type, ...keywords };
}

/** A JSON Schema of an object with these properties, of which `required` are. */
export function objectSchema(
  properties: JsonSchema,
  required: string[],
): JsonSchema {
  return { type: 'object', properties, required };
}

/** The error responses every operation of a Cairn API may give: 400, 401, 403. */
export const COMMON_ERROR_RESPONSES: Record<string, OpenApiResponse> = {
  '400': errorResponse(
    'The request is invalid; the message names each field to fix',
  ),
  '401': errorResponse('No valid Backstage token'),
  '403': errorResponse('Not allowed; the message names the permission'),
};

/** The 503 of an API that reads the clusters. */
export const CLUSTER_UNAVAILABLE_RESPONSE: OpenApiResponse = errorResponse(
  'The cluster cannot be reached or refused the portal; the message says what to fix',
);

/**
 * Backstage's error body (`ErrorResponseBody` of `@backstage/errors`), as
 * its error handler sends it.
 */
export const BACKSTAGE_ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        name: {
          type: 'string',
          description: 'InputError, AuthenticationError, NotAllowedError, …',
        },
        message: {
          type: 'string',
          description: 'What went wrong and what to fix',
        },
      },
      required: ['name', 'message'],
    },
    request: {
      type: 'object',
      properties: { method: { type: 'string' }, url: { type: 'string' } },
    },
    response: {
      type: 'object',
      properties: { statusCode: { type: 'integer' } },
      required: ['statusCode'],
    },
  },
  required: ['error', 'response'],
};

function requestBodyOf(body: NonNullable<OpenApiOperation['body']>) {
  if ('requestBody' in body) return body.requestBody;
  return {
    // A body whose fields all have defaults may be left out.
    required: !body.safeParse({}).success,
    content: { 'application/json': { schema: toJsonSchema(body) } },
  };
}

function describeOperation(
  operation: OpenApiOperation,
  errorResponses: Record<string, OpenApiResponse>,
): JsonSchema {
  const success = operation.success;
  return {
    summary: operation.summary,
    parameters: [
      ...(operation.pathParams
        ? toParameters(operation.pathParams, 'path')
        : []),
      ...(operation.query
        ? toParameters(operation.query, 'query', operation.queryDescriptions)
        : []),
    ],
    ...(operation.body ? { requestBody: requestBodyOf(operation.body) } : {}),
    responses: {
      ...(success
        ? {
            [success.status]: success.schema
              ? {
                  description: success.description,
                  content: {
                    [success.contentType ?? 'application/json']: {
                      schema: success.schema,
                    },
                  },
                }
              : { description: success.description },
          }
        : {}),
      ...operation.responses,
      ...errorResponses,
    },
  };
}

/** The OpenAPI 3.1 document of a backend's API, from its operations. */
export function buildOpenApiDocument(options: OpenApiDocumentOptions) {
  const operations: [string | undefined, OpenApiOperation][] = Array.isArray(
    options.operations,
  )
    ? options.operations.map(operation => [undefined, operation])
    : Object.entries(options.operations);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [operationId, operation] of operations) {
    const path = toOpenApiPath(operation.path);
    paths[path] = {
      ...paths[path],
      [operation.method]: {
        ...(operationId ? { operationId } : {}),
        ...describeOperation(operation, options.errorResponses ?? {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: options.info,
    ...(options.servers ? { servers: options.servers } : {}),
    paths,
    components: {
      schemas: { Error: BACKSTAGE_ERROR_SCHEMA, ...options.schemas },
    },
  };
}
