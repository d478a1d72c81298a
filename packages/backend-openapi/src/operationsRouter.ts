import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { describeIssues } from '@cairn/request-schemas';
import express, { Request, RequestHandler, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { JsonSchema, OpenApiOperation, toOpenApiPath } from './openapi';

/**
 * An operation the router serves: its OpenAPI description (whose schemas the
 * router parses the request with) and, for a change, the auditor's event id.
 */
export interface RoutedOperation extends OpenApiOperation {
  /** The auditor's event id of a change; operations without one are not audited. */
  auditEventId?: string;
}

/** The parsed inputs of one request. */
export interface OperationInput {
  /** `req.params` parsed with `pathParams`, `{}` without it. */
  params: any;
  /** `req.query` parsed with `query`, `{}` without it. */
  query: any;
  /** `req.body` parsed with `body` if it is a zod schema, as it came otherwise (an upload), undefined without it. */
  body: any;
}

/** Who calls: the request's credentials (a user or a service) and the request. */
export interface OperationCaller {
  credentials: BackstageCredentials;
  request: Request;
}

/** What an operation does with its parsed inputs; its result is the response's body. */
export type OperationHandler<TCaller = OperationCaller> = (
  input: OperationInput,
  caller: TCaller,
) => Promise<unknown>;

/** Options of {@link createOperationsRouter}. */
export interface OperationsRouterOptions<
  TId extends string,
  TCaller = OperationCaller,
> {
  operations: Record<TId, RoutedOperation>;
  handlers: Record<TId, OperationHandler<TCaller>>;
  /** The OpenAPI document of the operations, served at `/openapi.json`. */
  document: object;
  httpAuth: HttpAuthService;
  /** Records the operations with an `auditEventId`. */
  auditor?: AuditorService;
  /** The caller handlers get, from the request's credentials; `{ credentials, request }` unless given. */
  caller?: (caller: OperationCaller) => TCaller;
  /**
   * What an audit event records of a request; `{ ...params, ...body }` unless
   * given. `undefined`: the request changes nothing (a dry run), no event.
   */
  auditMeta?: (
    input: OperationInput,
    operation: RoutedOperation,
  ) => Record<string, unknown> | undefined;
  /** Middleware run before an operation's inputs are parsed (reading an upload, say). */
  middleware?: (operation: RoutedOperation) => RequestHandler[];
  /** The size limit of JSON bodies (`express.json`'s `limit`). */
  jsonLimit?: string | number;
}

/**
 * A value parsed with a zod schema, or an InputError (400) naming where
 * (`path`, `query`, `body`, …) and each field to fix.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(
      `invalid ${where}: ${describeIssues(result.error).join('; ')}`,
    );
  }
  return result.data;
}

function parseRequest(operation: RoutedOperation, req: Request) {
  const body = operation.body;
  return {
    params: operation.pathParams
      ? parseInput(operation.pathParams, req.params, 'path')
      : {},
    query: operation.query
      ? parseInput(operation.query, req.query, 'query')
      : {},
    body:
      body &&
      ('requestBody' in body ? req.body : parseInput(body, req.body, 'body')),
  };
}

function respond(operation: RoutedOperation, res: Response, result: unknown) {
  const { status, contentType } = operation.success ?? { status: 200 };
  res.status(status);
  if (status === 204 || result === undefined) res.end();
  else if (contentType && contentType !== 'application/json') {
    res.type(contentType).send(result);
  } else res.json(result);
}

/**
 * A thin REST router over a backend's operations: each operation is served at
 * its method and path, its inputs parsed with its schemas (a 400 naming what
 * to fix), the caller's credentials taken, and its handler's result sent with
 * the operation's status of success. A change (an operation with an
 * `auditEventId`) is recorded with the auditor, allowed or denied, as
 * Backstage's own plugins do: the event is created before the handler runs,
 * so a refusal is recorded as failed with its reason.
 */
export function createOperationsRouter<
  TId extends string,
  TCaller = OperationCaller,
>(options: OperationsRouterOptions<TId, TCaller>): express.Router {
  const { document, httpAuth, auditor } = options;
  const toCaller =
    options.caller ?? ((caller: OperationCaller) => caller as TCaller);
  const auditMeta =
    options.auditMeta ??
    ((input: OperationInput) => ({ ...input.params, ...input.body }));

  const router = Router();
  router.use(express.json({ limit: options.jsonLimit }));
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  for (const [id, operation] of Object.entries<RoutedOperation>(
    options.operations,
  )) {
    const handle = options.handlers[id as TId];
    router[operation.method](
      operation.path,
      ...(options.middleware?.(operation) ?? []),
      async (req: Request, res: Response) => {
        const input = parseRequest(operation, req);
        const caller = toCaller({
          credentials: await httpAuth.credentials(req, {
            allow: ['user', 'service'],
          }),
          request: req,
        });
        const meta = operation.auditEventId && auditMeta(input, operation);
        const audit =
          operation.auditEventId && meta
            ? await auditor?.createEvent({
                eventId: operation.auditEventId,
                request: req,
                severityLevel: 'medium',
                meta,
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
        respond(operation, res, result);
      },
    );
  }
  return router;
}

/**
 * The routes an Express router serves, as `get /runs/{cluster}` (OpenAPI's
 * paths), sorted; `/openapi.json` itself is left out. With
 * {@link routesOfDocument}, a backend's drift test checks that its document
 * describes every route its router serves, and no other.
 */
export function routesOfRouter(router: express.Router): string[] {
  return router.stack
    .filter(layer => layer.route && layer.route.path !== '/openapi.json')
    .flatMap(layer =>
      Object.keys((layer.route as any).methods).map(
        method => `${method} ${toOpenApiPath(String(layer.route!.path))}`,
      ),
    )
    .sort();
}

/** The operations an OpenAPI document describes, as `get /runs/{cluster}`, sorted. */
export function routesOfDocument(document: JsonSchema): string[] {
  return Object.entries<object>(document.paths)
    .flatMap(([path, item]) =>
      Object.keys(item).map(method => `${method} ${path}`),
    )
    .sort();
}
