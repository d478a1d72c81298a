import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { debugSessionReplayPermission } from '@cairn/plugin-debug-terminal-common';
import { createOperationsRouter } from '@cairn/backend-openapi';
import express from 'express';
import { RecordingStore } from '../database/RecordingStore';
import { AuthorizedDebugSessionsService } from './AuthorizedDebugSessionsService';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';

export interface RouterOptions {
  sessions: AuthorizedDebugSessionsService;
  recordings: RecordingStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

/** A thin router over the services: parse with the operation's schemas, call, answer. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { sessions, recordings, httpAuth, permissions } = options;

  const mayReplay = async (credentials: BackstageCredentials) => {
    const [decision] = await permissions.authorize(
      [{ permission: debugSessionReplayPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `replaying terminals is for ops (permission ${debugSessionReplayPermission.name})`,
      );
    }
  };

  return createOperationsRouter({
    operations: API_OPERATIONS,
    handlers: {
      toolkits: (_, caller) => sessions.toolkits(caller),
      listPods: ({ query }, caller) => sessions.pods(query.entityRef, caller),
      listSessions: ({ query }, caller) =>
        sessions.list(query.entityRef, caller),
      createSession: ({ body }, caller) => sessions.create(body, caller),
      getSession: ({ params, query }, caller) =>
        sessions.get(query.entityRef, params, caller),
      endSession: ({ params, query }, caller) =>
        sessions.end(query.entityRef, params, caller),
      listRecordings: async ({ query }, caller) => {
        await mayReplay(caller.credentials);
        return { items: await recordings.list(query) };
      },
      getRecording: async ({ params }, caller) => {
        await mayReplay(caller.credentials);
        const cast = await recordings.asciicast(params.id);
        if (cast === undefined) {
          throw new NotFoundError(`no recording ${params.id}`);
        }
        return cast;
      },
    },
    document: buildOpenApiDocument(),
    httpAuth,
  });
}
