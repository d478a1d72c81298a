import {
  AuditorService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  CreateSessionBody,
  DebugSessionDetail,
  DebugPodList,
  DebugSessionList,
  DebugSessionRef,
  DebugToolkitList,
  debugSessionCreatePermission,
  debugSessionCustomImagePermission,
  debugShellExecPermission,
} from '@cairn/plugin-debug-terminal-common';
import { EntityAuthorizer, EntityCaller } from '@cairn/plugin-kubernetes-node';
import { DebugSessionsService, ScopedContainer } from './DebugSessionsService';

/**
 * The debug terminal's permission checks around {@link DebugSessionsService}:
 * every check happens before any cluster call, and every change (and every
 * refusal of one) is recorded with the auditor.
 */
export class AuthorizedDebugSessionsService {
  private readonly authorizer: EntityAuthorizer;

  constructor(
    private readonly service: DebugSessionsService,
    private readonly options: {
      catalog: CatalogService;
      permissions: PermissionsService;
      auditor: AuditorService;
    },
  ) {
    this.authorizer = new EntityAuthorizer({
      ...options,
      objects: 'debug sessions',
    });
  }

  async toolkits(caller: EntityCaller): Promise<DebugToolkitList> {
    return {
      items: this.service.toolkits(),
      customImageAllowed: await this.mayUseCustomImage(caller),
      maxTtlSeconds: this.service.maxTtlSeconds,
    };
  }

  async create(
    body: CreateSessionBody,
    caller: EntityCaller,
  ): Promise<DebugSessionDetail> {
    return this.authorizer.change(
      body.entityRef,
      {
        eventId: 'debug-session-create',
        permission: debugSessionCreatePermission,
        meta: {
          cluster: body.cluster,
          namespace: body.namespace,
          pod: body.pod,
          container: body.container,
          toolkit: body.toolkit,
          image: body.image,
          profile: body.profile,
          mode: body.mode,
        },
        auditResult: session => ({ session: session.name }),
      },
      caller,
      async entity => {
        if (
          body.image !== undefined &&
          !(await this.mayUseCustomImage(caller))
        ) {
          throw new NotAllowedError(
            `only ops may start a debug session with an image outside the toolkit catalog (permission ${debugSessionCustomImagePermission.name}); choose a toolkit`,
          );
        }
        return this.service.create(entity.scope, body, entity.userRef);
      },
    );
  }

  async pods(entityRef: string, caller: EntityCaller): Promise<DebugPodList> {
    const { scope } = await this.authorizer.authorize(
      entityRef,
      catalogEntityReadPermission,
      caller,
    );
    return this.service.pods(scope);
  }

  async list(
    entityRef: string,
    caller: EntityCaller,
  ): Promise<DebugSessionList> {
    const { scope } = await this.authorizer.authorize(
      entityRef,
      catalogEntityReadPermission,
      caller,
    );
    return this.service.list(scope);
  }

  async get(
    entityRef: string,
    ref: DebugSessionRef,
    caller: EntityCaller,
  ): Promise<DebugSessionDetail> {
    const { scope } = await this.authorizer.authorize(
      entityRef,
      catalogEntityReadPermission,
      caller,
    );
    return this.service.get(scope, ref);
  }

  async end(
    entityRef: string,
    ref: DebugSessionRef,
    caller: EntityCaller,
  ): Promise<void> {
    await this.authorizer.change(
      entityRef,
      {
        eventId: 'debug-session-end',
        permission: debugSessionCreatePermission,
        meta: { ...ref },
      },
      caller,
      entity => this.service.end(entity.scope, ref),
    );
  }

  /**
   * What a terminal socket connects to, once the caller may: the session's
   * debug container (attach, `debug.session.create`) or a container of the
   * entity's pod (exec, `debug.shell.exec`). The socket audits the terminal
   * itself, start to end.
   */
  async attachTarget(
    entityRef: string,
    ref: DebugSessionRef,
    caller: EntityCaller,
  ): Promise<{ session: DebugSessionDetail; userRef: string }> {
    const { scope, userRef } = await this.authorizer.authorize(
      entityRef,
      debugSessionCreatePermission,
      caller,
    );
    return { session: await this.service.get(scope, ref), userRef };
  }

  async shellTarget(
    where: {
      entityRef: string;
      cluster: string;
      namespace: string;
      pod: string;
      container: string;
    },
    caller: EntityCaller,
  ): Promise<{ target: ScopedContainer; userRef: string }> {
    const { scope, userRef } = await this.authorizer.authorize(
      where.entityRef,
      debugShellExecPermission,
      caller,
      'shells',
    );
    return {
      target: await this.service.scopedContainer(scope, where),
      userRef,
    };
  }

  private async mayUseCustomImage(caller: EntityCaller): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: debugSessionCustomImagePermission }],
      { credentials: caller.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }
}
