import { randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  Environment,
  ENVIRONMENT_PLURAL,
  TENANCY_GROUP,
  TENANCY_VERSION,
} from '@cairn/operators-api';
import {
  describeQuotaChanges,
  EnvironmentRequest,
  EnvironmentRequestState,
  EnvironmentRequestView,
  environmentSpecOfRequest,
  ParsedEnvironmentRequestBody,
  quotaAfterRequest,
  quotaChanges,
  requestTitle,
  unchangedQuotaRefusal,
} from '@cairn/plugin-environments-common';
import {
  ClusterAccess,
  mapKubernetesError,
} from '@cairn/plugin-kubernetes-node';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { RequestStore } from '../database/RequestStore';
import { EnvironmentsService } from './EnvironmentsService';

/** Options of {@link EnvironmentRequestsService}. */
export interface EnvironmentRequestsServiceOptions {
  store: RequestStore;
  environments: EnvironmentsService;
  clusters: ClusterAccess;
  notifications: NotificationService;
  logger: LoggerService;
  /** Entity refs of the ops groups, who are notified of new requests. */
  opsGroups: string[];
}

/** How often a quota change is tried again when the Environment changed under it. */
const CONFLICT_RETRIES = 3;

/** The Environments page with the request open (its Approve button for ops). */
export function requestLink(id: string): string {
  return `/environments?${new URLSearchParams({ request: id })}`;
}

/**
 * Requests for a new environment or more quota: kept in the database,
 * announced to ops, and on approval made so in the cluster (the
 * Environment created, or its quota replaced on the version read) before
 * the request is marked approved, so an approval that fails leaves it
 * pending with the cluster's reason. No permission checks here: see
 * {@link AuthorizedEnvironmentRequestsService}.
 */
export class EnvironmentRequestsService {
  constructor(private readonly options: EnvironmentRequestsServiceOptions) {}

  /**
   * Records a request of `requestedBy` for `group` and notifies ops. A
   * quota request must name an environment that exists and change its
   * quota; one pending request per change at a time.
   */
  async create(
    body: ParsedEnvironmentRequestBody,
    requestedBy: string,
    group: string,
  ): Promise<EnvironmentRequestView> {
    const { environments, store } = this.options;
    let currentQuota;
    let namespace: string;
    if (body.kind === 'quota') {
      const environment = await environments.get(body.cluster, body.name);
      currentQuota = environment.spec.quota;
      namespace = environment.spec.namespace;
      const refusal = unchangedQuotaRefusal(currentQuota, body.quota);
      if (refusal) throw new InputError(`quota: ${refusal}`);
    } else if (await this.exists(body.cluster, body.name)) {
      throw new ConflictError(
        `environment "${body.name}" already exists on cluster "${body.cluster}"; pick another name`,
      );
    } else {
      namespace = body.spec.namespace;
    }
    const pending = await store.pendingFor({
      kind: body.kind,
      cluster: body.cluster,
      environment: body.name,
    });
    if (pending) {
      throw new ConflictError(
        `${pending.requestedBy} already asked for this (request ${pending.id}, pending); ops will decide it`,
      );
    }
    const request: EnvironmentRequest = {
      id: randomUUID(),
      kind: body.kind,
      cluster: body.cluster,
      environment: body.name,
      namespace,
      group,
      ...(body.kind === 'environment'
        ? { spec: body.spec }
        : { quota: body.quota }),
      reason: body.reason,
      requestedBy,
      requestedAt: new Date().toISOString(),
      state: 'pending',
    };
    await store.add(request);
    await this.notify(this.options.opsGroups, {
      title: requestTitle(request),
      description: [
        request.quota &&
          describeQuotaChanges(quotaChanges(currentQuota, request.quota)),
        `Reason: ${request.reason}`,
        `Asked by ${requestedBy}.`,
      ]
        .filter(Boolean)
        .join('. '),
      link: requestLink(request.id),
      severity: 'normal',
      scope: `environments:request:${request.id}`,
    });
    return { ...request, ...(currentQuota ? { currentQuota } : {}) };
  }

  /** Requests of the given groups (all if absent), newest first, with the quota now of quota requests' environments. */
  async list(filter: {
    groups?: string[];
    state?: EnvironmentRequestState;
  }): Promise<EnvironmentRequestView[]> {
    const requests = await this.options.store.list(filter);
    return Promise.all(requests.map(r => this.view(r)));
  }

  async get(id: string): Promise<EnvironmentRequestView> {
    const request = await this.options.store.get(id);
    if (!request) throw new NotFoundError(`there is no request ${id}`);
    return this.view(request);
  }

  /**
   * Makes the request so in the cluster, then marks it approved and tells
   * the requester. If the cluster refuses, the request stays pending with
   * the reason, and the error is thrown.
   */
  async approve(
    id: string,
    decidedBy: string,
    comment?: string,
  ): Promise<EnvironmentRequestView> {
    const request = await this.pending(id);
    try {
      if (request.kind === 'environment') {
        await this.options.environments.create(
          request.cluster,
          request.environment,
          environmentSpecOfRequest(request.spec!),
        );
      } else {
        await this.replaceQuota(request);
      }
    } catch (error) {
      const message = `approving failed, the request stays pending: ${
        (error as Error).message
      }`;
      await this.options.store.setError(id, message);
      (error as Error).message = message;
      throw error;
    }
    return this.decide(request, 'approved', decidedBy, comment);
  }

  /** Marks the request rejected and tells the requester; the cluster is not touched. */
  async reject(
    id: string,
    decidedBy: string,
    comment?: string,
  ): Promise<EnvironmentRequestView> {
    return this.decide(await this.pending(id), 'rejected', decidedBy, comment);
  }

  private async pending(id: string): Promise<EnvironmentRequest> {
    const request = await this.options.store.get(id);
    if (!request) throw new NotFoundError(`there is no request ${id}`);
    if (request.state !== 'pending') {
      throw new ConflictError(
        `the request is already ${request.state} (by ${request.decidedBy})`,
      );
    }
    return request;
  }

  private async decide(
    request: EnvironmentRequest,
    state: 'approved' | 'rejected',
    decidedBy: string,
    comment?: string,
  ): Promise<EnvironmentRequestView> {
    const decided = await this.options.store.decide(request.id, {
      state,
      decidedBy,
      decidedAt: new Date(),
      comment: comment || undefined,
    });
    if (!decided) {
      throw new ConflictError(
        'someone else decided the request meanwhile; reload the requests',
      );
    }
    await this.notify([request.requestedBy], {
      title: `Your request for ${
        request.kind === 'environment' ? 'environment' : 'more quota for'
      } ${request.environment} was ${state}`,
      description: comment
        ? `${decidedBy}: ${comment}`
        : `${state === 'approved' ? 'Approved' : 'Rejected'} by ${decidedBy}.`,
      link: requestLink(request.id),
      severity: state === 'approved' ? 'normal' : 'high',
      scope: `environments:request:${request.id}:decision`,
    });
    return this.get(request.id);
  }

  /**
   * Sets the requested quota values on the Environment as the API server
   * has it now, replacing it on the version read (optimistic concurrency):
   * if it changed in between, the write is refused and made again on the
   * new version, so nobody's change is lost.
   */
  private async replaceQuota(request: EnvironmentRequest): Promise<void> {
    const api = this.options.clusters.client(request.cluster, CustomObjectsApi);
    const target = {
      group: TENANCY_GROUP,
      version: TENANCY_VERSION,
      plural: ENVIRONMENT_PLURAL,
      name: request.environment,
    };
    const context = {
      cluster: request.cluster,
      resource: ENVIRONMENT_PLURAL,
      group: TENANCY_GROUP,
      name: request.environment,
    };
    for (let attempt = 1; ; attempt++) {
      let current: Environment;
      try {
        current = (await api.getClusterCustomObject(target)) as Environment;
      } catch (error) {
        throw mapKubernetesError(error, { ...context, verb: 'get' });
      }
      const body: Environment = {
        ...current,
        spec: {
          ...current.spec,
          quota: quotaAfterRequest(current.spec.quota, request.quota!),
        },
      };
      try {
        await api.replaceClusterCustomObject({ ...target, body });
        return;
      } catch (error) {
        const mapped = mapKubernetesError(error, {
          ...context,
          verb: 'update',
        });
        if (!(mapped instanceof ConflictError) || attempt >= CONFLICT_RETRIES) {
          throw mapped;
        }
      }
    }
  }

  private async exists(cluster: string, name: string): Promise<boolean> {
    try {
      await this.options.environments.get(cluster, name);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  private async view(
    request: EnvironmentRequest,
  ): Promise<EnvironmentRequestView> {
    if (request.kind !== 'quota') return request;
    try {
      const environment = await this.options.environments.get(
        request.cluster,
        request.environment,
      );
      return { ...request, currentQuota: environment.spec.quota ?? {} };
    } catch {
      // Gone, or its cluster unreachable: the request is shown without the diff's left side.
      return request;
    }
  }

  /** Sends a notification; a failure to notify does not undo the request or decision. */
  private async notify(
    recipients: string[],
    payload: {
      title: string;
      description: string;
      link: string;
      severity: 'normal' | 'high';
      scope: string;
    },
  ): Promise<void> {
    if (!recipients.length) return;
    try {
      await this.options.notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload: { ...payload, topic: 'environments' },
      });
    } catch (error) {
      this.options.logger.warn(
        `could not send the notification "${payload.title}": ${error}`,
      );
    }
  }
}
