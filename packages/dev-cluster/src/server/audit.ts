import { randomUUID } from 'node:crypto';
import type { UserInfo } from './authentication';
import type { RequestInfo } from './requestInfo';

/**
 * An `audit.k8s.io/v1` Event at level Metadata and stage ResponseComplete, as
 * kube-apiserver writes to `--audit-log-path` under a policy of
 * `level: Metadata`: who asked, what for, and the answer's status code — no
 * bodies, so Secrets never reach the log.
 */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: {
    resource: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    apiVersion: string;
    subresource?: string;
  };
  responseStatus: { metadata: {}; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
}

/** What the API server knew of a request once it was authenticated. */
export interface AuditedRequest {
  requestURI: string;
  /** The authenticated user. */
  caller: UserInfo;
  /** Who the request acts as: the caller, or whom it impersonates. */
  user: UserInfo;
  info: RequestInfo;
  sourceIP?: string;
  userAgent?: string;
  receivedAt: Date;
}

const auditUser = ({ username, uid, groups }: UserInfo): AuditUser => ({
  username,
  ...(uid ? { uid } : {}),
  groups,
});

/** The audit event of a request answered with `code` at `completedAt`. */
export function auditEvent(
  request: AuditedRequest,
  code: number,
  completedAt: Date,
): AuditEvent {
  const { info } = request;
  const impersonated = request.user !== request.caller;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    requestURI: request.requestURI,
    verb: info.verb,
    user: auditUser(request.caller),
    ...(impersonated ? { impersonatedUser: auditUser(request.user) } : {}),
    sourceIPs: request.sourceIP ? [request.sourceIP] : [],
    ...(request.userAgent ? { userAgent: request.userAgent } : {}),
    ...(info.isResourceRequest
      ? {
          objectRef: {
            resource: info.resource,
            ...(info.namespace ? { namespace: info.namespace } : {}),
            ...(info.name ? { name: info.name } : {}),
            ...(info.apiGroup ? { apiGroup: info.apiGroup } : {}),
            apiVersion: info.apiVersion,
            ...(info.subresource ? { subresource: info.subresource } : {}),
          },
        }
      : {}),
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: request.receivedAt.toISOString(),
    stageTimestamp: completedAt.toISOString(),
  };
}
