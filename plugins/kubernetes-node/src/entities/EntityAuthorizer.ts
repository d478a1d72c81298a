import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';
import { EntityScope, getEntityScope } from './entityScope';

/** Metadata of an audit event. @public */
export type AuditMeta = NonNullable<
  Parameters<AuditorService['createEvent']>[0]['meta']
>;

/**
 * Who calls an authorized service: their credentials, and the HTTP request
 * when there is one (the audit record takes its actor, IP and URL from it).
 * @public
 */
export interface EntityCaller {
  credentials: BackstageCredentials;
  request?: Request;
}

/** The entity a call is about, once the caller may act on it. @public */
export interface AuthorizedEntity {
  scope: EntityScope;
  /** The caller's user entity ref (or service subject). */
  userRef: string;
}

/** A change {@link EntityAuthorizer.change} checks and audits. @public */
export interface EntityChange<T> {
  eventId: string;
  permission: ResourcePermission | BasicPermission;
  /** What the permission is about, in the refusal (the authorizer's `objects` by default). */
  objects?: string;
  meta: AuditMeta;
  /** What the audit record keeps of the result (default: the result itself). */
  auditResult?: (result: T) => AuditMeta | undefined;
}

/** Options of {@link EntityAuthorizer}. @public */
export interface EntityAuthorizerOptions {
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /**
   * What the plugin's objects are called in refusals and in the message of
   * an entity without the annotations to find them, e.g. "pipeline runs"
   * (default "Kubernetes objects").
   */
  objects?: string;
}

function userRefOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

/**
 * The permission check every Authorized* service of a Kubernetes-facing
 * plugin makes, whatever calls it (a route, an action, a scheduled task):
 * the caller must see the entity in the catalog and hold the permission on
 * it; changes are recorded with the auditor, a denial as a failed event.
 * @public
 */
export class EntityAuthorizer {
  private readonly objects: string;

  constructor(private readonly options: EntityAuthorizerOptions) {
    this.objects = options.objects ?? 'Kubernetes objects';
  }

  /**
   * The entity `entityRef` names, as the caller may see it, once the caller
   * holds `permission` on it: a NotFoundError if the caller cannot see it, a
   * NotAllowedError naming the permission otherwise.
   */
  async authorize(
    entityRef: string,
    permission: ResourcePermission | BasicPermission,
    caller: EntityCaller,
    objects: string = this.objects,
  ): Promise<AuthorizedEntity> {
    const { catalog, permissions } = this.options;
    const { credentials } = caller;
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`entity ${entityRef} not found in the catalog`);
    }
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef } as any],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `you may not ${
          permission.attributes.action ?? 'use'
        } ${objects} of ${entityRef} (permission ${
          permission.name
        }); ask its owners or the ops group`,
      );
    }
    return {
      scope: getEntityScope(entity, this.objects),
      userRef: userRefOf(credentials),
    };
  }

  /**
   * Runs a change of the entity once the caller holds the change's
   * permission on it, recording it as Backstage's own plugins do: the event
   * is created first, so a denied change is recorded as failed with its
   * reason, like any other failure. The event's meta names the entity (and,
   * without an HTTP request to take the actor from, the caller).
   */
  async change<T>(
    entityRef: string,
    change: EntityChange<T>,
    caller: EntityCaller,
    action: (entity: AuthorizedEntity) => Promise<T>,
  ): Promise<T> {
    const event = await this.options.auditor.createEvent({
      eventId: change.eventId,
      severityLevel: 'medium',
      request: caller.request,
      meta: {
        entityRef,
        ...(caller.request
          ? {}
          : { onBehalfOf: userRefOf(caller.credentials) }),
        ...change.meta,
      },
    });
    try {
      const entity = await this.authorize(
        entityRef,
        change.permission,
        caller,
        change.objects,
      );
      const result = await action(entity);
      const audited = change.auditResult
        ? change.auditResult(result)
        : (result as unknown as AuditMeta | undefined);
      await event.success(audited ? { meta: { result: audited } } : undefined);
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
}
