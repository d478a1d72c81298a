import type { Authenticator, UserInfo } from './authentication';
import type { AuthorizationAttributes, Authorizer } from './authorization';
import { badRequest, invalid } from './status';

/*
 * The review APIs: authorization.k8s.io access reviews (what `kubectl auth
 * can-i` asks), authentication.k8s.io TokenReview and SelfSubjectReview
 * (`kubectl auth whoami`). Answered from the live authorizer and
 * authenticator, never stored.
 */

function attributesFromSpec(
  user: UserInfo,
  spec: any,
): AuthorizationAttributes {
  const r = spec?.resourceAttributes;
  if (r) {
    return {
      user,
      verb: r.verb ?? '',
      isResourceRequest: true,
      path: '',
      apiGroup: r.group ?? '',
      apiVersion: r.version ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      namespace: r.namespace ?? '',
      name: r.name ?? '',
    };
  }
  const n = spec?.nonResourceAttributes;
  return {
    user,
    verb: n?.verb ?? '',
    isResourceRequest: false,
    path: n?.path ?? '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
}

function checkExactlyOneAttributeSet(kind: string, spec: any) {
  const r = spec?.resourceAttributes;
  const n = spec?.nonResourceAttributes;
  if (!r === !n) {
    const message = r
      ? 'Invalid value: "": cannot be specified in combination with resourceAttributes'
      : 'Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified';
    throw invalid({ group: 'authorization.k8s.io', kind }, '', [
      {
        reason: 'FieldValueInvalid',
        message,
        field: r ? 'spec.nonResourceAttributes' : 'spec.resourceAttributes',
      },
    ]);
  }
}

function reviewStatus(
  authorizer: Authorizer,
  attributes: AuthorizationAttributes,
) {
  const result = authorizer.authorize(attributes);
  return {
    allowed: result.decision === 'Allow',
    ...(result.decision === 'Deny' ? { denied: true } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
  };
}

export function selfSubjectAccessReview(
  authorizer: Authorizer,
  user: UserInfo,
  body: any,
) {
  checkExactlyOneAttributeSet('SelfSubjectAccessReview', body?.spec);
  return {
    ...body,
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { ...(body.metadata ?? {}), creationTimestamp: null },
    status: reviewStatus(authorizer, attributesFromSpec(user, body.spec)),
  };
}

export function subjectAccessReview(
  authorizer: Authorizer,
  body: any,
  kind: 'SubjectAccessReview' | 'LocalSubjectAccessReview',
  namespace: string,
) {
  const spec = body?.spec ?? {};
  checkExactlyOneAttributeSet(kind, spec);
  if (!spec.user && !(spec.groups ?? []).length) {
    throw invalid({ group: 'authorization.k8s.io', kind }, '', [
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "": at least one of user or group must be specified',
        field: 'spec.user',
      },
    ]);
  }
  if (
    kind === 'LocalSubjectAccessReview' &&
    spec.resourceAttributes?.namespace !== namespace
  ) {
    throw badRequest(
      `spec.resourceAttributes.namespace must match namespace: ${namespace}`,
    );
  }
  const user: UserInfo = {
    username: spec.user ?? '',
    uid: spec.uid,
    groups: spec.groups ?? [],
    extra: spec.extra,
  };
  return {
    ...body,
    kind,
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { ...(body.metadata ?? {}), creationTimestamp: null },
    status: reviewStatus(authorizer, attributesFromSpec(user, spec)),
  };
}

function userInfoJson(user: UserInfo) {
  return {
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    groups: user.groups,
    ...(user.extra && Object.keys(user.extra).length
      ? { extra: user.extra }
      : {}),
  };
}

export function tokenReview(authenticator: Authenticator, body: any) {
  const spec = body?.spec ?? {};
  if (!spec.token) {
    throw invalid({ group: 'authentication.k8s.io', kind: 'TokenReview' }, '', [
      {
        reason: 'FieldValueRequired',
        message: 'Required value: token must be specified',
        field: 'spec.token',
      },
    ]);
  }
  const user = authenticator.authenticateToken(
    spec.token,
    spec.audiences?.length ? spec.audiences : undefined,
  );
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: user
      ? {
          authenticated: true,
          user: userInfoJson(user),
          audiences: spec.audiences?.length
            ? spec.audiences
            : ['https://kubernetes.default.svc.cluster.local'],
        }
      : { user: {}, error: '[invalid bearer token, token lookup failed]' },
  };
}

export function selfSubjectReview(user: UserInfo) {
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: userInfoJson(user) },
  };
}

/** What the rules resolver (RBAC) says a user may do in a namespace. */
export interface RulesResolver {
  rulesFor(
    user: UserInfo,
    namespace: string,
  ): {
    resourceRules: unknown[];
    nonResourceRules: unknown[];
    incomplete: boolean;
    evaluationError?: string;
  };
}

export function selfSubjectRulesReview(
  resolver: RulesResolver | undefined,
  user: UserInfo,
  body: any,
) {
  const namespace = body?.spec?.namespace ?? '';
  const rules = resolver
    ? resolver.rulesFor(user, namespace)
    : {
        resourceRules: [],
        nonResourceRules: [],
        incomplete: true,
        evaluationError: 'no rules resolver is configured',
      };
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body?.spec ?? {},
    status: rules,
  };
}
