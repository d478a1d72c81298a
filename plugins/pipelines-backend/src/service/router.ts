import {
  createRouteHelpers,
  EntityScope,
  ReadableEntityScopes,
} from '@cairn/plugin-kubernetes-node';
import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  cancelBodySchema,
  entityRefQuerySchema,
  isPipelinesAvailable,
  objectPathSchema,
  PIPELINES_ANNOTATION,
  pipelinesRunCancelPermission,
  pipelinesRunCreatePermission,
  pipelinesRunDeletePermission,
  pipelinesRunReadPermission,
  pipelinesRunRerunPermission,
  rerunBodySchema,
  runsQuerySchema,
  startRunBodySchema,
  stepLogQuerySchema,
  stepLogSearchQuerySchema,
  TEKTON_CICD_ANNOTATION,
} from '@cairn/plugin-pipelines-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
import { StepLogService } from '../logs/StepLogService';
import { buildOpenApiDocument } from './openapi';
import { RunEvents } from './RunEvents';
import { addPipelineDefinitionRoutes } from './pipelineDefinitionRoutes';
import { PipelineDefinitionsService } from './PipelineDefinitionsService';
import { PipelineRunsService } from './PipelineRunsService';
import { parseInput } from './schemas';
import {
  addWebhookRoutes,
  DeliveryStore,
  WebhookDeliveries,
} from '../webhooks';

/** Dependencies of {@link createRouter}. @public */
export interface RouterOptions {
  service: PipelineRunsService;
  /** The pipeline builder's reads and writes of Pipelines. */
  definitions: PipelineDefinitionsService;
  logs: StepLogService;
  events: RunEvents;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  /** The Git webhook delivery log (`/webhooks/deliveries`). */
  webhooks: { deliveries: WebhookDeliveries; store: DeliveryStore };
  /** Registers what to do on shutdown (end the event streams). */
  onShutdown?: (hook: () => void) => void;
}

/**
 * The Pipelines REST API: a thin layer that validates input, resolves the
 * entity through the catalog as the caller, checks the permission with the
 * entity as resource, audits changes, and calls the service.
 * @public
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, logs, events } = options;
  const helpers = createRouteHelpers({
    ...options,
    objects: 'pipeline runs',
    entityRefOf: req =>
      parseInput(
        entityRefQuerySchema,
        { entityRef: req.query.entityRef },
        'query',
      ).entityRef,
  });
  const { authorizedScope, authorizedChange } = helpers;
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  // Open event streams, ended on shutdown so the server can stop.
  const closers = new Set<() => void>();
  options.onShutdown?.(() => {
    for (const close of [...closers]) close();
  });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const openApi = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  // The entities that opt in to Pipelines, with the annotations to find
  // their runs.
  const readableScopes = new ReadableEntityScopes({
    ...options,
    permission: pipelinesRunReadPermission,
    filter: [
      { [`metadata.annotations.${PIPELINES_ANNOTATION}`]: 'true' },
      { [`metadata.annotations.${TEKTON_CICD_ANNOTATION}`]: 'true' },
    ],
    isAvailable: isPipelinesAvailable,
  });
  /**
   * The entities a list or event stream covers: the one `?entityRef=`
   * names, once the caller may read its runs; without it, every entity whose
   * runs the caller may read.
   */
  async function listedScopes(req: Request): Promise<EntityScope[]> {
    if (req.query.entityRef === undefined) {
      return readableScopes.forCredentials(
        await options.httpAuth.credentials(req),
      );
    }
    const { scope } = await authorizedScope(req, pipelinesRunReadPermission);
    return [scope];
  }

  router.get('/runs', async (req, res) => {
    const query = parseInput(runsQuerySchema, req.query, 'query');
    res.json(await service.listRuns(await listedScopes(req), query));
  });

  router.get('/pipelines', async (req, res) => {
    res.json(await service.listPipelines(await listedScopes(req)));
  });

  router.get('/runs/events', async (req, res) => {
    const scopes = await listedScopes(req);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: the backend's compression would otherwise hold the
      // events back for browsers, which all accept gzip.
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    const subscription = events.listen(scopes, changes => {
      for (const change of changes) {
        res.write(
          `event: ${change.type}\ndata: ${JSON.stringify(change.run)}\n\n`,
        );
      }
    });
    // Comments keep proxies from closing an idle stream. A stream of every
    // readable entity also follows that set as it changes (entities added,
    // owners changed); while it cannot be resolved (e.g. the caller's token
    // has expired) the stream keeps the set it has.
    const everyEntity = req.query.entityRef === undefined;
    const heartbeat = setInterval(() => {
      res.write(': ping\n\n');
      if (!everyEntity) return;
      listedScopes(req).then(
        next => subscription.setScopes(next),
        () => {},
      );
    }, 25_000);
    let closed = false;
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      subscription.stop();
      closers.delete(close);
    };
    function close() {
      end();
      res.end();
    }
    closers.add(close);
    res.on('close', end);
  });

  router.get('/runs/:cluster/:namespace/:name', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    const { scope } = await authorizedScope(req, pipelinesRunReadPermission);
    res.json(await service.getRun(scope, cluster, namespace, name));
  });

  router.get('/runs/:cluster/:namespace/:name/logs', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    const { follow, ...query } = parseInput(
      stepLogQuerySchema.omit({ entityRef: true }),
      req.query,
      'query',
    );
    const { scope } = await authorizedScope(req, pipelinesRunReadPermission);
    const log = await logs.read(scope, cluster, namespace, name, {
      ...query,
      follow: follow === 'true',
    });
    res
      .status(200)
      .type('text/plain; charset=utf-8')
      .set({
        'X-Cairn-Log-Source': log.source,
        'X-Cairn-Log-Attempt': String(log.attempt),
        'X-Cairn-Log-Size': String(log.size),
        'X-Cairn-Log-Start': String(log.start),
        // Streamed from the archive as it grows: no buffering on the way.
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      });
    if (log.note) res.set('X-Cairn-Log-Note', encodeURIComponent(log.note));
    await pipeline(log.stream, res).catch(() => {
      // The client went away: the read stops with the stream.
    });
  });

  router.get(
    '/runs/:cluster/:namespace/:name/logs/search',
    async (req, res) => {
      const { cluster, namespace, name } = parseInput(
        objectPathSchema,
        req.params,
        'path',
      );
      const { q, ...query } = parseInput(
        stepLogSearchQuerySchema.omit({ entityRef: true }),
        req.query,
        'query',
      );
      const { scope } = await authorizedScope(req, pipelinesRunReadPermission);
      res.json(
        await logs.search(scope, cluster, namespace, name, {
          ...query,
          query: q,
        }),
      );
    },
  );

  router.post('/runs', async (req, res) => {
    const body = parseInput(startRunBodySchema, req.body ?? {}, 'body');
    const created = await authorizedChange(
      req,
      {
        eventId: 'pipeline-run-start',
        permission: pipelinesRunCreatePermission,
        meta: {
          cluster: body.cluster,
          namespace: body.namespace,
          pipeline: body.pipeline,
        },
      },
      ({ scope, userRef }) => service.startRun(scope, body, userRef),
    );
    res.status(201).json(created);
  });

  router.post('/runs/:cluster/:namespace/:name/rerun', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    const body = parseInput(rerunBodySchema, req.body ?? {}, 'body');
    const created = await authorizedChange(
      req,
      {
        eventId: 'pipeline-run-rerun',
        permission: pipelinesRunRerunPermission,
        meta: { cluster, namespace, name },
      },
      ({ scope, userRef }) =>
        service.rerun(scope, cluster, namespace, name, body.params, userRef),
    );
    res.status(201).json(created);
  });

  router.post('/runs/:cluster/:namespace/:name/cancel', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    const { mode } = parseInput(cancelBodySchema, req.body ?? {}, 'body');
    await authorizedChange(
      req,
      {
        eventId: 'pipeline-run-cancel',
        permission: pipelinesRunCancelPermission,
        meta: { cluster, namespace, name, mode },
      },
      ({ scope }) => service.cancel(scope, cluster, namespace, name, mode),
    );
    res.status(204).end();
  });

  // Starting a held run starts it: the permission to start runs, not the
  // one to cancel them.
  router.post('/runs/:cluster/:namespace/:name/start', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    await authorizedChange(
      req,
      {
        eventId: 'pipeline-run-start-pending',
        permission: pipelinesRunCreatePermission,
        meta: { cluster, namespace, name },
      },
      ({ scope }) => service.startPending(scope, cluster, namespace, name),
    );
    res.status(204).end();
  });

  router.delete('/runs/:cluster/:namespace/:name', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    await authorizedChange(
      req,
      {
        eventId: 'pipeline-run-delete',
        permission: pipelinesRunDeletePermission,
        meta: { cluster, namespace, name },
      },
      ({ scope }) => service.deleteRun(scope, cluster, namespace, name),
    );
    res.status(204).end();
  });

  addPipelineDefinitionRoutes(router, options.definitions, helpers);
  addWebhookRoutes(router, { ...options, ...options.webhooks });

  return router;
}
