import {
  createSessionBodySchema,
  recordingPathSchema,
  recordingsQuerySchema,
  sessionPathSchema,
  sessionQuerySchema,
  sessionsQuerySchema,
} from '@cairn/plugin-debug-terminal-common';
import { z } from 'zod';

type JsonSchema = Record<string, any>;

/**
 * One route of the debug terminal API. The router registers exactly these
 * and parses each input with the schema named here, and the OpenAPI document
 * is built from them, so the two cannot drift. The terminal sockets
 * (`/attach`, `/shell`) are WebSocket upgrades, outside OpenAPI.
 */
export interface ApiOperation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: {
    status: number;
    description: string;
    contentType?: string;
  };
}

export const API_OPERATIONS = {
  toolkits: {
    method: 'get',
    path: '/toolkits',
    summary:
      'The toolkit catalog, whether the caller may name another image, and the TTL cap',
    success: { status: 200, description: 'The toolkits' },
  },
  listSessions: {
    method: 'get',
    path: '/sessions',
    summary: "An entity's debug sessions, newest first",
    query: sessionsQuerySchema,
    success: { status: 200, description: 'The sessions' },
  },
  createSession: {
    method: 'post',
    path: '/sessions',
    summary:
      "Start a debug session on a container of one of the entity's pods (permission debug.session.create)",
    body: createSessionBodySchema,
    success: { status: 201, description: 'The session, Pending' },
  },
  getSession: {
    method: 'get',
    path: '/sessions/:cluster/:namespace/:name',
    summary: 'One session with what the controller reports',
    pathParams: sessionPathSchema,
    query: sessionQuerySchema,
    success: { status: 200, description: 'The session' },
  },
  endSession: {
    method: 'delete',
    path: '/sessions/:cluster/:namespace/:name',
    summary: 'End a session: the controller ends its container',
    pathParams: sessionPathSchema,
    query: sessionQuerySchema,
    success: { status: 204, description: 'Ending' },
  },
  listRecordings: {
    method: 'get',
    path: '/recordings',
    summary:
      'Recorded terminals, newest first (permission debug.session.replay)',
    query: recordingsQuerySchema,
    success: { status: 200, description: 'The recordings' },
  },
  getRecording: {
    method: 'get',
    path: '/recordings/:id',
    summary:
      'A recorded terminal as an asciicast v2 file (permission debug.session.replay)',
    pathParams: recordingPathSchema,
    success: {
      status: 200,
      description: 'asciicast v2: a header line, then one event per line',
      contentType: 'application/x-asciicast',
    },
  },
} satisfies Record<string, ApiOperation>;

function toSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodObject, where: 'path' | 'query') {
  const json = toSchema(schema);
  const required = new Set<string>(json.required ?? []);
  return Object.entries<JsonSchema>(json.properties ?? {}).map(
    ([name, { description, ...property }]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: property,
    }),
  );
}

/** `/sessions/:name` → `/sessions/{name}`. */
export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const errorResponse = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
});

const ERROR_RESPONSES = {
  '400': errorResponse(
    'The request is invalid; the message names each field to fix',
  ),
  '401': errorResponse('No valid Backstage token'),
  '403': errorResponse('Not allowed; the message names the permission'),
  '404': errorResponse("No such session or recording, or not the entity's"),
};

/** The OpenAPI 3.1 document of `/api/debug-terminal`, served at `/openapi.json`. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [operationId, op] of Object.entries<ApiOperation>(
    API_OPERATIONS,
  )) {
    const path = toOpenApiPath(op.path);
    paths[path] = {
      ...paths[path],
      [op.method]: {
        operationId,
        summary: op.summary,
        parameters: [
          ...(op.pathParams ? parameters(op.pathParams, 'path') : []),
          ...(op.query ? parameters(op.query, 'query') : []),
        ],
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: toSchema(op.body) } },
              },
            }
          : {}),
        responses: {
          [String(op.success.status)]: {
            description: op.success.description,
            ...(op.success.status === 204
              ? {}
              : {
                  content: {
                    [op.success.contentType ?? 'application/json']: {
                      schema: {
                        type: op.success.contentType ? 'string' : 'object',
                      },
                    },
                  },
                }),
          },
          ...ERROR_RESPONSES,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'debug-terminal',
      version: '1',
      description:
        'Cairn’s debug terminal: DebugSessions of catalog entities and terminal recordings (`/api/debug-terminal`); the terminals themselves are the WebSocket routes /attach and /shell',
    },
    servers: [{ url: '/api/debug-terminal' }],
    paths,
  };
}
