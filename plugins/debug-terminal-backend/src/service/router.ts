import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  debugSessionReplayPermission,
  describeIssues,
} from '@cairn/plugin-debug-terminal-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RecordingStore } from '../database/RecordingStore';
import { AuthorizedDebugSessionsService } from './AuthorizedDebugSessionsService';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';

export interface RouterOptions {
  sessions: AuthorizedDebugSessionsService;
  recordings: RecordingStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

function parse<T extends z.ZodType>(
  schema: T | undefined,
  value: unknown,
): z.output<T> {
  if (!schema) return {} as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success)
    throw new InputError(describeIssues(result.error).join('; '));
  return result.data;
}

/** A thin router over the services: parse with the operation's schemas, call, answer. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { sessions, recordings, httpAuth, permissions } = options;
  const router = Router();
  router.use(express.json());

  const openApi = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const caller = async (req: Request) => ({
    credentials: await httpAuth.credentials(req),
    request: req,
  });
  const mayReplay = async (req: Request) => {
    const [decision] = await permissions.authorize(
      [{ permission: debugSessionReplayPermission }],
      { credentials: await httpAuth.credentials(req) },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `replaying terminals is for ops (permission ${debugSessionReplayPermission.name})`,
      );
    }
  };

  const op = API_OPERATIONS;
  router.get(op.toolkits.path, async (req, res) => {
    res.json(await sessions.toolkits(await caller(req)));
  });
  router.get(op.listPods.path, async (req, res) => {
    const query = parse(op.listPods.query, req.query);
    res.json(await sessions.pods(query.entityRef, await caller(req)));
  });
  router.get(op.listSessions.path, async (req, res) => {
    const query = parse(op.listSessions.query, req.query);
    res.json(await sessions.list(query.entityRef, await caller(req)));
  });
  router.post(op.createSession.path, async (req, res) => {
    const body = parse(op.createSession.body, req.body);
    res.status(201).json(await sessions.create(body, await caller(req)));
  });
  router.get(op.getSession.path, async (req, res) => {
    const path = parse(op.getSession.pathParams, req.params);
    const query = parse(op.getSession.query, req.query);
    res.json(await sessions.get(query.entityRef, path, await caller(req)));
  });
  router.delete(op.endSession.path, async (req, res) => {
    const path = parse(op.endSession.pathParams, req.params);
    const query = parse(op.endSession.query, req.query);
    await sessions.end(query.entityRef, path, await caller(req));
    res.status(204).end();
  });
  router.get(op.listRecordings.path, async (req, res) => {
    const query = parse(op.listRecordings.query, req.query);
    await mayReplay(req);
    res.json({ items: await recordings.list(query) });
  });
  router.get(op.getRecording.path, async (req, res) => {
    const path = parse(op.getRecording.pathParams, req.params);
    await mayReplay(req);
    const cast = await recordings.asciicast(path.id);
    if (cast === undefined) throw new NotFoundError(`no recording ${path.id}`);
    res.type('application/x-asciicast').send(cast);
  });
  return router;
}
