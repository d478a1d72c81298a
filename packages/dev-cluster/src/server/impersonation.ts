import type { IncomingHttpHeaders } from 'node:http';
import type { UserInfo } from './authentication';
import {
  AuthorizationAttributes,
  Authorizer,
  forbiddenMessage,
} from './authorization';
import { badRequest, forbidden } from './status';

/*
 * User impersonation (`kubectl --as`, `--as-group`, `--as-uid`), as
 * kube-apiserver's WithImpersonation filter does it: every impersonated
 * identity is authorized with the verb `impersonate` for the real caller,
 * then the request runs as the impersonated user.
 */

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
}

/** What the caller must be allowed to `impersonate` for each requested identity. */
function impersonationChecks(
  username: string,
  groups: string[],
  uid: string | undefined,
  extra: Record<string, string[]>,
): Array<
  Omit<
    AuthorizationAttributes,
    'user' | 'verb' | 'path' | 'isResourceRequest' | 'apiVersion'
  >
> {
  const checks = [];
  if (username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [namespace, name] = username
      .slice(SERVICE_ACCOUNT_PREFIX.length)
      .split(':');
    checks.push({
      apiGroup: '',
      resource: 'serviceaccounts',
      subresource: '',
      namespace,
      name,
    });
  } else {
    checks.push({
      apiGroup: '',
      resource: 'users',
      subresource: '',
      namespace: '',
      name: username,
    });
  }
  for (const group of groups) {
    checks.push({
      apiGroup: '',
      resource: 'groups',
      subresource: '',
      namespace: '',
      name: group,
    });
  }
  if (uid !== undefined) {
    checks.push({
      apiGroup: 'authentication.k8s.io',
      resource: 'uids',
      subresource: '',
      namespace: '',
      name: uid,
    });
  }
  for (const [key, values] of Object.entries(extra)) {
    for (const value of values) {
      checks.push({
        apiGroup: 'authentication.k8s.io',
        resource: 'userextras',
        subresource: key,
        namespace: '',
        name: value,
      });
    }
  }
  return checks;
}

/**
 * The user a request runs as: the authenticated caller, or the identity it
 * impersonates once the caller may impersonate it. Throws the 400 or 403
 * kube-apiserver answers.
 */
export function impersonatedUser(
  headers: IncomingHttpHeaders,
  caller: UserInfo,
  authorizer: Authorizer,
): UserInfo {
  const [username, ...moreUsers] = headerValues(headers, 'impersonate-user');
  const groups = headerValues(headers, 'impersonate-group');
  const uid = headers['impersonate-uid'] as string | undefined;
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(EXTRA_PREFIX) && value !== undefined) {
      extra[decodeURIComponent(name.slice(EXTRA_PREFIX.length))] = headerValues(
        headers,
        name,
      );
    }
  }
  if (username === undefined) {
    if (groups.length || uid !== undefined || Object.keys(extra).length) {
      throw badRequest(
        'requested impersonation of groups, uid or extra without impersonating a user',
      );
    }
    return caller;
  }
  if (moreUsers.length) {
    throw badRequest('only one Impersonate-User header may be given');
  }

  for (const check of impersonationChecks(username, groups, uid, extra)) {
    const attributes: AuthorizationAttributes = {
      ...check,
      user: caller,
      verb: 'impersonate',
      isResourceRequest: true,
      apiVersion: '',
      path: '',
    };
    const decision = authorizer.authorize(attributes);
    if (decision.decision !== 'Allow') {
      throw forbidden(
        { group: check.apiGroup, resource: check.resource },
        check.name,
        forbiddenMessage(attributes, decision.reason),
      );
    }
  }

  // Without Impersonate-Group, an impersonated service account has its
  // service-account groups; every impersonated user (but anonymous) is
  // system:authenticated.
  let impersonatedGroups = groups;
  if (!groups.length && username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [namespace] = username
      .slice(SERVICE_ACCOUNT_PREFIX.length)
      .split(':');
    impersonatedGroups = [
      'system:serviceaccounts',
      `system:serviceaccounts:${namespace}`,
    ];
  }
  if (
    username !== 'system:anonymous' &&
    !impersonatedGroups.includes('system:authenticated')
  ) {
    impersonatedGroups = [...impersonatedGroups, 'system:authenticated'];
  }
  return {
    username,
    groups: impersonatedGroups,
    ...(uid !== undefined ? { uid } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
