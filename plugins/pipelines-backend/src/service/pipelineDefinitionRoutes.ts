import {
  createPipelineBodySchema,
  objectPathSchema,
  PipelineDefinition,
  pipelinesPipelineUpdatePermission,
  pipelinesRunReadPermission,
  tasksQuerySchema,
  updatePipelineBodySchema,
} from '@cairn/plugin-pipelines-common';
import Router from 'express-promise-router';
import { PipelineDefinitionsService } from './PipelineDefinitionsService';
import { RouteHelpers } from '@cairn/plugin-kubernetes-node';
import { parseInput } from './schemas';

const PIPELINES = 'pipelines';

/**
 * The pipeline builder's routes: read, create and replace an entity's
 * Pipelines, and list the Tasks and targets a new one can use. Reads need
 * `pipelines.run.read`, writes `pipelines.pipeline.update` on the entity.
 */
export function addPipelineDefinitionRoutes(
  router: ReturnType<typeof Router>,
  definitions: PipelineDefinitionsService,
  { authorizedScope, authorizedChange }: RouteHelpers,
): void {
  router.get('/targets', async (req, res) => {
    const { scope } = await authorizedScope(
      req,
      pipelinesRunReadPermission,
      PIPELINES,
    );
    res.json(definitions.targets(scope));
  });

  router.get('/tasks', async (req, res) => {
    const { cluster, namespace } = parseInput(
      tasksQuerySchema,
      req.query,
      'query',
    );
    const { scope } = await authorizedScope(
      req,
      pipelinesRunReadPermission,
      PIPELINES,
    );
    res.json(await definitions.listTasks(scope, cluster, namespace));
  });

  router.get('/pipelines/:cluster/:namespace/:name', async (req, res) => {
    const where = parseInput(objectPathSchema, req.params, 'path');
    const { scope } = await authorizedScope(
      req,
      pipelinesRunReadPermission,
      PIPELINES,
    );
    res.json(await definitions.getPipeline(scope, where));
  });

  router.post('/pipelines', async (req, res) => {
    const body = parseInput(createPipelineBodySchema, req.body ?? {}, 'body');
    const { cluster, namespace } = body;
    const name = body.pipeline.metadata.name;
    let created!: PipelineDefinition;
    await authorizedChange(
      req,
      {
        eventId: 'pipeline-definition-create',
        permission: pipelinesPipelineUpdatePermission,
        objects: PIPELINES,
        meta: { cluster, namespace, name },
      },
      async ({ scope }) => {
        created = await definitions.createPipeline(scope, body);
        return { resourceVersion: created.resourceVersion };
      },
    );
    res.status(201).json(created);
  });

  router.put('/pipelines/:cluster/:namespace/:name', async (req, res) => {
    const where = parseInput(objectPathSchema, req.params, 'path');
    const body = parseInput(updatePipelineBodySchema, req.body ?? {}, 'body');
    let updated!: PipelineDefinition;
    await authorizedChange(
      req,
      {
        eventId: 'pipeline-definition-update',
        permission: pipelinesPipelineUpdatePermission,
        objects: PIPELINES,
        meta: { ...where, loadedResourceVersion: body.resourceVersion },
      },
      async ({ scope }) => {
        updated = await definitions.updatePipeline(scope, where, body);
        return { resourceVersion: updated.resourceVersion };
      },
    );
    res.json(updated);
  });
}
