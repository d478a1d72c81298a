import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ForkRequest,
  RESOURCE_TYPE_TEMPLATE,
  TemplateKind,
  templatesDeletePermission,
  templatesImportPermission,
  templatesInstallPermission,
  templatesPublishPermission,
  templatesReadPermission,
} from '@cairn/plugin-template-store-common';
import { EntityAuthorizer } from '@cairn/plugin-kubernetes-node';
import { TemplateResource } from './permissionRules';
import {
  Caller,
  ClusterObjectLocation,
  InstallInput,
  PublishInput,
  TemplateStoreService,
} from './TemplateStoreService';

/** Applies a conditional decision to a template, as the registered rules say. */
export type ConditionAuthorizer = (
  decision: PolicyDecision,
  resource: TemplateResource | undefined,
) => boolean;

/**
 * The store's operations behind Cairn's permissions, as the catalog's
 * AuthorizedEntitiesCatalog wraps its catalog: reads need `templates.read`;
 * publishing, deprecating, forking under a group and deleting need
 * `templates.publish` / `templates.delete` on the template, which the policy
 * allows to the owner group's members (and ops); imports need
 * `templates.import`; installing needs `templates.install` on the catalog
 * entity whose namespace it goes to (its owners and ops).
 */
export class AuthorizedTemplateStoreService implements TemplateStoreService {
  constructor(
    private readonly service: TemplateStoreService,
    private readonly permissions: PermissionsService,
    private readonly isAllowed: ConditionAuthorizer,
    private readonly entities: EntityAuthorizer,
  ) {}

  async list(
    query: Parameters<TemplateStoreService['list']>[0],
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.list(query, caller);
  }

  async facets(caller: Caller) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.facets(caller);
  }

  async getTemplate(kind: TemplateKind, name: string, caller: Caller) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.getTemplate(kind, name, caller);
  }

  async getVersion(
    kind: TemplateKind,
    name: string,
    version: string,
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.getVersion(kind, name, version, caller);
  }

  async diff(
    kind: TemplateKind,
    name: string,
    from: string,
    to: string,
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.diff(kind, name, from, to, caller);
  }

  async setStar(
    kind: TemplateKind,
    name: string,
    starred: boolean,
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.setStar(kind, name, starred, caller);
  }

  /** Publishing under a group needs the permission on a template of that group. */
  async publish(input: PublishInput, caller: Caller) {
    await this.authorizeOn(templatesPublishPermission, caller, {
      owner: input.owner,
    });
    return this.service.publish(input, caller);
  }

  async setDeprecated(
    kind: TemplateKind,
    name: string,
    version: string,
    deprecated: boolean,
    caller: Caller,
  ) {
    await this.authorizeOnStored(
      templatesPublishPermission,
      caller,
      kind,
      name,
    );
    return this.service.setDeprecated(kind, name, version, deprecated, caller);
  }

  async deleteVersion(
    kind: TemplateKind,
    name: string,
    version: string,
    caller: Caller,
  ) {
    await this.authorizeOnStored(templatesDeletePermission, caller, kind, name);
    return this.service.deleteVersion(kind, name, version, caller);
  }

  /** Anyone who may read may fork, into a group they may publish under. */
  async fork(
    kind: TemplateKind,
    name: string,
    request: Required<ForkRequest>,
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    await this.authorizeOn(templatesPublishPermission, caller, {
      kind,
      name: request.name,
      owner: request.owner,
    });
    return this.service.fork(kind, name, request, caller);
  }

  async importArchive(archive: Buffer, owner: string, caller: Caller) {
    await this.authorize(templatesImportPermission, caller);
    return this.service.importArchive(archive, owner, caller);
  }

  async getImport(id: string, caller: Caller) {
    await this.authorize(templatesImportPermission, caller);
    return this.service.getImport(id, caller);
  }

  async listUsage(kind: TemplateKind, name: string, caller: Caller) {
    await this.authorize(templatesReadPermission, caller);
    return this.service.listUsage(kind, name, caller);
  }

  /** Reading the entity's namespace for a template: whoever may read the store and see the entity. */
  async clusterTemplate(
    entityRef: string,
    where: ClusterObjectLocation,
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    await this.entities.authorize(
      entityRef,
      templatesReadPermission,
      caller,
      'templates',
    );
    return this.service.clusterTemplate(entityRef, where, caller);
  }

  async installTargets(entityRef: string, caller: Caller) {
    await this.authorize(templatesReadPermission, caller);
    await this.entities.authorize(
      entityRef,
      templatesInstallPermission,
      caller,
      'templates',
    );
    return this.service.installTargets(entityRef, caller);
  }

  /** A preview needs the same as an install: it reads the entity's namespace for it. */
  async install(
    kind: TemplateKind,
    name: string,
    version: string,
    input: InstallInput,
    caller: Caller,
  ) {
    await this.authorize(templatesReadPermission, caller);
    await this.entities.authorize(
      input.entityRef,
      templatesInstallPermission,
      caller,
      'templates',
    );
    return this.service.install(kind, name, version, input, caller);
  }

  private async authorize(permission: BasicPermission, caller: Caller) {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials: caller.credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    }
  }

  private async authorizeOnStored(
    permission: ResourcePermission<typeof RESOURCE_TYPE_TEMPLATE>,
    caller: Caller,
    kind: TemplateKind,
    name: string,
  ) {
    const template = await this.service.getTemplate(kind, name, caller);
    await this.authorizeOn(permission, caller, {
      kind,
      name,
      owner: template.owner,
    });
  }

  private async authorizeOn(
    permission: ResourcePermission<typeof RESOURCE_TYPE_TEMPLATE>,
    caller: Caller,
    resource: TemplateResource,
  ) {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials: caller.credentials },
    );
    if (!this.isAllowed(decision, resource)) {
      throw new NotAllowedError(
        `not allowed: ${permission.name} on templates of ${resource.owner}`,
      );
    }
  }
}
