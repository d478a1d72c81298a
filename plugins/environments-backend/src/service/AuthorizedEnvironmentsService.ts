import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import type { Environment } from '@cairn/operators-api';
import {
  ClusterList,
  ClusterTopology,
  createEnvironmentBodySchema,
  EnvironmentList,
  EnvironmentSummary,
  environmentsManagePermission,
  ImportNodeLabelsRequest,
  ImportNodeLabelsResult,
  environmentsReadPermission,
  LabelNodesRequest,
  nodesLabelPermission,
  TopologyNode,
  updateEnvironmentBodySchema,
} from '@cairn/plugin-environments-common';
import type { z } from 'zod';
import { EnvironmentsService } from './EnvironmentsService';
import { involvesGroup, summarizeEnvironment } from './summaries';

/** Who calls, as the router knows them. */
export interface Caller {
  credentials: BackstageCredentials;
}

type CreateEnvironmentBody = z.output<typeof createEnvironmentBodySchema>;
type UpdateEnvironmentBody = z.output<typeof updateEnvironmentBodySchema>;

/** Options of {@link AuthorizedEnvironmentsService}. */
export interface AuthorizedEnvironmentsServiceOptions {
  service: EnvironmentsService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
}

const REFUSALS: Record<string, string> = {
  [environmentsReadPermission.name]: 'see environments',
  [environmentsManagePermission.name]:
    'create, edit or delete environments (ops)',
  [nodesLabelPermission.name]: 'label nodes (ops)',
};

/**
 * Every permission check of the Environments API, around the plain
 * {@link EnvironmentsService}, whatever calls it (a route, an action, a
 * task). Reading needs `environments.read`; a caller who may also
 * `environments.manage` (ops) sees every environment, anyone else only
 * those their groups own or are tenants of (an environment they may not see
 * is answered as missing). Creating, editing and deleting need
 * `environments.manage`, labelling nodes (and importing
 * their nuwa labels) `nodes.label`. Each check is made
 * before any cluster call.
 */
export class AuthorizedEnvironmentsService {
  constructor(private readonly options: AuthorizedEnvironmentsServiceOptions) {}

  private async allowed(
    caller: Caller,
    permission: BasicPermission,
  ): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission }],
      { credentials: caller.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  private async require(caller: Caller, permission: BasicPermission) {
    if (!(await this.allowed(caller, permission))) {
      throw new NotAllowedError(
        `you may not ${REFUSALS[permission.name]}: permission ${
          permission.name
        } is required`,
      );
    }
  }

  /**
   * What the caller may see: every environment with `environments.manage`,
   * else those of their groups (a service without a user sees none).
   */
  private async visibility(caller: Caller) {
    await this.require(caller, environmentsReadPermission);
    const canManage = await this.allowed(caller, environmentsManagePermission);
    if (canManage) {
      return { canManage, visible: (_: Environment) => true };
    }
    const claims =
      caller.credentials.principal &&
      (caller.credentials.principal as { type?: string }).type === 'user'
        ? (await this.options.userInfo.getUserInfo(caller.credentials))
            .ownershipEntityRefs
        : [];
    const groups = claims.map(ref => ref.toLocaleLowerCase('en-US'));
    return {
      canManage,
      visible: (environment: Environment) =>
        groups.some(group => involvesGroup(environment, group)),
    };
  }

  async list(
    caller: Caller,
    query: { cluster?: string; group?: string },
  ): Promise<EnvironmentList> {
    const { canManage, visible } = await this.visibility(caller);
    const group = query.group?.toLocaleLowerCase('en-US');
    const { items, clusterErrors } = await this.options.service.list(
      environment =>
        visible(environment) && (!group || involvesGroup(environment, group)),
      query.cluster,
    );
    return { items, clusterErrors, canManage };
  }

  async get(
    caller: Caller,
    path: { cluster: string; name: string },
  ): Promise<EnvironmentSummary> {
    const { visible } = await this.visibility(caller);
    const environment = await this.options.service.get(path.cluster, path.name);
    if (!visible(environment)) {
      throw new NotFoundError(
        `there is no environment "${path.name}" on cluster "${path.cluster}"`,
      );
    }
    return summarizeEnvironment(environment, path.cluster);
  }

  async create(
    caller: Caller,
    path: { cluster: string },
    body: CreateEnvironmentBody,
  ): Promise<EnvironmentSummary> {
    await this.require(caller, environmentsManagePermission);
    return this.options.service.create(path.cluster, body.name, body.spec);
  }

  async update(
    caller: Caller,
    path: { cluster: string; name: string },
    body: UpdateEnvironmentBody,
  ): Promise<EnvironmentSummary> {
    await this.require(caller, environmentsManagePermission);
    return this.options.service.update(
      path.cluster,
      path.name,
      body.resourceVersion,
      body.spec,
    );
  }

  async delete(
    caller: Caller,
    path: { cluster: string; name: string },
  ): Promise<void> {
    await this.require(caller, environmentsManagePermission);
    await this.options.service.delete(path.cluster, path.name);
  }

  async listClusters(caller: Caller): Promise<ClusterList> {
    await this.require(caller, environmentsReadPermission);
    return { clusters: this.options.service.clusterNames() };
  }

  async topology(
    caller: Caller,
    path: { cluster: string },
  ): Promise<ClusterTopology> {
    await this.require(caller, environmentsReadPermission);
    const canLabel = await this.allowed(caller, nodesLabelPermission);
    return {
      ...(await this.options.service.topology(path.cluster)),
      canLabel,
    };
  }

  async labelNodes(
    caller: Caller,
    path: { cluster: string },
    body: LabelNodesRequest,
  ): Promise<{ nodes: TopologyNode[] }> {
    await this.require(caller, nodesLabelPermission);
    return {
      nodes: await this.options.service.labelNodes(path.cluster, body),
    };
  }

  async importNodeLabels(
    caller: Caller,
    path: { cluster: string },
    body: ImportNodeLabelsRequest,
  ): Promise<ImportNodeLabelsResult> {
    await this.require(caller, nodesLabelPermission);
    return {
      imported: await this.options.service.importNodeLabels(path.cluster, body),
    };
  }
}
