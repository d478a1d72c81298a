import {
  createSessionBodySchema,
  podsQuerySchema,
  recordingPathSchema,
  recordingsQuerySchema,
  sessionPathSchema,
  sessionQuerySchema,
  sessionsQuerySchema,
} from '@cairn/plugin-debug-terminal-common';
import {
  buildOpenApiDocument as buildDocument,
  COMMON_ERROR_RESPONSES,
  errorResponse,
  RoutedOperation,
} from '@cairn/backend-openapi';

/**
 * One route of the debug terminal API. The router registers exactly these
 * and parses each input with the schema named here, and the OpenAPI document
 * is built from them, so the two cannot drift. The terminal sockets
 * (`/attach`, `/shell`) are WebSocket upgrades, outside OpenAPI.
 */
export interface ApiOperation extends RoutedOperation {
  method: 'get' | 'post' | 'delete';
}

const json = { type: 'object' };

export const API_OPERATIONS = {
  toolkits: {
    method: 'get',
    path: '/toolkits',
    summary:
      'The toolkit catalog, whether the caller may name another image, and the TTL cap',
    success: { status: 200, description: 'The toolkits', schema: json },
  },
  listPods: {
    method: 'get',
    path: '/pods',
    summary:
      "An entity's pods on every cluster with their containers and debug containers, and the clusters that did not answer",
    query: podsQuerySchema,
    success: { status: 200, description: 'The pods', schema: json },
  },
  listSessions: {
    method: 'get',
    path: '/sessions',
    summary: "An entity's debug sessions, newest first",
    query: sessionsQuerySchema,
    success: { status: 200, description: 'The sessions', schema: json },
  },
  createSession: {
    method: 'post',
    path: '/sessions',
    summary:
      "Start a debug session on a container of one of the entity's pods (permission debug.session.create)",
    body: createSessionBodySchema,
    success: { status: 201, description: 'The session, Pending', schema: json },
  },
  getSession: {
    method: 'get',
    path: '/sessions/:cluster/:namespace/:name',
    summary: 'One session with what the controller reports',
    pathParams: sessionPathSchema,
    query: sessionQuerySchema,
    success: { status: 200, description: 'The session', schema: json },
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
    success: { status: 200, description: 'The recordings', schema: json },
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
      schema: { type: 'string' },
    },
  },
} satisfies Record<string, ApiOperation>;

const ERROR_RESPONSES = {
  ...COMMON_ERROR_RESPONSES,
  '404': errorResponse("No such session or recording, or not the entity's"),
  '409': errorResponse(
    'No debug session can start on the container in that mode: the pod has finished, or (ephemeral) the pod or the container is not running',
  ),
};

/** The OpenAPI 3.1 document of `/api/debug-terminal`, served at `/openapi.json`. */
export function buildOpenApiDocument() {
  return buildDocument({
    info: {
      title: 'debug-terminal',
      version: '1',
      description:
        'Cairn’s debug terminal: DebugSessions of catalog entities and terminal recordings (`/api/debug-terminal`); the terminals themselves are the WebSocket routes /attach and /shell',
    },
    servers: [{ url: '/api/debug-terminal' }],
    operations: API_OPERATIONS,
    errorResponses: ERROR_RESPONSES,
  });
}
