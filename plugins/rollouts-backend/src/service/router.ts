import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { describeIssues } from '@cairn/plugin-rollouts-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { AuthorizedStonesService, Caller } from './AuthorizedStonesService';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';
import type { RolloutsApiOperation } from '@cairn/plugin-rollouts-common';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  stones: AuthorizedStonesService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
}

/** The parsed inputs of one operation. */
interface Input {
  params: any;
  query: any;
  body: any;
}

type Handler = (input: Input, caller: Caller) => Promise<unknown>;

function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(
      `invalid ${where}: ${describeIssues(result.error).join('; ')}`,
    );
  }
  return result.data;
}

/**
 * The rollouts REST API: each operation of API_OPERATIONS parsed with its
 * schemas and passed to the authorized service (which checks permissions);
 * every change is recorded with the auditor, allowed or denied, as
 * Backstage's own plugins do: the event is created first, so a refusal is
 * recorded as failed with its reason.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { stones, httpAuth, auditor } = options;
  const handlers: Record<RolloutsApiOperation, Handler> = {
    listStones: ({ query }, caller) => stones.list(caller, query.entityRef),
    getStone: ({ params, query }, caller) =>
      stones.get(caller, query.entityRef, params),
    approveStage: ({ params, query, body }, caller) =>
      stones.approve(caller, query.entityRef, params, body),
    startUpdate: ({ params, query, body }, caller) =>
      stones.startUpdate(caller, query.entityRef, params, body),
    pause: ({ params, query, body }, caller) =>
      stones.setPaused(caller, query.entityRef, params, body, true),
    resume: ({ params, query, body }, caller) =>
      stones.setPaused(caller, query.entityRef, params, body, false),
    abort: ({ params, query, body }, caller) =>
      stones.abort(caller, query.entityRef, params, body),
    rollback: ({ params, query, body }, caller) =>
      stones.rollback(caller, query.entityRef, params, body),
  };

  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });

  for (const [id, operation] of Object.entries(API_OPERATIONS)) {
    const handle = handlers[id as RolloutsApiOperation];
    router[operation.method](
      operation.path,
      async (req: Request, res: Response) => {
        const input: Input = {
          params: operation.pathParams
            ? parseInput(operation.pathParams, req.params, 'path')
            : {},
          query: parseInput(operation.query, req.query, 'query'),
          body: operation.body && parseInput(operation.body, req.body, 'body'),
        };
        const caller: Caller = {
          credentials: await httpAuth.credentials(req, {
            allow: ['user', 'service'],
          }),
        };
        const audit = operation.auditEventId
          ? await auditor.createEvent({
              eventId: operation.auditEventId,
              request: req,
              severityLevel: 'medium',
              meta: {
                entityRef: input.query.entityRef,
                ...input.params,
                // The template is the Stone's to show; its images are named.
                ...{ ...input.body, template: undefined },
              },
            })
          : undefined;
        let result: unknown;
        try {
          result = await handle(input, caller);
        } catch (error) {
          await audit?.fail({ error: error as Error });
          throw error;
        }
        await audit?.success();
        res.status(operation.success.status).json(result);
      },
    );
  }
  return router;
}
