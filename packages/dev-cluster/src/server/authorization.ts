import {
  forbiddenMessage as rbacForbiddenMessage,
  RequestAttributes,
  UserInfo as RbacUser,
} from '../machinery/rbac';
import type { UserInfo } from './authentication';

/*
 * The authorizer seam: every request is checked with these attributes (those
 * of k8s.io/apiserver's authorizer.Attributes). Authorizers are chained as
 * kube-apiserver chains them; the first Allow or Deny wins.
 */

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** For non-resource requests. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export type AuthorizationDecision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizationResult {
  decision: AuthorizationDecision;
  reason: string;
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): AuthorizationResult;
}

/** Members of system:masters may do anything (kube-apiserver's privileged-group authorizer). */
export const mastersAuthorizer: Authorizer = {
  authorize: ({ user }) =>
    user.groups.includes('system:masters')
      ? { decision: 'Allow', reason: '' }
      : { decision: 'NoOpinion', reason: '' },
};

export function chainAuthorizers(authorizers: Authorizer[]): Authorizer {
  return {
    authorize(attributes) {
      const reasons: string[] = [];
      for (const authorizer of authorizers) {
        const result = authorizer.authorize(attributes);
        if (result.decision !== 'NoOpinion') return result;
        if (result.reason) reasons.push(result.reason);
      }
      return { decision: 'NoOpinion', reason: reasons.join('\n') };
    },
  };
}

/** The user and request attributes in the form the RBAC evaluator takes. */
export function toRbacRequest(a: AuthorizationAttributes): {
  user: RbacUser;
  attributes: RequestAttributes;
} {
  return {
    user: { name: a.user.username, groups: a.user.groups },
    attributes: a.isResourceRequest
      ? {
          verb: a.verb,
          apiGroup: a.apiGroup,
          resource: a.resource,
          subresource: a.subresource || undefined,
          namespace: a.namespace || undefined,
          name: a.name || undefined,
        }
      : { verb: a.verb, nonResourceURL: a.path },
  };
}

/** kube-apiserver's forbidden message for a denied request. */
export function forbiddenMessage(
  a: AuthorizationAttributes,
  reason: string,
): string {
  const { user, attributes } = toRbacRequest(a);
  return rbacForbiddenMessage(user, attributes, reason);
}
