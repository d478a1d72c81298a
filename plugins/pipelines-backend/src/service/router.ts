import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { EntityCaller } from '@cairn/plugin-kubernetes-node';
import {
  cancelBodySchema,
  rerunBodySchema,
  runsQuerySchema,
  startRunBodySchema,
  stepLogQuerySchema,
  stepLogSearchQuerySchema,
} from '@cairn/plugin-pipelines-common';
import { objectPathSchema } from '@cairn/request-schemas';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
import { addWebhookRoutes, AuthorizedWebhookDeliveries } from '../webhooks';
import { AuthorizedPipelineDefinitionsService } from './AuthorizedPipelineDefinitionsService';
import { AuthorizedPipelineRunsService } from './AuthorizedPipelineRunsService';
import { AuthorizedStepLogService } from './AuthorizedStepLogService';
import { buildOpenApiDocument } from './openapi';
import { addPipelineDefinitionRoutes } from './pipelineDefinitionRoutes';
import { RunEvents } from './RunEvents';
import { entityRefOf } from './entityRefOf';
import { parseInput } from './schemas';

/** Dependencies of {@link createRouter}: the services behind the permissions. @public */
export interface RouterOptions {
  runs: AuthorizedPipelineRunsService;
  /** The pipeline builder's reads and writes of Pipelines. */
  definitions: AuthorizedPipelineDefinitionsService;
  logs: AuthorizedStepLogService;
  events: RunEvents;
  /** The Git webhook delivery log (`/webhooks/deliveries`). */
  webhooks: AuthorizedWebhookDeliveries;
  httpAuth: HttpAuthService;
  logger: LoggerService;
  /** Registers what to do on shutdown (end the event streams). */
  onShutdown?: (hook: () => void) => void;
}

/**
 * The Pipelines REST API: a thin layer that validates input, takes the
 * caller's credentials and calls the Authorized* services, which check the
 * permissions and audit changes.
 * @public
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { runs, logs, events } = options;
  const callerOf = async (req: Request): Promise<EntityCaller> => ({
    credentials: await options.httpAuth.credentials(req),
    request: req,
  });
  /** The entity `?entityRef=` names, or every readable one without it. */
  const listedEntityRef = (req: Request) =>
    req.query.entityRef === undefined ? undefined : entityRefOf(req);
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

  router.get('/runs', async (req, res) => {
    const query = parseInput(runsQuerySchema, req.query, 'query');
    res.json(
      await runs.listRuns(listedEntityRef(req), query, await callerOf(req)),
    );
  });

  router.get('/pipelines', async (req, res) => {
    res.json(
      await runs.listPipelines(listedEntityRef(req), await callerOf(req)),
    );
  });

  router.get('/runs/events', async (req, res) => {
    const entityRef = listedEntityRef(req);
    const caller = await callerOf(req);
    const scopes = await runs.readableScopes(entityRef, caller);
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
    const heartbeat = setInterval(() => {
      res.write(': ping\n\n');
      if (entityRef !== undefined) return;
      callerOf(req)
        .then(latest => runs.readableScopes(undefined, latest))
        .then(
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
    res.json(
      await runs.getRun(
        entityRefOf(req),
        cluster,
        namespace,
        name,
        await callerOf(req),
      ),
    );
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
    const log = await logs.read(
      entityRefOf(req),
      cluster,
      namespace,
      name,
      { ...query, follow: follow === 'true' },
      await callerOf(req),
    );
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
      res.json(
        await logs.search(
          entityRefOf(req),
          cluster,
          namespace,
          name,
          { ...query, query: q },
          await callerOf(req),
        ),
      );
    },
  );

  router.post('/runs', async (req, res) => {
    const body = parseInput(startRunBodySchema, req.body ?? {}, 'body');
    res
      .status(201)
      .json(await runs.startRun(entityRefOf(req), body, await callerOf(req)));
  });

  router.post('/runs/:cluster/:namespace/:name/rerun', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    const body = parseInput(rerunBodySchema, req.body ?? {}, 'body');
    res
      .status(201)
      .json(
        await runs.rerun(
          entityRefOf(req),
          cluster,
          namespace,
          name,
          body.params,
          await callerOf(req),
        ),
      );
  });

  router.post('/runs/:cluster/:namespace/:name/cancel', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    const { mode } = parseInput(cancelBodySchema, req.body ?? {}, 'body');
    await runs.cancel(
      entityRefOf(req),
      cluster,
      namespace,
      name,
      mode,
      await callerOf(req),
    );
    res.status(204).end();
  });

  router.post('/runs/:cluster/:namespace/:name/start', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    await runs.startPending(
      entityRefOf(req),
      cluster,
      namespace,
      name,
      await callerOf(req),
    );
    res.status(204).end();
  });

  router.delete('/runs/:cluster/:namespace/:name', async (req, res) => {
    const { cluster, namespace, name } = parseInput(
      objectPathSchema,
      req.params,
      'path',
    );
    await runs.deleteRun(
      entityRefOf(req),
      cluster,
      namespace,
      name,
      await callerOf(req),
    );
    res.status(204).end();
  });

  addPipelineDefinitionRoutes(router, options.definitions, callerOf);
  addWebhookRoutes(router, options);

  return router;
}
