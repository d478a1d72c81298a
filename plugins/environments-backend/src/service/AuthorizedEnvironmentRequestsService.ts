import {
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  decisionRefusal,
  DecideEnvironmentRequestBody,
  EnvironmentRequestList,
  EnvironmentRequestsQuery,
  EnvironmentRequestView,
  environmentsManagePermission,
  environmentsReadPermission,
  maySeeRequest,
  ParsedEnvironmentRequestBody,
  RequestActor,
  requestRefusal,
} from '@cairn/plugin-environments-common';
import type { Caller } from './AuthorizedEnvironmentsService';
import { EnvironmentRequestsService } from './EnvironmentRequestsService';
import { EnvironmentsService } from './EnvironmentsService';

/** Options of {@link AuthorizedEnvironmentRequestsService}. */
export interface AuthorizedEnvironmentRequestsServiceOptions {
  service: EnvironmentRequestsService;
  environments: EnvironmentsService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
}

const normalizeGroup = (ref: string) =>
  stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');

/**
 * Every permission check of environment requests, around the plain
 * {@link EnvironmentRequestsService}, by the rules of environments-common
 * (requestRefusal, decisionRefusal, maySeeRequest): a user asks only for
 * their own groups' environments (`environments.read` and membership of
 * the owner group, checked here against their ownership claims); ops
 * (`environments.manage`) see and decide every request, others see their
 * groups'. Each check is made before any change.
 */
export class AuthorizedEnvironmentRequestsService {
  constructor(
    private readonly options: AuthorizedEnvironmentRequestsServiceOptions,
  ) {}

  /** The caller as the rules need them; a caller who is no user has no groups. */
  private async actor(
    caller: Caller,
  ): Promise<RequestActor & { userEntityRef?: string }> {
    const [read, manage] = await this.options.permissions.authorize(
      [
        { permission: environmentsReadPermission },
        { permission: environmentsManagePermission },
      ],
      { credentials: caller.credentials },
    );
    const principal = caller.credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    const info =
      principal.type === 'user'
        ? await this.options.userInfo.getUserInfo(caller.credentials)
        : undefined;
    return {
      userEntityRef: info?.userEntityRef,
      ownershipEntityRefs: (info?.ownershipEntityRefs ?? []).map(ref =>
        ref.toLocaleLowerCase('en-US'),
      ),
      canRead: read.result === AuthorizeResult.ALLOW,
      canManage: manage.result === AuthorizeResult.ALLOW,
    };
  }

  private async reader(caller: Caller) {
    const actor = await this.actor(caller);
    if (!actor.canRead) {
      throw new NotAllowedError(
        'you may not see environment requests: permission environments.read is required',
      );
    }
    return actor;
  }

  async create(
    caller: Caller,
    body: ParsedEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView> {
    const actor = await this.actor(caller);
    if (!actor.userEntityRef) {
      throw new NotAllowedError('only a signed-in user may make a request');
    }
    let group: string;
    if (body.kind === 'environment') {
      group = normalizeGroup(body.spec.owner);
    } else {
      const environment = await this.options.environments.get(
        body.cluster,
        body.name,
      );
      group = normalizeGroup(environment.spec.owner);
    }
    const refusal = requestRefusal(actor, group);
    if (refusal) throw new NotAllowedError(refusal);
    return this.options.service.create(body, actor.userEntityRef, group);
  }

  async list(
    caller: Caller,
    query: EnvironmentRequestsQuery,
  ): Promise<EnvironmentRequestList> {
    const actor = await this.reader(caller);
    const items = await this.options.service.list({
      state: query.state,
      groups: actor.canManage ? undefined : actor.ownershipEntityRefs,
    });
    return { items, canDecide: actor.canManage };
  }

  async get(
    caller: Caller,
    path: { id: string },
  ): Promise<EnvironmentRequestView> {
    const actor = await this.reader(caller);
    const request = await this.options.service.get(path.id);
    if (!maySeeRequest(actor, request)) {
      throw new NotFoundError(`there is no request ${path.id}`);
    }
    return request;
  }

  async approve(
    caller: Caller,
    path: { id: string },
    body: DecideEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView> {
    const decider = await this.decider(caller);
    return this.options.service.approve(path.id, decider, body.comment);
  }

  async reject(
    caller: Caller,
    path: { id: string },
    body: DecideEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView> {
    const decider = await this.decider(caller);
    return this.options.service.reject(path.id, decider, body.comment);
  }

  /** The deciding user; only ops may (whether the request is still pending, the service says). */
  private async decider(caller: Caller): Promise<string> {
    const actor = await this.actor(caller);
    const refusal = decisionRefusal(actor, { state: 'pending' });
    if (refusal) throw new NotAllowedError(refusal);
    if (!actor.userEntityRef) {
      throw new NotAllowedError('only a signed-in user may decide a request');
    }
    return actor.userEntityRef;
  }
}
