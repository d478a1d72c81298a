import {
  AuditorService,
  AuditorServiceEvent,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
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
 * What the routes of a Kubernetes-facing plugin share: permission checks on
 * the entity a request is about, and audited changes.
 * @public
 */
export interface RouteHelpers {
  /**
   * The entity the request is about (`?entityRef=`), as the caller may see
   * it, once the caller holds the permission on it. `objects` names what the
   * permission is about in the refusal (the helpers' `objects` by default).
   */
  authorizedScope(
    req: Request,
    permission: ResourcePermission | BasicPermission,
    objects?: string,
  ): Promise<{ scope: EntityScope; userRef: string }>;
  /**
   * Runs a change of the entity the request is about (`?entityRef=`) once
   * the caller holds `permission` on it, recording it with the auditor as
   * Backstage's own plugins do: the event is created first, so a denied
   * request is recorded as failed with its reason, like any other failure.
   * The event's meta names the entity besides `meta`.
   */
  authorizedChange<T>(
    req: Request,
    change: {
      eventId: string;
      permission: ResourcePermission | BasicPermission;
      /** What the permission is about, in the refusal (the helpers' `objects` by default). */
      objects?: string;
      meta: AuditMeta;
    },
    action: (caller: { scope: EntityScope; userRef: string }) => Promise<T>,
  ): Promise<T>;
}

/** Options of {@link createRouteHelpers}. @public */
export interface RouteHelpersOptions {
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /**
   * What the plugin's objects are called in refusals and in the message of
   * an entity without the annotations to find them, e.g. "pipeline runs"
   * (default "Kubernetes objects").
   */
  objects?: string;
  /**
   * The entity ref a request is about, validated: an InputError otherwise
   * (default: the `entityRef` query parameter, as the catalog parses refs).
   */
  entityRefOf?: (req: Request) => string;
}

/** The `entityRef` query parameter, as the catalog parses entity refs. */
function entityRefQuery(req: Request): string {
  const value = req.query.entityRef;
  if (typeof value !== 'string' || !value) {
    throw new InputError(
      'invalid query: entityRef is required, e.g. component:default/shop',
    );
  }
  try {
    return stringifyEntityRef(parseEntityRef(value));
  } catch (error) {
    throw new InputError(
      `invalid query: entityRef ${JSON.stringify(
        value,
      )} is not an entity ref: ${(error as Error).message}`,
    );
  }
}

/**
 * The shared route helpers over a plugin's services.
 * @public
 */
export function createRouteHelpers(options: RouteHelpersOptions): RouteHelpers {
  const { catalog, httpAuth, permissions, auditor } = options;
  const defaultObjects = options.objects ?? 'Kubernetes objects';
  const entityRefOf = options.entityRefOf ?? entityRefQuery;

  async function authorizedScope(
    req: Request,
    permission: ResourcePermission | BasicPermission,
    objects = defaultObjects,
  ): Promise<{ scope: EntityScope; userRef: string }> {
    const entityRef = entityRefOf(req);
    const credentials = await httpAuth.credentials(req);
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
    const principal = credentials.principal as {
      userEntityRef?: string;
      subject?: string;
    };
    return {
      scope: getEntityScope(entity, defaultObjects),
      userRef: principal.userEntityRef ?? principal.subject ?? 'unknown',
    };
  }

  async function authorizedChange<T>(
    req: Request,
    change: {
      eventId: string;
      permission: ResourcePermission | BasicPermission;
      objects?: string;
      meta: AuditMeta;
    },
    action: (caller: { scope: EntityScope; userRef: string }) => Promise<T>,
  ): Promise<T> {
    const entityRef = entityRefOf(req);
    const event: AuditorServiceEvent = await auditor.createEvent({
      eventId: change.eventId,
      severityLevel: 'medium',
      request: req,
      meta: { entityRef, ...change.meta },
    });
    try {
      const caller = await authorizedScope(
        req,
        change.permission,
        change.objects,
      );
      const result = await action(caller);
      await event.success(
        result
          ? { meta: { result: result as unknown as AuditMeta } }
          : undefined,
      );
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  return { authorizedScope, authorizedChange };
}
