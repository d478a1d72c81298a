import {
  AuditorService,
  AuditorServiceEvent,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { entityRefQuerySchema } from '@cairn/plugin-pipelines-common';
import { Request } from 'express';
import { EntityScope, getEntityScope } from './entityScope';
import { parseInput } from './schemas';

/** Metadata of an audit event. */
export type AuditMeta = NonNullable<
  Parameters<AuditorService['createEvent']>[0]['meta']
>;

/** What every route of the Pipelines API shares. */
export interface RouteHelpers {
  /**
   * The entity the request is about (`?entityRef=`), as the caller may see
   * it, once the caller holds the permission on it. `objects` names what the
   * permission is about in the refusal ("pipeline runs" by default).
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
      /** What the permission is about, in the refusal ("pipeline runs" by default). */
      objects?: string;
      meta: AuditMeta;
    },
    action: (caller: { scope: EntityScope; userRef: string }) => Promise<T>,
  ): Promise<T>;
}

/** The shared route helpers over the plugin's services. */
export function createRouteHelpers(options: {
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}): RouteHelpers {
  const { catalog, httpAuth, permissions, auditor } = options;

  async function authorizedScope(
    req: Request,
    permission: ResourcePermission | BasicPermission,
    objects = 'pipeline runs',
  ): Promise<{ scope: EntityScope; userRef: string }> {
    const { entityRef } = parseInput(
      entityRefQuerySchema,
      { entityRef: req.query.entityRef },
      'query',
    );
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
      scope: getEntityScope(entity),
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
    const { entityRef } = parseInput(
      entityRefQuerySchema,
      { entityRef: req.query.entityRef },
      'query',
    );
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
