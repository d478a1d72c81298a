import { EnvironmentSpec, Quantity, ResourceList } from '@cairn/operators-api';
import { z } from 'zod';
import {
  environmentNameSchema,
  environmentSpecSchema,
  resourceListSchema,
} from './requests';

/*
 * Developers' requests to ops: a new environment for their team, or more
 * quota on one of their team's environments. Ops approve one in a click,
 * which makes the change in the cluster; the schemas here are what the
 * backend parses and the OpenAPI document describes, and the decisions
 * (who may request, who may decide, what a request changes) are plain
 * functions both sides use.
 */

/** What a request asks for. @public */
export const ENVIRONMENT_REQUEST_KINDS = ['environment', 'quota'] as const;
/** @public */
export type EnvironmentRequestKind = (typeof ENVIRONMENT_REQUEST_KINDS)[number];

/** Where a request is. @public */
export const ENVIRONMENT_REQUEST_STATES = [
  'pending',
  'approved',
  'rejected',
] as const;
/** @public */
export type EnvironmentRequestState =
  (typeof ENVIRONMENT_REQUEST_STATES)[number];

const clusterName = z
  .string({ error: 'is required: the cluster name' })
  .min(1, 'is required: the cluster name');

const reason = z
  .string({ error: 'is required: why the team needs it, for ops to decide' })
  .trim()
  .min(1, 'is required: why the team needs it, for ops to decide')
  .max(2000, 'must be at most 2000 characters');

/**
 * The spec a team may ask for: namespace, owner (their group), placement,
 * StorageClasses and quota. Tenants, limits and the deletion policy are
 * ops' to set when they edit it.
 * @public
 */
export const requestedEnvironmentSpecSchema = environmentSpecSchema.pick({
  namespace: true,
  owner: true,
  placement: true,
  storageClasses: true,
  quota: true,
});

/** A request for a new environment. @public */
export const newEnvironmentRequestSchema = z
  .object({
    kind: z.literal('environment'),
    cluster: clusterName,
    name: environmentNameSchema,
    spec: requestedEnvironmentSpecSchema,
    reason,
  })
  .strict();

/** A request for more quota: the new hard values of the resources named. @public */
export const quotaRequestSchema = z
  .object({
    kind: z.literal('quota'),
    cluster: clusterName,
    name: environmentNameSchema,
    quota: resourceListSchema
      .refine(list => Object.keys(list).length > 0, {
        message: 'is required: the new hard value of at least one resource',
      })
      .describe(
        'The new hard values of the resources named; the others keep theirs',
      ),
    reason,
  })
  .strict();

/** Body of `POST /requests`. @public */
export const createEnvironmentRequestBodySchema = z.discriminatedUnion(
  'kind',
  [newEnvironmentRequestSchema, quotaRequestSchema],
  { error: 'kind must be environment or quota' },
);

/** @public */
export type CreateEnvironmentRequestBody = z.input<
  typeof createEnvironmentRequestBodySchema
>;
/** @public */
export type ParsedEnvironmentRequestBody = z.output<
  typeof createEnvironmentRequestBodySchema
>;

/** Query of `GET /requests`. @public */
export const environmentRequestsQuerySchema = z
  .object({
    state: z
      .enum(ENVIRONMENT_REQUEST_STATES, {
        error: `must be one of ${ENVIRONMENT_REQUEST_STATES.join(', ')}`,
      })
      .optional()
      .describe('Only the requests in this state'),
  })
  .strict();

/** @public */
export type EnvironmentRequestsQuery = z.input<
  typeof environmentRequestsQuerySchema
>;

/** Path of one request: `/requests/:id`. @public */
export const environmentRequestPathSchema = z.object({
  id: z.uuid({ error: 'must be the id of a request' }),
});

/** Body of `POST /requests/:id/approve` and `/reject`. @public */
export const decideEnvironmentRequestBodySchema = z
  .object({
    comment: z
      .string()
      .trim()
      .max(2000, 'must be at most 2000 characters')
      .optional()
      .describe('Told to the requester with the decision'),
  })
  .strict();

/** @public */
export type DecideEnvironmentRequestBody = z.input<
  typeof decideEnvironmentRequestBodySchema
>;

/** A request as stored and served. @public */
export interface EnvironmentRequest {
  id: string;
  kind: EnvironmentRequestKind;
  cluster: string;
  /** The environment asked for, or the one whose quota is to grow. */
  environment: string;
  namespace: string;
  /** The group the environment is (to be) owned by: the requesters' team. */
  group: string;
  /** A new environment's requested spec. */
  spec?: Pick<
    EnvironmentSpec,
    'namespace' | 'owner' | 'placement' | 'storageClasses' | 'quota'
  >;
  /** A quota request's new hard values. */
  quota?: ResourceList;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  state: EnvironmentRequestState;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  /** Why the last approval could not be applied to the cluster (still pending). */
  error?: string;
}

/** A request with what ops need to decide it. @public */
export interface EnvironmentRequestView extends EnvironmentRequest {
  /** A quota request's environment's quota now (absent if it is gone). */
  currentQuota?: ResourceList;
}

/** `GET /requests`. @public */
export interface EnvironmentRequestList {
  items: EnvironmentRequestView[];
  /** Whether the caller may approve and reject (ops). */
  canDecide: boolean;
}

/** The routes of requests under `/api/environments`. @public */
export const ENVIRONMENT_REQUESTS_API_ROUTES = {
  createRequest: {
    method: 'post',
    path: '/requests',
    summary:
      "Ask ops for a new environment for one's group, or for more quota on one of its environments; ops are notified",
  },
  listRequests: {
    method: 'get',
    path: '/requests',
    summary:
      "Requests the caller may see (ops: all; others: their groups'), newest first",
  },
  getRequest: {
    method: 'get',
    path: '/requests/:id',
    summary: 'One request',
  },
  approveRequest: {
    method: 'post',
    path: '/requests/:id/approve',
    summary:
      'Approve a pending request (ops): the environment is created or its quota patched, then the request is approved and the requester notified',
  },
  rejectRequest: {
    method: 'post',
    path: '/requests/:id/reject',
    summary:
      'Reject a pending request (ops), the requester is notified with the comment',
  },
} as const;

/** @public */
export type EnvironmentRequestsApiOperation =
  keyof typeof ENVIRONMENT_REQUESTS_API_ROUTES;

/** Who acts, as the decisions need them. @public */
export interface RequestActor {
  /** The refs the user owns through: themselves and their groups, lower case. */
  ownershipEntityRefs: string[];
  /** `environments.read`. */
  canRead: boolean;
  /** `environments.manage` (ops). */
  canManage: boolean;
}

/**
 * Why the actor may not request something for the environment owned (or to
 * be owned) by `group`, if they may not: requesting needs
 * `environments.read` and membership of that group, so a team asks only
 * for itself.
 * @public
 */
export function requestRefusal(
  actor: RequestActor,
  group: string,
): string | undefined {
  if (!actor.canRead) {
    return 'you may not request environments: permission environments.read is required';
  }
  const owner = group.toLocaleLowerCase('en-US');
  if (!actor.ownershipEntityRefs.some(ref => ref === owner)) {
    return `you may request only for your own groups: you are not a member of ${group}`;
  }
  return undefined;
}

/**
 * Why the actor may not approve or reject the request, if they may not:
 * that needs `environments.manage` (ops), and the request must be pending.
 * @public
 */
export function decisionRefusal(
  actor: Pick<RequestActor, 'canManage'>,
  request: Pick<EnvironmentRequest, 'state'>,
): string | undefined {
  if (!actor.canManage) {
    return 'you may not approve or reject requests (ops): permission environments.manage is required';
  }
  if (request.state !== 'pending') {
    return `the request is already ${request.state}`;
  }
  return undefined;
}

/** Whether the actor sees the request: ops all, others their groups'. @public */
export function maySeeRequest(
  actor: Pick<RequestActor, 'canManage' | 'ownershipEntityRefs'>,
  request: Pick<EnvironmentRequest, 'group'>,
): boolean {
  return (
    actor.canManage ||
    actor.ownershipEntityRefs.includes(request.group.toLocaleLowerCase('en-US'))
  );
}

/** One resource of a quota request: its hard value now and asked for. @public */
export interface QuotaChange {
  resource: string;
  /** Absent: the resource has no limit now. */
  from?: string;
  to: string;
  /** How `to` compares with `from` as quantities; `added` when there was none. */
  change: 'raise' | 'lower' | 'same' | 'added';
}

/** The resources a quota request names, compared with the quota now, by resource. @public */
export function quotaChanges(
  current: ResourceList | undefined,
  requested: ResourceList,
): QuotaChange[] {
  return Object.keys(requested)
    .sort()
    .map(resource => {
      const from = current?.[resource];
      const to = requested[resource];
      if (from === undefined) return { resource, to, change: 'added' };
      const a = Quantity.tryParse(from);
      const b = Quantity.tryParse(to);
      const order = a && b ? b.cmp(a) : 0;
      return {
        resource,
        from,
        to,
        change: ({ 1: 'raise', 0: 'same', [-1]: 'lower' } as const)[order],
      };
    });
}

/**
 * Why a quota request changes nothing, if it does not: every value asked
 * for is the quota already in force (`1000m` is `1`).
 * @public
 */
export function unchangedQuotaRefusal(
  current: ResourceList | undefined,
  requested: ResourceList,
): string | undefined {
  return quotaChanges(current, requested).every(c => c.change === 'same')
    ? 'the environment already has this quota; ask for other values'
    : undefined;
}

/**
 * The quota an approved request leaves: the current one with the requested
 * resources set to their new values. A quota request changes nothing else
 * of the environment.
 * @public
 */
export function quotaAfterRequest(
  current: ResourceList | undefined,
  requested: ResourceList,
): ResourceList {
  return { ...(current ?? {}), ...requested };
}

/**
 * The spec of the environment an approved request creates: what was asked
 * for, with the owning team as its tenant of role `edit` so it may deploy
 * there (the operator binds only tenants, not the owner); ops give other
 * roles by editing it.
 * @public
 */
export function environmentSpecOfRequest(
  spec: NonNullable<EnvironmentRequest['spec']>,
): EnvironmentSpec {
  return { ...spec, tenants: [{ group: spec.owner, role: 'edit' }] };
}

/** The notification title of a new request, for ops. @public */
export function requestTitle(
  request: Pick<
    EnvironmentRequest,
    'kind' | 'group' | 'environment' | 'cluster'
  >,
): string {
  return request.kind === 'environment'
    ? `${request.group} requests environment ${request.environment} on cluster ${request.cluster}`
    : `${request.group} requests more quota for environment ${request.environment} on cluster ${request.cluster}`;
}

/** One line per resource: `pods 10 → 20`, for notifications and the diff. @public */
export function describeQuotaChanges(changes: QuotaChange[]): string {
  return changes
    .map(c => `${c.resource} ${c.from ?? 'unlimited'} → ${c.to}`)
    .join(', ');
}
