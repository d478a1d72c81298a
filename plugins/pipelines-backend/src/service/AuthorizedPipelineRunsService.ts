import { PermissionsService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityAuthorizer,
  EntityCaller,
  EntityScope,
  ReadableEntityScopes,
} from '@cairn/plugin-kubernetes-node';
import {
  CancelMode,
  isPipelinesAvailable,
  PIPELINES_ANNOTATION,
  pipelinesRunCancelPermission,
  pipelinesRunCreatePermission,
  pipelinesRunDeletePermission,
  pipelinesRunReadPermission,
  pipelinesRunRerunPermission,
  StartRunBody,
  TEKTON_CICD_ANNOTATION,
} from '@cairn/plugin-pipelines-common';
import { ListRunsRequest, PipelineRunsService } from './PipelineRunsService';

/** Options of {@link AuthorizedPipelineRunsService}. @public */
export interface AuthorizedPipelineRunsServiceOptions {
  /** Checks the permissions on the entity and audits changes. */
  authorizer: EntityAuthorizer;
  catalog: CatalogService;
  permissions: PermissionsService;
}

/**
 * {@link PipelineRunsService} behind the Pipelines permissions, as the
 * catalog's AuthorizedEntitiesCatalog wraps its catalog: every call names
 * the entity by ref and carries the caller's credentials, so a route, an
 * action or a scheduled task gets the same checks and audit records. Reads
 * need `pipelines.run.read` on the entity; starting (also a held run),
 * rerunning, cancelling and deleting need their own permission, and are
 * audited, a denial as a failed event.
 * @public
 */
export class AuthorizedPipelineRunsService {
  private readonly authorizer: EntityAuthorizer;
  /** The entities that opt in to Pipelines, with the annotations to find their runs. */
  private readonly readable: ReadableEntityScopes;

  constructor(
    private readonly service: PipelineRunsService,
    options: AuthorizedPipelineRunsServiceOptions,
  ) {
    this.authorizer = options.authorizer;
    this.readable = new ReadableEntityScopes({
      ...options,
      permission: pipelinesRunReadPermission,
      filter: [
        { [`metadata.annotations.${PIPELINES_ANNOTATION}`]: 'true' },
        { [`metadata.annotations.${TEKTON_CICD_ANNOTATION}`]: 'true' },
      ],
      isAvailable: isPipelinesAvailable,
    });
  }

  /**
   * The entities a list or event stream covers: the one `entityRef` names,
   * once the caller may read its runs; without it, every entity whose runs
   * the caller may read.
   */
  async readableScopes(
    entityRef: string | undefined,
    caller: EntityCaller,
  ): Promise<EntityScope[]> {
    if (entityRef === undefined) {
      return this.readable.forCredentials(caller.credentials);
    }
    return [await this.readableScope(entityRef, caller)];
  }

  /** The entity `entityRef` names, once the caller may read its runs. */
  async readableScope(
    entityRef: string,
    caller: EntityCaller,
  ): Promise<EntityScope> {
    const { scope } = await this.authorizer.authorize(
      entityRef,
      pipelinesRunReadPermission,
      caller,
    );
    return scope;
  }

  async listRuns(
    entityRef: string | undefined,
    request: ListRunsRequest,
    caller: EntityCaller,
  ) {
    return this.service.listRuns(
      await this.readableScopes(entityRef, caller),
      request,
    );
  }

  async listPipelines(entityRef: string | undefined, caller: EntityCaller) {
    return this.service.listPipelines(
      await this.readableScopes(entityRef, caller),
    );
  }

  async getRun(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    caller: EntityCaller,
  ) {
    const scope = await this.readableScope(entityRef, caller);
    return this.service.getRun(scope, cluster, namespace, name);
  }

  async startRun(
    entityRef: string,
    request: StartRunBody,
    caller: EntityCaller,
  ) {
    const { cluster, namespace, pipeline } = request;
    return this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-run-start',
        permission: pipelinesRunCreatePermission,
        meta: { cluster, namespace, pipeline },
      },
      caller,
      ({ scope, userRef }) => this.service.startRun(scope, request, userRef),
    );
  }

  async rerun(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    paramChanges: Record<string, unknown>,
    caller: EntityCaller,
  ) {
    return this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-run-rerun',
        permission: pipelinesRunRerunPermission,
        meta: { cluster, namespace, name },
      },
      caller,
      ({ scope, userRef }) =>
        this.service.rerun(
          scope,
          cluster,
          namespace,
          name,
          paramChanges,
          userRef,
        ),
    );
  }

  async cancel(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    mode: CancelMode,
    caller: EntityCaller,
  ): Promise<void> {
    await this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-run-cancel',
        permission: pipelinesRunCancelPermission,
        meta: { cluster, namespace, name, mode },
      },
      caller,
      ({ scope }) => this.service.cancel(scope, cluster, namespace, name, mode),
    );
  }

  /** Starting a held run starts it: the permission to start runs, not the one to cancel them. */
  async startPending(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    caller: EntityCaller,
  ): Promise<void> {
    await this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-run-start-pending',
        permission: pipelinesRunCreatePermission,
        meta: { cluster, namespace, name },
      },
      caller,
      ({ scope }) => this.service.startPending(scope, cluster, namespace, name),
    );
  }

  async deleteRun(
    entityRef: string,
    cluster: string,
    namespace: string,
    name: string,
    caller: EntityCaller,
  ): Promise<void> {
    await this.authorizer.change(
      entityRef,
      {
        eventId: 'pipeline-run-delete',
        permission: pipelinesRunDeletePermission,
        meta: { cluster, namespace, name },
      },
      caller,
      ({ scope }) => this.service.deleteRun(scope, cluster, namespace, name),
    );
  }
}
