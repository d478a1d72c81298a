import { PermissionsService } from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { ClusterAccess, EntityAuthorizer } from '@cairn/plugin-kubernetes-node';
import { CairnPermissionPolicy } from '@cairn/plugin-permission-backend-module-cairn';
import express from 'express';
import { Knex } from 'knex';
import request from 'supertest';
import { CatalogImporter } from '../import/CatalogImporter';
import { DEFAULT_LIMITS, ImportLimits } from '../import/limits';
import { TemplateInstaller } from '../install/TemplateInstaller';
import { AuthorizedTemplateStoreService } from '../service/AuthorizedTemplateStoreService';
import { DefaultTemplateStoreService } from '../service/DefaultTemplateStoreService';
import { isTemplateOwnerRule } from '../service/permissionRules';
import { createRouter } from '../service/router';
import { DatabaseTemplateStore } from '../store/DatabaseTemplateStore';

/** The users of the tests and the groups they belong to. */
export const USERS: Record<string, string[]> = {
  'user:default/olga': ['group:default/ops'],
  'user:default/pia': ['group:default/platform'],
  'user:default/dan': ['group:default/team-payments'],
};

/**
 * Decides as the portal does: Cairn's policy with `group:default/ops` as
 * ops, the caller's groups as their ownership claims. A conditional
 * decision on a catalog entity (owners may change their entities) is
 * applied to the entity's `spec.owner`, as the catalog applies it.
 */
export function cairnPermissions(entities: Entity[] = []): PermissionsService {
  const ownerOf = new Map(
    entities.map(e => [
      stringifyEntityRef(e),
      `group:default/${String(e.spec?.owner).replace(
        /^group:(default\/)?/,
        '',
      )}`,
    ]),
  );
  const policy = new CairnPermissionPolicy({
    opsGroups: ['group:default/ops'],
  });
  const decide = async (permission: any, credentials: any) => {
    // Backstage's ServerPermissionClient allows services without a policy.
    if (credentials.principal.type === 'service') {
      return { result: AuthorizeResult.ALLOW } as const;
    }
    const userEntityRef = credentials.principal.userEntityRef;
    return policy.handle(
      { permission },
      userEntityRef
        ? ({
            info: {
              userEntityRef,
              ownershipEntityRefs: [
                userEntityRef,
                ...(USERS[userEntityRef] ?? []),
              ],
            },
          } as any)
        : undefined,
    );
  };
  return {
    authorize: async (requests, { credentials }) =>
      Promise.all(
        requests.map(async r => {
          const decision = await decide(r.permission, credentials);
          if (decision.result !== 'CONDITIONAL') return decision;
          const resourceRef = (r as { resourceRef?: string }).resourceRef;
          const condition = decision.conditions as unknown as {
            rule: string;
            params: { claims: string[] };
          };
          if (!resourceRef || condition.rule !== 'IS_ENTITY_OWNER')
            throw new Error('unexpected conditional decision');
          const owner = ownerOf.get(resourceRef);
          return {
            result:
              owner && condition.params.claims.includes(owner)
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          };
        }),
      ),
    authorizeConditional: async (requests, { credentials }) =>
      Promise.all(requests.map(r => decide(r.permission, credentials))) as any,
  };
}

/** What a test router runs with besides its database. */
export interface TestRouterOptions {
  limits?: ImportLimits;
  /** The clusters installs go to (none by default). */
  clusters?: ClusterAccess;
  /** The catalog's entities. */
  entities?: Entity[];
}

/** The router over the store on a test database, with Backstage's error handler. */
export async function startTestRouter(
  knex: Knex,
  options: TestRouterOptions = {},
) {
  const {
    limits = DEFAULT_LIMITS,
    clusters = new ClusterAccess([]),
    entities = [],
  } = options;
  const catalog = catalogServiceMock({ entities });
  const permissions = cairnPermissions(entities);
  const store = await DatabaseTemplateStore.create(
    mockServices.database({ knex }),
  );
  const auditEvents: Array<{ eventId: string; status: string; meta?: object }> =
    [];
  const router = await createRouter({
    service: new AuthorizedTemplateStoreService(
      new DefaultTemplateStoreService({
        store,
        importer: new CatalogImporter({ store, limits }),
        limits,
        catalog,
        installer: new TemplateInstaller(clusters),
      }),
      permissions,
      createConditionAuthorizer([isTemplateOwnerRule]),
      new EntityAuthorizer({
        catalog,
        permissions,
        auditor: mockServices.auditor.mock(),
        objects: 'templates',
      }),
    ),
    httpAuth: mockServices.httpAuth({ pluginId: 'template-store' }),
    auditor: {
      createEvent: async ({ eventId, meta }: any) => ({
        success: async () => {
          auditEvents.push({ eventId, status: 'succeeded', meta });
        },
        fail: async () => {
          auditEvents.push({ eventId, status: 'failed', meta });
        },
      }),
    } as any,
    limits,
    defaultImportOwner: 'group:default/ops',
  });
  const app = express()
    .use(router)
    .use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.rootLogger(),
      }).error(),
    );
  /** A request as one of {@link USERS}. */
  const as = (user: string) => {
    const header = { Authorization: mockCredentials.user.header(user) };
    return {
      get: (url: string) => request(app).get(url).set(header),
      post: (url: string) => request(app).post(url).set(header),
      put: (url: string) => request(app).put(url).set(header),
      delete: (url: string) => request(app).delete(url).set(header),
    };
  };
  return { app, store, as, auditEvents };
}
