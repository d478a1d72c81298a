import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  describeIssues,
  groupRefSchema,
} from '@cairn/plugin-template-store-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import multer from 'multer';
import { z } from 'zod';
import { ImportLimits, PayloadTooLargeError } from '../import/limits';
import {
  API_OPERATIONS,
  ApiOperation,
  ARCHIVE_BODY,
  buildOpenApiDocument,
  OperationId,
} from './openapi';
import { Caller, TemplateStoreService } from './TemplateStoreService';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  service: TemplateStoreService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  limits: ImportLimits;
  /** The owner group of templates an upload creates when it names none. */
  defaultImportOwner: string;
}

/** The parsed inputs of one operation. */
interface Input {
  params: any;
  query: any;
  body: any;
}

type Handler = (input: Input, caller: Caller) => Promise<unknown>;

export function parseInput<T extends z.ZodType>(
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
 * The template store REST API: each operation of API_OPERATIONS parsed with
 * its schemas, audited if it changes something, and passed to the service
 * (which checks permissions).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, httpAuth, auditor, limits } = options;
  const handlers: Record<OperationId, Handler> = {
    listTemplates: ({ query }, caller) =>
      service.list({ ...query, starred: query.starred === 'true' }, caller),
    facets: (_, caller) => service.facets(caller),
    publish: ({ body }, caller) => service.publish(body, caller),
    getTemplate: ({ params }, caller) =>
      service.getTemplate(params.kind, params.name, caller),
    getVersion: ({ params }, caller) =>
      service.getVersion(params.kind, params.name, params.version, caller),
    diff: ({ params, query }, caller) =>
      service.diff(params.kind, params.name, query.from, query.to, caller),
    deprecate: ({ params, body }, caller) =>
      service.setDeprecated(
        params.kind,
        params.name,
        params.version,
        body.deprecated,
        caller,
      ),
    deleteVersion: ({ params }, caller) =>
      service.deleteVersion(params.kind, params.name, params.version, caller),
    star: ({ params }, caller) =>
      service.setStar(params.kind, params.name, true, caller),
    unstar: ({ params }, caller) =>
      service.setStar(params.kind, params.name, false, caller),
    fork: ({ params, body }, caller) =>
      service.fork(params.kind, params.name, body, caller),
    importArchive: ({ query, body }, caller) =>
      service.importArchive(
        body,
        parseInput(
          groupRefSchema,
          query.owner ?? options.defaultImportOwner,
          'owner',
        ),
        caller,
      ),
    getImport: ({ params }, caller) => service.getImport(params.id, caller),
    listUsage: ({ params }, caller) =>
      service.listUsage(params.kind, params.name, caller),
    clusterTemplate: ({ params, query }, caller) =>
      service.clusterTemplate(query.entityRef, params, caller),
    installTargets: ({ query }, caller) =>
      service.installTargets(query.entityRef, caller),
    install: ({ params, body }, caller) =>
      service.install(params.kind, params.name, params.version, body, caller),
  };

  const router = Router();
  // Twice the YAML cap: JSON escapes; a YAML over the cap itself is refused by the service with 413.
  router.use(express.json({ limit: limits.maxYamlBytes * 2 + 64 * 1024 }));
  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });

  for (const [id, operation] of Object.entries<ApiOperation>(API_OPERATIONS)) {
    const handle = handlers[id as OperationId];
    const isArchive = operation.body === ARCHIVE_BODY;
    const middleware = isArchive ? [archiveBody(limits)] : [];
    router[operation.method](
      operation.path,
      ...middleware,
      async (req: Request, res: Response) => {
        const input: Input = {
          params: operation.pathParams
            ? parseInput(operation.pathParams, req.params, 'path')
            : {},
          query: parseInput(
            operation.query ?? z.object({}).strict(),
            req.query,
            'query',
          ),
          body: isArchive
            ? req.body
            : operation.body &&
              parseInput(operation.body as z.ZodType, req.body, 'body'),
        };
        const caller = await callerOf(httpAuth, req);
        // A dry run (an install's preview) changes nothing to record.
        const audit =
          operation.auditEventId && !input.body?.dryRun
            ? await auditor.createEvent({
                eventId: operation.auditEventId,
                request: req,
                severityLevel: 'medium',
                meta: {
                  ...input.params,
                  ...(isArchive
                    ? { bytes: input.body.length }
                    : { ...input.body, yaml: undefined, readme: undefined }),
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
        if (operation.success.status === 204) {
          res.status(204).end();
        } else {
          res.status(operation.success.status).json(result);
        }
      },
    );
  }
  return router;
}

async function callerOf(
  httpAuth: HttpAuthService,
  req: Request,
): Promise<Caller> {
  const credentials = await httpAuth.credentials(req, {
    allow: ['user', 'service'],
  });
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return {
    credentials,
    userRef:
      principal.userEntityRef ?? `service:${principal.subject ?? 'unknown'}`,
  };
}

/** The import's archive: the body itself (`application/gzip`) or the multipart field `file`, up to the cap. */
function archiveBody(limits: ImportLimits): express.RequestHandler {
  const raw = express.raw({
    type: [
      'application/gzip',
      'application/x-gzip',
      'application/octet-stream',
      'application/x-tar',
    ],
    limit: limits.maxArchiveBytes,
  });
  // @types/multer brings its own copy of express's types: the same handler.
  const form = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limits.maxArchiveBytes, files: 1 },
  }).single('file') as unknown as express.RequestHandler;
  return (req, res, next) => {
    if (req.is('multipart/form-data')) {
      form(req, res, (error?: any) => {
        if (error?.code === 'LIMIT_FILE_SIZE') {
          next(
            new PayloadTooLargeError(
              `the archive is larger than ${limits.maxArchiveBytes} bytes`,
            ),
          );
        } else if (error) {
          next(new InputError(`invalid form: ${error.message}`));
        } else if (!(req as any).file) {
          next(
            new InputError(
              'invalid form: the archive goes in the field "file"',
            ),
          );
        } else {
          req.body = (req as any).file.buffer;
          next();
        }
      });
      return;
    }
    raw(req, res, error => {
      if (error) {
        next(error);
      } else if (!Buffer.isBuffer(req.body) || !req.body.length) {
        next(
          new InputError(
            'the body must be the .tar.gz archive (Content-Type: application/gzip) or a multipart form with it in the field "file"',
          ),
        );
      } else {
        next();
      }
    });
  };
}
