import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  EntityScope,
  getEntityScope,
  ReadableEntityScopes,
} from '@cairn/plugin-kubernetes-node';
import {
  ApproveStageRequest,
  formatStageResourceRef,
  RollbackRequest,
  rolloutsStageApprovePermission,
  rolloutsStoneReadPermission,
  rolloutsUpdatePausePermission,
  rolloutsUpdateRollbackPermission,
  rolloutsUpdateStartPermission,
  StartUpdateRequest,
  StoneActionRequest,
  StoneDetail,
  StoneList,
  StoneRef,
  StoneSummary,
} from '@cairn/plugin-rollouts-common';
import { entityOwners, StageApprovalResource } from './permissionRules';
import { StonesService } from './StonesService';

/** Who calls, as the router knows them. */
export interface Caller {
  credentials: BackstageCredentials;
}

/** Applies a conditional decision on a stage, as the registered rules say. */
export type StageConditionAuthorizer = (
  decision: PolicyDecision,
  resource: StageApprovalResource,
) => boolean;

/** Options of {@link AuthorizedStonesService}. */
export interface AuthorizedStonesServiceOptions {
  service: StonesService;
  catalog: CatalogService;
  permissions: PermissionsService;
  /** The entities whose Stones a caller may read, for the list without an entity. */
  readableScopes: ReadableEntityScopes;
  isStageAllowed: StageConditionAuthorizer;
}

type EntityPermission = ResourcePermission<'catalog-entity'>;

/**
 * {@link StonesService} behind Cairn's permissions, as the catalog's
 * AuthorizedEntitiesCatalog wraps its catalog, so every entry point (the
 * router, or anything added later) is checked: reads need
 * `rollouts.stone.read` on the Stone's entity; starting an update
 * `rollouts.update.start`, pausing, resuming and aborting
 * `rollouts.update.pause`, rolling back `rollouts.update.rollback` on it;
 * approving a stage `rollouts.stage.approve` on that stage of the entity
 * (`<entityRef>|<stage>`), whose conditional decision is applied here to
 * the entity's owners and the stage. A refused caller changes nothing.
 */
export class AuthorizedStonesService {
  constructor(private readonly options: AuthorizedStonesServiceOptions) {}

  /** The entity's Stones, or without an entity those of every entity the caller may read. */
  async list(caller: Caller, entityRef?: string): Promise<StoneList> {
    if (entityRef === undefined) {
      const scopes = await this.options.readableScopes.forCredentials(
        caller.credentials,
      );
      return this.options.service.list(scopes);
    }
    const { scope } = await this.authorizeOnEntity(
      caller,
      entityRef,
      rolloutsStoneReadPermission,
    );
    return this.options.service.list([scope]);
  }

  async get(
    caller: Caller,
    entityRef: string,
    ref: StoneRef,
  ): Promise<StoneDetail> {
    const { scope } = await this.authorizeOnEntity(
      caller,
      entityRef,
      rolloutsStoneReadPermission,
    );
    return this.options.service.get(scope, ref);
  }

  async approve(
    caller: Caller,
    entityRef: string,
    ref: StoneRef,
    request: ApproveStageRequest,
  ): Promise<StoneSummary> {
    const entity = await this.entity(caller, entityRef);
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: rolloutsStageApprovePermission }],
      { credentials: caller.credentials },
    );
    const resource: StageApprovalResource = {
      entityRef,
      stage: request.stage,
      owners: entityOwners(entity),
    };
    if (!this.options.isStageAllowed(decision, resource)) {
      throw new NotAllowedError(
        `you may not approve stage ${
          request.stage
        } of ${entityRef}'s Stones (permission ${
          rolloutsStageApprovePermission.name
        } on ${formatStageResourceRef(
          resource,
        )}); approving stages is for the ops groups`,
      );
    }
    return this.options.service.approve(this.scopeOf(entity), ref, request, {
      userRef: userRefOf(caller),
    });
  }

  async startUpdate(
    caller: Caller,
    entityRef: string,
    ref: StoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneSummary> {
    const { scope } = await this.authorizeOnEntity(
      caller,
      entityRef,
      rolloutsUpdateStartPermission,
    );
    return this.options.service.startUpdate(scope, ref, request);
  }

  async setPaused(
    caller: Caller,
    entityRef: string,
    ref: StoneRef,
    request: StoneActionRequest,
    paused: boolean,
  ): Promise<StoneSummary> {
    const { scope } = await this.authorizeOnEntity(
      caller,
      entityRef,
      rolloutsUpdatePausePermission,
    );
    return this.options.service.setPaused(scope, ref, request, paused);
  }

  async abort(
    caller: Caller,
    entityRef: string,
    ref: StoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary> {
    const { scope } = await this.authorizeOnEntity(
      caller,
      entityRef,
      rolloutsUpdatePausePermission,
    );
    return this.options.service.abort(scope, ref, request);
  }

  async rollback(
    caller: Caller,
    entityRef: string,
    ref: StoneRef,
    request: RollbackRequest,
  ): Promise<StoneSummary> {
    const { scope } = await this.authorizeOnEntity(
      caller,
      entityRef,
      rolloutsUpdateRollbackPermission,
    );
    return this.options.service.rollback(scope, ref, request);
  }

  /** The entity as the caller may see it; 404 if they may not. */
  private async entity(caller: Caller, entityRef: string): Promise<Entity> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`entity ${entityRef} not found in the catalog`);
    }
    return entity;
  }

  private scopeOf(entity: Entity): EntityScope {
    return getEntityScope(entity);
  }

  private async authorizeOnEntity(
    caller: Caller,
    entityRef: string,
    permission: EntityPermission,
  ): Promise<{ scope: EntityScope }> {
    const entity = await this.entity(caller, entityRef);
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `you may not ${describe(permission)} of ${entityRef} (permission ${
          permission.name
        }); ask its owners or the ops group`,
      );
    }
    return { scope: this.scopeOf(entity) };
  }
}

function describe(permission: EntityPermission): string {
  switch (permission.name) {
    case rolloutsStoneReadPermission.name:
      return 'see the Stones';
    case rolloutsUpdateStartPermission.name:
      return 'start an update of the Stones';
    case rolloutsUpdatePausePermission.name:
      return 'pause, resume or abort an update of the Stones';
    default:
      return 'roll back the Stones';
  }
}

/** The user entity ref of the caller, for the approval history. */
export function userRefOf(caller: Caller): string {
  const principal = caller.credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}
