import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Every Pipelines permission is a resource permission on the catalog entity
 * the runs belong to, so Cairn's policy ("owners of the entity and the ops
 * group") decides it with the catalog's IS_ENTITY_OWNER conditional rule.
 */
const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

/**
 * See an entity's pipeline runs, their task runs and logs.
 * @public
 */
export const pipelinesRunReadPermission = createPermission({
  name: 'pipelines.run.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Start a new run of one of an entity's pipelines, or one created held
 * (`spec.status: PipelineRunPending`).
 * @public
 */
export const pipelinesRunCreatePermission = createPermission({
  name: 'pipelines.run.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Rerun an existing run, possibly with changed params. Separate from
 * starting a run so a policy can allow repeating a run without allowing new
 * inputs; it creates a run, hence the `create` action.
 * @public
 */
export const pipelinesRunRerunPermission = createPermission({
  name: 'pipelines.run.rerun',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Cancel or stop a run (any of Tekton's three modes): each changes the run's
 * `spec.status`. Starting a run held pending is starting a run
 * ({@link pipelinesRunCreatePermission}).
 * @public
 */
export const pipelinesRunCancelPermission = createPermission({
  name: 'pipelines.run.cancel',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Delete a run (with its task runs and pods).
 * @public
 */
export const pipelinesRunDeletePermission = createPermission({
  name: 'pipelines.run.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Create, change or delete an entity's Pipeline definitions (the builder).
 * @public
 */
export const pipelinesPipelineUpdatePermission = createPermission({
  name: 'pipelines.pipeline.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission of the Pipelines feature, for the backend to register.
 * @public
 */
export const pipelinesPermissions = [
  pipelinesRunReadPermission,
  pipelinesRunCreatePermission,
  pipelinesRunRerunPermission,
  pipelinesRunCancelPermission,
  pipelinesRunDeletePermission,
  pipelinesPipelineUpdatePermission,
];
