import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  createOperationsRouter,
  OperationCaller,
  OperationHandler,
  parseInput,
  RoutedOperation,
} from '@cairn/backend-openapi';
import { groupRefSchema } from '@cairn/plugin-template-store-common';
import express from 'express';
import multer from 'multer';
import { z } from 'zod';
import { ImportLimits, PayloadTooLargeError } from '../import/limits';
import {
  API_OPERATIONS,
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

/** An operation without a query takes none: an unknown parameter is a 400. */
const NO_QUERY = z.object({}).strict();

/**
 * The template store REST API: each operation of API_OPERATIONS parsed with
 * its schemas, audited if it changes something, and passed to the service
 * (which checks permissions).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, httpAuth, auditor, limits } = options;
  const handlers: Record<OperationId, OperationHandler<Caller>> = {
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

  const operations = Object.fromEntries(
    Object.entries<RoutedOperation>(API_OPERATIONS).map(([id, operation]) => [
      id,
      { query: NO_QUERY, ...operation },
    ]),
  ) as Record<OperationId, RoutedOperation>;
  return createOperationsRouter({
    operations,
    handlers,
    document: buildOpenApiDocument(),
    httpAuth,
    auditor,
    caller: callerOf,
    auditMeta: ({ params, body }, operation) => {
      // A dry run (an install's preview) changes nothing to record.
      if (body?.dryRun) return undefined;
      return {
        ...params,
        ...(operation.body === ARCHIVE_BODY
          ? { bytes: body.length }
          : { ...body, yaml: undefined, readme: undefined }),
      };
    },
    middleware: operation =>
      operation.body === ARCHIVE_BODY ? [archiveBody(limits)] : [],
    // Twice the YAML cap: JSON escapes; a YAML over the cap itself is refused by the service with 413.
    jsonLimit: limits.maxYamlBytes * 2 + 64 * 1024,
  });
}

/** The caller with the user (or service) the store records as author. */
function callerOf({ credentials }: OperationCaller): Caller {
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
