import { EntityAuthorizer, EntityCaller } from '@cairn/plugin-kubernetes-node';
import {
  CreatePipelineRequest,
  PipelineDefinition,
  pipelinesPipelineUpdatePermission,
  pipelinesRunReadPermission,
  UpdatePipelineRequest,
} from '@cairn/plugin-pipelines-common';
import { PipelineLocation } from './pipelineDefinition';
import { PipelineDefinitionsService } from './PipelineDefinitionsService';

/** What refusals call the objects of these permissions. */
const PIPELINES = 'pipelines';

/** The audit record of a saved Pipeline: the version it was saved as. */
const savedVersion = (saved: PipelineDefinition) => ({
  resourceVersion: saved.resourceVersion,
});

/**
 * {@link PipelineDefinitionsService} (the pipeline builder's reads and
 * writes of an entity's Pipelines) behind the Pipelines permissions: reads
 * need `pipelines.run.read` on the entity, creating and replacing a
 * Pipeline `pipelines.pipeline.update`, audited, a denial as a failed
 * event. Every call names the entity by ref and carries the caller's
 * credentials.
 * @public
 */
export class AuthorizedPipelineDefinitionsService {
  constructor(
    private readonly service: PipelineDefinitionsService,
    private readonly authorizer: EntityAuthorizer,
  ) {}

  async targets(entityRef: string, caller: EntityCaller) {
    return this.service.targets(await this.readableScope(entityRef, caller));
  }

  async listTasks(
    entityRef: string,
    cluster: string,
    namespace: string,
    caller: EntityCaller,
  ) {
    const scope = await this.readableScope(entityRef, caller);
    return this.service.listTasks(scope, cluster, namespace);
  }

  async getPipeline(
    entityRef: string,
    where: PipelineLocation,
    caller: EntityCaller,
  ) {
    const scope = await this.readableScope(entityRef, caller);
    return this.service.getPipeline(scope, where);
  }

  async createPipeline(
    entityRef: string,
    request: CreatePipelineRequest,
    caller: EntityCaller,
  ): Promise<PipelineDefinition> {
    const { cluster, namespace } = request;
    return this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-definition-create',
        permission: pipelinesPipelineUpdatePermission,
        objects: PIPELINES,
        meta: { cluster, namespace, name: request.pipeline.metadata.name },
        auditResult: savedVersion,
      },
      caller,
      ({ scope }) => this.service.createPipeline(scope, request),
    );
  }

  async updatePipeline(
    entityRef: string,
    where: PipelineLocation,
    request: UpdatePipelineRequest,
    caller: EntityCaller,
  ): Promise<PipelineDefinition> {
    return this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-definition-update',
        permission: pipelinesPipelineUpdatePermission,
        objects: PIPELINES,
        meta: { ...where, loadedResourceVersion: request.resourceVersion },
        auditResult: savedVersion,
      },
      caller,
      ({ scope }) => this.service.updatePipeline(scope, where, request),
    );
  }

  private async readableScope(entityRef: string, caller: EntityCaller) {
    const { scope } = await this.authorizer.authorize(
      entityRef,
      pipelinesRunReadPermission,
      caller,
      PIPELINES,
    );
    return scope;
  }
}
