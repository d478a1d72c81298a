/**
 * RBAC authorization as kube-apiserver's authorizer chain does it (the
 * system:masters privileged group, then the RBAC authorizer), with the
 * Forbidden messages, access and rules reviews, ClusterRole aggregation and
 * the bootstrap roles a cluster starts with.
 */

import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  RbacV1Subject as V1Subject,
} from '@kubernetes/client-node';
import { goQuote, Status, statusErrors } from './errors';
import { labelSelectorMatcher } from './labels';

/** An authenticated (or anonymous) user. */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** What a request wants to do (authorizer.Attributes). */
export type RequestAttributes =
  | {
      verb: string;
      apiGroup: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
    }
  | { verb: string; nonResourceURL: string };

/** The RBAC objects in the cluster. */
export interface RbacObjects {
  roles: V1Role[];
  clusterRoles: V1ClusterRole[];
  roleBindings: V1RoleBinding[];
  clusterRoleBindings: V1ClusterRoleBinding[];
}

/** An authorization decision with the reason Kubernetes gives. */
export interface Decision {
  allowed: boolean;
  /** `RBAC: allowed by …` when allowed; `RBAC: <errors>` or empty when not. */
  reason: string;
}

/** The group whose members are always allowed. */
export const SYSTEM_MASTERS = 'system:masters';

const isResourceRequest = (
  attrs: RequestAttributes,
): attrs is Extract<RequestAttributes, { resource: string }> =>
  'resource' in attrs;

/** The user a ServiceAccount token authenticates as, with its groups. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: [
      'system:serviceaccounts',
      `system:serviceaccounts:${namespace}`,
      'system:authenticated',
    ],
  };
}

/** Does one policy rule allow the request (rbac.RuleAllows)? */
export function ruleAllows(
  attrs: RequestAttributes,
  rule: V1PolicyRule,
): boolean {
  const verbs = rule.verbs ?? [];
  if (!verbs.includes('*') && !verbs.includes(attrs.verb)) return false;
  if (!isResourceRequest(attrs)) {
    return (rule.nonResourceURLs ?? []).some(
      url =>
        url === '*' ||
        url === attrs.nonResourceURL ||
        (url.endsWith('*') &&
          attrs.nonResourceURL.startsWith(url.replace(/\*+$/, ''))),
    );
  }
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(attrs.apiGroup)) return false;
  const subresource = attrs.subresource ?? '';
  const combined = subresource
    ? `${attrs.resource}/${subresource}`
    : attrs.resource;
  const resourceMatches = (rule.resources ?? []).some(
    resource =>
      resource === '*' ||
      resource === combined ||
      (subresource !== '' && resource === `*/${subresource}`),
  );
  if (!resourceMatches) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(attrs.name ?? '');
}

function subjectApplies(
  user: UserInfo,
  subject: V1Subject,
  namespace: string,
): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const saNamespace = subject.namespace || namespace;
      return (
        !!saNamespace &&
        user.name === `system:serviceaccount:${saNamespace}:${subject.name}`
      );
    }
    default:
      return false;
  }
}

function describeSubject(subject: V1Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${goQuote(
      `${subject.name}/${subject.namespace || bindingNamespace}`,
    )}`;
  }
  return `${subject.kind} ${goQuote(subject.name)}`;
}

const byName = <T extends { metadata?: { name?: string } }>(a: T, b: T) =>
  (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '', 'en');

interface RuleSource {
  /** `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`. */
  describe: string;
  rules: V1PolicyRule[];
}

/**
 * Rules that apply to a user in a namespace, with their sources, and the
 * errors for bindings whose role does not exist (DefaultRuleResolver).
 */
function resolveRules(
  objects: RbacObjects,
  user: UserInfo,
  namespace: string,
): { sources: RuleSource[]; errors: string[] } {
  const sources: RuleSource[] = [];
  const errors: string[] = [];
  const findClusterRole = (name: string) =>
    objects.clusterRoles.find(r => r.metadata?.name === name);
  for (const binding of [...objects.clusterRoleBindings].sort(byName)) {
    const subject = (binding.subjects ?? []).find(s =>
      subjectApplies(user, s, ''),
    );
    if (!subject) continue;
    const role =
      binding.roleRef.kind === 'ClusterRole'
        ? findClusterRole(binding.roleRef.name)
        : undefined;
    if (!role) {
      errors.push(
        binding.roleRef.kind === 'ClusterRole'
          ? `clusterrole.rbac.authorization.k8s.io ${goQuote(
              binding.roleRef.name,
            )} not found`
          : `unsupported role reference kind: ${goQuote(binding.roleRef.kind)}`,
      );
      continue;
    }
    sources.push({
      describe: `ClusterRoleBinding ${goQuote(
        binding.metadata?.name ?? '',
      )} of ClusterRole ${goQuote(binding.roleRef.name)} to ${describeSubject(
        subject,
        '',
      )}`,
      rules: role.rules ?? [],
    });
  }
  if (namespace) {
    const bindings = objects.roleBindings
      .filter(b => b.metadata?.namespace === namespace)
      .sort(byName);
    for (const binding of bindings) {
      const subject = (binding.subjects ?? []).find(s =>
        subjectApplies(user, s, namespace),
      );
      if (!subject) continue;
      const { kind, name } = binding.roleRef;
      let rules: V1PolicyRule[] | undefined;
      if (kind === 'Role') {
        rules = objects.roles.find(
          r => r.metadata?.namespace === namespace && r.metadata?.name === name,
        )?.rules;
        if (!rules)
          errors.push(
            `role.rbac.authorization.k8s.io ${goQuote(name)} not found`,
          );
      } else if (kind === 'ClusterRole') {
        const role = findClusterRole(name);
        rules = role ? role.rules ?? [] : undefined;
        if (!role)
          errors.push(
            `clusterrole.rbac.authorization.k8s.io ${goQuote(name)} not found`,
          );
      } else {
        errors.push(`unsupported role reference kind: ${goQuote(kind)}`);
      }
      if (!rules) continue;
      sources.push({
        describe: `RoleBinding ${goQuote(
          `${binding.metadata?.name}/${namespace}`,
        )} of ${kind} ${goQuote(name)} to ${describeSubject(
          subject,
          namespace,
        )}`,
        rules,
      });
    }
  }
  return { sources, errors };
}

const aggregateErrors = (errors: string[]) =>
  errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;

/**
 * Decides a request as the kube-apiserver chain does: members of
 * system:masters are always allowed; otherwise RBAC allows it if any rule
 * reachable through a binding of the user, one of its groups or its
 * ServiceAccount matches.
 */
export function authorize(
  objects: RbacObjects,
  user: UserInfo,
  attrs: RequestAttributes,
): Decision {
  if (user.groups.includes(SYSTEM_MASTERS))
    return { allowed: true, reason: '' };
  const namespace = isResourceRequest(attrs) ? attrs.namespace ?? '' : '';
  const { sources, errors } = resolveRules(objects, user, namespace);
  for (const source of sources) {
    if (source.rules.some(rule => ruleAllows(attrs, rule))) {
      return { allowed: true, reason: `RBAC: allowed by ${source.describe}` };
    }
  }
  // Role lookup errors only surface when nothing allowed the request.
  return {
    allowed: false,
    reason: errors.length ? `RBAC: ${aggregateErrors(errors)}` : '',
  };
}

/**
 * The message of a 403 for a denied request (responsewriters.forbiddenMessage),
 * e.g. `User "bob" cannot list resource "pods" in API group "" in the namespace "ns"`.
 */
export function forbiddenMessage(
  user: UserInfo,
  attrs: RequestAttributes,
  reason = '',
): string {
  let message: string;
  if (!isResourceRequest(attrs)) {
    message = `User ${goQuote(user.name)} cannot ${attrs.verb} path ${goQuote(
      attrs.nonResourceURL,
    )}`;
  } else {
    const resource = attrs.subresource
      ? `${attrs.resource}/${attrs.subresource}`
      : attrs.resource;
    const scope = attrs.namespace
      ? `in the namespace ${goQuote(attrs.namespace)}`
      : 'at the cluster scope';
    message = `User ${goQuote(user.name)} cannot ${
      attrs.verb
    } resource ${goQuote(resource)} in API group ${goQuote(
      attrs.apiGroup,
    )} ${scope}`;
  }
  return reason ? `${message}: ${reason}` : message;
}

/** The complete 403 Status for a denied request. */
export function forbiddenStatus(
  user: UserInfo,
  attrs: RequestAttributes,
  reason = '',
): Status {
  const message = forbiddenMessage(user, attrs, reason);
  if (!isResourceRequest(attrs))
    return statusErrors.forbidden(undefined, '', message);
  return statusErrors.forbidden(
    { group: attrs.apiGroup, resource: attrs.resource },
    attrs.name ?? '',
    message,
  );
}

/** The attributes of a (Self)SubjectAccessReview spec. */
export interface AccessReviewSpec {
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    version?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
}

/** The status of an access review. */
export interface AccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

function reviewAttributes(spec: AccessReviewSpec): RequestAttributes {
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return {
      verb: r.verb ?? '',
      apiGroup: r.group ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
    };
  }
  return {
    verb: spec.nonResourceAttributes?.verb ?? '',
    nonResourceURL: spec.nonResourceAttributes?.path ?? '',
  };
}

/**
 * Evaluates a SelfSubjectAccessReview (for the requesting user) or a
 * SubjectAccessReview (for `spec.user` and `spec.groups`), as `kubectl auth
 * can-i` sends them.
 */
export function reviewAccess(
  objects: RbacObjects,
  user: UserInfo,
  spec: AccessReviewSpec,
): AccessReviewStatus {
  const decision = authorize(objects, user, reviewAttributes(spec));
  const status: AccessReviewStatus = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  return status;
}

/** A rule of a SelfSubjectRulesReview. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** A non-resource rule of a SelfSubjectRulesReview. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/**
 * The rules a user has in a namespace (SelfSubjectRulesReview status), as
 * `kubectl auth can-i --list` shows them.
 */
export function reviewRules(
  objects: RbacObjects,
  user: UserInfo,
  namespace: string,
): {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
} {
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  if (user.groups.includes(SYSTEM_MASTERS)) {
    resourceRules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    nonResourceRules.push({ verbs: ['*'], nonResourceURLs: ['*'] });
  }
  const { sources, errors } = resolveRules(objects, user, namespace);
  for (const rule of sources.flatMap(source => source.rules)) {
    if (rule.nonResourceURLs?.length) {
      nonResourceRules.push({
        verbs: rule.verbs,
        nonResourceURLs: rule.nonResourceURLs,
      });
    } else {
      resourceRules.push({
        verbs: rule.verbs,
        apiGroups: rule.apiGroups,
        resources: rule.resources,
        ...(rule.resourceNames?.length
          ? { resourceNames: rule.resourceNames }
          : {}),
      });
    }
  }
  return errors.length
    ? {
        resourceRules,
        nonResourceRules,
        incomplete: true,
        evaluationError: aggregateErrors(errors),
      }
    : { resourceRules, nonResourceRules, incomplete: false };
}

const ruleKey = (rule: V1PolicyRule) =>
  JSON.stringify([
    rule.verbs,
    rule.apiGroups ?? [],
    rule.resources ?? [],
    rule.resourceNames ?? [],
    rule.nonResourceURLs ?? [],
  ]);

/**
 * Fills the rules of ClusterRoles that have an aggregationRule with the
 * union of the rules of the ClusterRoles their selectors match (as the
 * clusterrole-aggregation controller does), repeating until stable so
 * aggregations of aggregations resolve. Returns new objects.
 */
export function aggregateClusterRoles(
  clusterRoles: V1ClusterRole[],
): V1ClusterRole[] {
  const roles = clusterRoles.map(role => structuredClone(role));
  for (let round = 0; round < roles.length + 1; round++) {
    let changed = false;
    for (const role of roles) {
      const selectors = role.aggregationRule?.clusterRoleSelectors;
      if (!selectors) continue;
      const rules: V1PolicyRule[] = [];
      const seen = new Set<string>();
      for (const selector of selectors) {
        const matches = labelSelectorMatcher(selector);
        const members = roles
          .filter(
            other =>
              other.metadata?.name !== role.metadata?.name &&
              matches(other.metadata?.labels),
          )
          .sort(byName);
        for (const rule of members.flatMap(member => member.rules ?? [])) {
          const key = ruleKey(rule);
          if (!seen.has(key)) {
            seen.add(key);
            rules.push(rule);
          }
        }
      }
      if (JSON.stringify(rules) !== JSON.stringify(role.rules ?? [])) {
        role.rules = rules;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return roles;
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];

const policyRule = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
): V1PolicyRule => ({
  verbs,
  apiGroups,
  resources,
});
const nonResource = (verbs: string[], urls: string[]): V1PolicyRule => ({
  verbs,
  nonResourceURLs: urls,
});

const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const aggregateTo = (role: string) => ({
  [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true',
});

function clusterRole(
  name: string,
  rules: V1PolicyRule[],
  extra: Partial<Pick<V1ClusterRole, 'aggregationRule'>> & {
    labels?: Record<string, string>;
  } = {},
): V1ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { ...BOOTSTRAP_LABELS, ...(extra.labels ?? {}) },
      annotations: AUTOUPDATE,
    },
    ...(extra.aggregationRule
      ? { aggregationRule: extra.aggregationRule }
      : {}),
    rules,
  };
}

function clusterRoleBinding(
  name: string,
  role: string,
  groups: string[],
): V1ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role,
    },
    subjects: groups.map(group => ({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Group',
      name: group,
    })),
  };
}

const selectAggregate = (role: string) => ({
  clusterRoleSelectors: [{ matchLabels: aggregateTo(role) }],
});

/**
 * The bootstrap ClusterRoles (cluster-admin, admin, edit, view and their
 * aggregate-to roles, system:basic-user, system:discovery,
 * system:public-info-viewer, system:service-account-issuer-discovery), with
 * aggregated rules already filled in as the controller would.
 */
export function bootstrapClusterRoles(): V1ClusterRole[] {
  return aggregateClusterRoles([
    clusterRole('cluster-admin', [
      policyRule(['*'], ['*'], ['*']),
      nonResource(['*'], ['*']),
    ]),
    clusterRole('admin', [], { aggregationRule: selectAggregate('admin') }),
    clusterRole('edit', [], {
      aggregationRule: selectAggregate('edit'),
      labels: aggregateTo('admin'),
    }),
    clusterRole('view', [], {
      aggregationRule: selectAggregate('view'),
      labels: aggregateTo('edit'),
    }),
    clusterRole(
      'system:aggregate-to-admin',
      [
        policyRule(
          ['create'],
          ['authorization.k8s.io'],
          ['localsubjectaccessreviews'],
        ),
        policyRule(
          READ_WRITE,
          ['rbac.authorization.k8s.io'],
          ['roles', 'rolebindings'],
        ),
      ],
      { labels: aggregateTo('admin') },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        policyRule(
          READ,
          [''],
          [
            'pods/attach',
            'pods/proxy',
            'pods/exec',
            'pods/portforward',
            'secrets',
            'services/proxy',
          ],
        ),
        policyRule(['impersonate'], [''], ['serviceaccounts']),
        policyRule(
          WRITE,
          [''],
          [
            'pods',
            'pods/attach',
            'pods/proxy',
            'pods/exec',
            'pods/portforward',
          ],
        ),
        policyRule(['create'], [''], ['pods/eviction']),
        policyRule(
          WRITE,
          [''],
          [
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/proxy',
            'persistentvolumeclaims',
            'configmaps',
            'secrets',
            'events',
          ],
        ),
        policyRule(['create'], [''], ['serviceaccounts/token']),
        policyRule(
          WRITE,
          ['apps'],
          [
            'statefulsets',
            'statefulsets/scale',
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'replicasets',
            'replicasets/scale',
          ],
        ),
        policyRule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
        policyRule(WRITE, ['batch'], ['jobs', 'cronjobs']),
        policyRule(
          WRITE,
          ['extensions'],
          [
            'daemonsets',
            'deployments',
            'deployments/scale',
            'deployments/rollback',
            'ingresses',
            'replicasets',
            'replicasets/scale',
            'replicationcontrollers/scale',
            'networkpolicies',
          ],
        ),
        policyRule(WRITE, ['policy'], ['poddisruptionbudgets']),
        policyRule(
          WRITE,
          ['networking.k8s.io'],
          ['networkpolicies', 'ingresses'],
        ),
        policyRule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
      ],
      { labels: aggregateTo('edit') },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        policyRule(
          READ,
          [''],
          [
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'configmaps',
          ],
        ),
        policyRule(
          READ,
          [''],
          [
            'limitranges',
            'resourcequotas',
            'bindings',
            'events',
            'pods/status',
            'resourcequotas/status',
            'namespaces/status',
            'replicationcontrollers/status',
            'pods/log',
          ],
        ),
        policyRule(READ, [''], ['namespaces']),
        policyRule(READ, ['discovery.k8s.io'], ['endpointslices']),
        policyRule(
          READ,
          ['apps'],
          [
            'controllerrevisions',
            'statefulsets',
            'statefulsets/scale',
            'statefulsets/status',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
          ],
        ),
        policyRule(
          READ,
          ['autoscaling'],
          ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
        ),
        policyRule(
          READ,
          ['batch'],
          ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status'],
        ),
        policyRule(
          READ,
          ['extensions'],
          [
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'ingresses',
            'ingresses/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'replicationcontrollers/scale',
            'networkpolicies',
          ],
        ),
        policyRule(
          READ,
          ['policy'],
          ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
        ),
        policyRule(
          READ,
          ['networking.k8s.io'],
          ['networkpolicies', 'ingresses', 'ingresses/status'],
        ),
      ],
      { labels: aggregateTo('view') },
    ),
    clusterRole('system:basic-user', [
      policyRule(
        ['create'],
        ['authorization.k8s.io'],
        ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      ),
      policyRule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:discovery', [
      nonResource(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ]),
    clusterRole('system:public-info-viewer', [
      nonResource(
        ['get'],
        ['/healthz', '/livez', '/readyz', '/version', '/version/'],
      ),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      nonResource(
        ['get'],
        [
          '/.well-known/openid-configuration',
          '/.well-known/openid-configuration/',
          '/openid/v1/jwks',
          '/openid/v1/jwks/',
        ],
      ),
    ]),
  ]);
}

/** The bootstrap ClusterRoleBindings matching {@link bootstrapClusterRoles}. */
export function bootstrapClusterRoleBindings(): V1ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [SYSTEM_MASTERS]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [
      'system:authenticated',
    ]),
    clusterRoleBinding('system:discovery', 'system:discovery', [
      'system:authenticated',
    ]),
    clusterRoleBinding(
      'system:public-info-viewer',
      'system:public-info-viewer',
      ['system:authenticated', 'system:unauthenticated'],
    ),
    clusterRoleBinding(
      'system:service-account-issuer-discovery',
      'system:service-account-issuer-discovery',
      ['system:serviceaccounts'],
    ),
  ];
}

/** Splits a rule into rules of one verb, group, resource (and name) each (BreakdownRule). */
function breakdownRule(rule: V1PolicyRule): V1PolicyRule[] {
  const parts: V1PolicyRule[] = [];
  for (const apiGroup of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames?.length
          ? rule.resourceNames
          : [undefined];
        for (const name of names) {
          parts.push({
            apiGroups: [apiGroup],
            resources: [resource],
            verbs: [verb],
            ...(name ? { resourceNames: [name] } : {}),
          });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs)
      parts.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return parts;
}

const hasAll = (set: string[] | undefined, wanted: string[] | undefined) =>
  (wanted ?? []).every(item => (set ?? []).includes(item));

function resourcesCovered(
  owned: string[] | undefined,
  wanted: string[] | undefined,
): boolean {
  const set = owned ?? [];
  if (set.includes('*') || hasAll(set, wanted)) return true;
  return (wanted ?? []).every(resource => {
    if (set.includes(resource)) return true;
    const slash = resource.indexOf('/');
    return slash >= 0 && set.includes(`*/${resource.slice(slash + 1)}`);
  });
}

function urlsCovered(
  owned: string[] | undefined,
  wanted: string[] | undefined,
): boolean {
  return (wanted ?? []).every(url =>
    (owned ?? []).some(
      o =>
        o === '*' ||
        o === url ||
        (o.endsWith('*') && url.startsWith(o.replace(/\*+$/, ''))),
    ),
  );
}

/** Does an owned rule cover a (broken-down) rule (ruleCovers)? */
function ruleCovers(owner: V1PolicyRule, rule: V1PolicyRule): boolean {
  const verbs = owner.verbs.includes('*') || hasAll(owner.verbs, rule.verbs);
  const groups =
    (owner.apiGroups ?? []).includes('*') ||
    hasAll(owner.apiGroups, rule.apiGroups);
  const names = rule.resourceNames?.length
    ? !owner.resourceNames?.length ||
      hasAll(owner.resourceNames, rule.resourceNames)
    : !owner.resourceNames?.length;
  return (
    verbs &&
    groups &&
    names &&
    resourcesCovered(owner.resources, rule.resources) &&
    urlsCovered(owner.nonResourceURLs, rule.nonResourceURLs)
  );
}

/** Go's %q of a []string: `["a" "b"]`. */
const quoteList = (values: string[]) => `[${values.map(goQuote).join(' ')}]`;

function compactString(rule: V1PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length)
    parts.push(`APIGroups:${quoteList(rule.apiGroups)}`);
  if (rule.resources?.length)
    parts.push(`Resources:${quoteList(rule.resources)}`);
  if (rule.nonResourceURLs?.length)
    parts.push(`NonResourceURLs:${quoteList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length)
    parts.push(`ResourceNames:${quoteList(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${quoteList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** Merges missing single-resource rules that differ only by verb (CompactRules). */
function compactRules(rules: V1PolicyRule[]): V1PolicyRule[] {
  const compacted: V1PolicyRule[] = [];
  const simple = new Map<string, V1PolicyRule>();
  for (const rule of rules) {
    const isSimple =
      rule.apiGroups?.length === 1 &&
      rule.resources?.length === 1 &&
      (rule.resourceNames?.length ?? 0) <= 1 &&
      !rule.nonResourceURLs?.length;
    if (!isSimple) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify([
      rule.apiGroups,
      rule.resources,
      rule.resourceNames ?? [],
    ]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...rule.verbs];
    else simple.set(key, { ...rule, verbs: [...rule.verbs] });
  }
  return [...compacted, ...simple.values()];
}

/** ConfirmNoEscalation: the user's own RBAC rules in the namespace must cover `rules`. */
function confirmNoEscalation(
  objects: RbacObjects,
  user: UserInfo,
  namespace: string,
  rules: V1PolicyRule[],
): string | undefined {
  const { sources, errors } = resolveRules(objects, user, namespace);
  const owned = sources.flatMap(source => source.rules);
  const missing = rules
    .flatMap(breakdownRule)
    .filter(rule => !owned.some(owner => ruleCovers(owner, rule)));
  if (!missing.length) return undefined;
  const descriptions = [
    ...new Set(compactRules(missing).map(compactString)),
  ].sort();
  let message = `user ${goQuote(user.name)} (groups=${quoteList(
    user.groups,
  )}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join(
    '\n',
  )}`;
  if (errors.length) message += `; resolution errors: [${errors.join(' ')}]`;
  return message;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: V1PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** True when only the fields the garbage collector touches differ (IsOnlyMutatingGCFields). */
function onlyGarbageCollectorFields(obj: any, old: any): boolean {
  const strip = (o: any) => ({
    ...o,
    metadata: {
      ...(o?.metadata ?? {}),
      ownerReferences: undefined,
      finalizers: undefined,
      resourceVersion: undefined,
      managedFields: undefined,
    },
  });
  return JSON.stringify(strip(obj)) === JSON.stringify(strip(old));
}

/**
 * RBAC's escalation prevention for a Role, ClusterRole, RoleBinding or
 * ClusterRoleBinding being created or updated by `user`: allowed for
 * system:masters, with the `escalate` (roles) or `bind` (bindings) verb, or
 * when the user already holds every permission granted. Returns the reason of
 * the 403 (`user "bob" (groups=[…]) is attempting to grant RBAC permissions
 * not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`),
 * or undefined when allowed.
 */
export function checkRbacEscalation(
  objects: RbacObjects,
  user: UserInfo,
  obj: V1Role | V1ClusterRole | V1RoleBinding | V1ClusterRoleBinding,
  oldObj?: object,
): string | undefined {
  if (user.groups.includes(SYSTEM_MASTERS)) return undefined;
  if (oldObj && onlyGarbageCollectorFields(obj, oldObj)) return undefined;
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const resource = obj.kind === 'Role' ? 'roles' : 'clusterroles';
    const escalate = {
      verb: 'escalate',
      apiGroup: RBAC_GROUP,
      resource,
      namespace: namespace || undefined,
      name,
    };
    if (authorize(objects, user, escalate).allowed) return undefined;
    const role = obj as V1ClusterRole;
    const denied = confirmNoEscalation(
      objects,
      user,
      namespace,
      role.rules ?? [],
    );
    if (denied) return denied;
    if (
      role.aggregationRule &&
      confirmNoEscalation(objects, user, namespace, FULL_AUTHORITY)
    ) {
      return 'must have cluster-admin privileges to use the aggregationRule';
    }
    return undefined;
  }
  const binding = obj as V1RoleBinding;
  const { kind, name: roleName } = binding.roleRef;
  const bind = {
    verb: 'bind',
    apiGroup: binding.roleRef.apiGroup,
    resource: kind === 'Role' ? 'roles' : 'clusterroles',
    namespace: namespace || undefined,
    name: roleName,
  };
  if (authorize(objects, user, bind).allowed) return undefined;
  let rules: V1PolicyRule[] | undefined;
  if (kind === 'Role') {
    rules = objects.roles.find(
      r => r.metadata?.namespace === namespace && r.metadata?.name === roleName,
    )?.rules;
    if (!rules)
      return `role.rbac.authorization.k8s.io ${goQuote(roleName)} not found`;
  } else {
    const role = objects.clusterRoles.find(r => r.metadata?.name === roleName);
    if (!role)
      return `clusterrole.rbac.authorization.k8s.io ${goQuote(
        roleName,
      )} not found`;
    rules = role.rules ?? [];
  }
  return confirmNoEscalation(objects, user, namespace, rules);
}
