import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';
import { EntityScope } from './entityScope';
import {
  AuditMeta,
  AuthorizedEntity,
  EntityAuthorizer,
} from './EntityAuthorizer';

export type { AuditMeta } from './EntityAuthorizer';

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
 * The shared route helpers over a plugin's services: the request's entity
 * and credentials handed to an {@link EntityAuthorizer}.
 * @public
 */
export function createRouteHelpers(options: RouteHelpersOptions): RouteHelpers {
  const { httpAuth } = options;
  const authorizer = new EntityAuthorizer(options);
  const entityRefOf = options.entityRefOf ?? entityRefQuery;

  async function authorizedScope(
    req: Request,
    permission: ResourcePermission | BasicPermission,
    objects?: string,
  ): Promise<AuthorizedEntity> {
    const entityRef = entityRefOf(req);
    const credentials = await httpAuth.credentials(req);
    return authorizer.authorize(
      entityRef,
      permission,
      { credentials, request: req },
      objects,
    );
  }

  async function authorizedChange<T>(
    req: Request,
    change: {
      eventId: string;
      permission: ResourcePermission | BasicPermission;
      objects?: string;
      meta: AuditMeta;
    },
    action: (caller: AuthorizedEntity) => Promise<T>,
  ): Promise<T> {
    const entityRef = entityRefOf(req);
    const credentials = await httpAuth.credentials(req);
    return authorizer.change(
      entityRef,
      change,
      { credentials, request: req },
      action,
    );
  }

  return { authorizedScope, authorizedChange };
}
