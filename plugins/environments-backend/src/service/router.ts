import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  describeIssues,
  EnvironmentsApiOperation,
} from '@cairn/plugin-environments-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  AuthorizedEnvironmentsService,
  Caller,
} from './AuthorizedEnvironmentsService';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  environments: AuthorizedEnvironmentsService;
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
 * The environments REST API: each operation of API_OPERATIONS parsed with
 * its schemas and passed to the authorized service (which checks
 * permissions); every change is recorded with the auditor, allowed or
 * denied: the event is created first, so a refusal is recorded as failed
 * with its reason.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { environments, httpAuth, auditor } = options;
  const handlers: Record<EnvironmentsApiOperation, Handler> = {
    listEnvironments: ({ query }, caller) => environments.list(caller, query),
    getEnvironment: ({ params }, caller) => environments.get(caller, params),
    createEnvironment: ({ params, body }, caller) =>
      environments.create(caller, params, body),
    updateEnvironment: ({ params, body }, caller) =>
      environments.update(caller, params, body),
    deleteEnvironment: ({ params }, caller) =>
      environments.delete(caller, params),
    listClusters: (_, caller) => environments.listClusters(caller),
    getTopology: ({ params }, caller) => environments.topology(caller, params),
    labelNodes: ({ params, body }, caller) =>
      environments.labelNodes(caller, params, body),
  };

  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });

  for (const [id, operation] of Object.entries(API_OPERATIONS)) {
    const handle = handlers[id as EnvironmentsApiOperation];
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
              meta: { ...input.params, ...input.body },
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
        if (result === undefined) res.status(operation.success.status).end();
        else res.status(operation.success.status).json(result);
      },
    );
  }
  return router;
}
