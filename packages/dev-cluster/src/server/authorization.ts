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

/** kube-apiserver's forbidden message for a denied request. */
export function forbiddenMessage(
  a: AuthorizationAttributes,
  reason: string,
): string {
  const user = `User "${a.user.username}"`;
  let message: string;
  if (!a.isResourceRequest) {
    message = `${user} cannot ${a.verb} path "${a.path}"`;
  } else {
    const resource = a.subresource
      ? `${a.resource}/${a.subresource}`
      : a.resource;
    const scope = a.namespace
      ? `in the namespace "${a.namespace}"`
      : 'at the cluster scope';
    message = `${user} cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  }
  return reason ? `${message}: ${reason}` : message;
}
