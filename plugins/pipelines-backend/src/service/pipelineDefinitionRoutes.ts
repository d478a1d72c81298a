import { EntityCaller } from '@cairn/plugin-kubernetes-node';
import {
  createPipelineBodySchema,
  tasksQuerySchema,
  updatePipelineBodySchema,
} from '@cairn/plugin-pipelines-common';
import { objectPathSchema } from '@cairn/request-schemas';
import { Request } from 'express';
import Router from 'express-promise-router';
import { AuthorizedPipelineDefinitionsService } from './AuthorizedPipelineDefinitionsService';
import { entityRefOf } from './entityRefOf';
import { parseInput } from './schemas';

/**
 * The pipeline builder's routes: read, create and replace an entity's
 * Pipelines, and list the Tasks and targets a new one can use.
 */
export function addPipelineDefinitionRoutes(
  router: ReturnType<typeof Router>,
  definitions: AuthorizedPipelineDefinitionsService,
  callerOf: (req: Request) => Promise<EntityCaller>,
): void {
  router.get('/targets', async (req, res) => {
    res.json(await definitions.targets(entityRefOf(req), await callerOf(req)));
  });

  router.get('/tasks', async (req, res) => {
    const { cluster, namespace } = parseInput(
      tasksQuerySchema,
      req.query,
      'query',
    );
    res.json(
      await definitions.listTasks(
        entityRefOf(req),
        cluster,
        namespace,
        await callerOf(req),
      ),
    );
  });

  router.get('/pipelines/:cluster/:namespace/:name', async (req, res) => {
    const where = parseInput(objectPathSchema, req.params, 'path');
    res.json(
      await definitions.getPipeline(
        entityRefOf(req),
        where,
        await callerOf(req),
      ),
    );
  });

  router.post('/pipelines', async (req, res) => {
    const body = parseInput(createPipelineBodySchema, req.body ?? {}, 'body');
    res
      .status(201)
      .json(
        await definitions.createPipeline(
          entityRefOf(req),
          body,
          await callerOf(req),
        ),
      );
  });

  router.put('/pipelines/:cluster/:namespace/:name', async (req, res) => {
    const where = parseInput(objectPathSchema, req.params, 'path');
    const body = parseInput(updatePipelineBodySchema, req.body ?? {}, 'body');
    res.json(
      await definitions.updatePipeline(
        entityRefOf(req),
        where,
        body,
        await callerOf(req),
      ),
    );
  });
}
