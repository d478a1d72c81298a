import {
  aggregateClusterRoles,
  authorize,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  checkRbacEscalation,
  forbiddenMessage,
  forbiddenStatus,
  RbacObjects,
  reviewAccess,
  reviewRules,
  serviceAccountUser,
} from './rbac';

const sa = serviceAccountUser('ns', 'sa');

function cluster(extra: Partial<RbacObjects> = {}): RbacObjects {
  return {
    roles: [
      {
        metadata: { name: 'pod-reader', namespace: 'ns' },
        rules: [
          {
            apiGroups: [''],
            resources: ['pods'],
            verbs: ['get', 'list', 'watch'],
          },
          { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
          {
            apiGroups: [''],
            resources: ['configmaps'],
            verbs: ['get'],
            resourceNames: ['app-config'],
          },
        ],
      },
    ],
    clusterRoles: bootstrapClusterRoles(),
    roleBindings: [
      {
        metadata: { name: 'read-pods', namespace: 'ns' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'pod-reader',
        },
        subjects: [{ kind: 'ServiceAccount', name: 'sa' }],
      },
    ],
    clusterRoleBindings: bootstrapClusterRoleBindings(),
    ...extra,
  };
}

const pods = (verb: string, namespace = 'ns', extra: object = {}) => ({
  verb,
  apiGroup: '',
  resource: 'pods',
  namespace,
  ...extra,
});

describe('authorize', () => {
  it('allows through a RoleBinding to a ServiceAccount in the binding namespace', () => {
    expect(authorize(cluster(), sa, pods('list'))).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "read-pods/ns" of Role "pod-reader" to ServiceAccount "sa/ns"',
    });
    expect(authorize(cluster(), sa, pods('list', 'other')).allowed).toBe(false);
    expect(authorize(cluster(), sa, pods('delete')).allowed).toBe(false);
  });

  it('matches subresources exactly or by */subresource', () => {
    expect(
      authorize(
        cluster(),
        sa,
        pods('get', 'ns', { subresource: 'log', name: 'x' }),
      ).allowed,
    ).toBe(true);
    expect(
      authorize(
        cluster(),
        sa,
        pods('get', 'ns', { subresource: 'exec', name: 'x' }),
      ).allowed,
    ).toBe(false);
    const objects = cluster({
      roles: [
        {
          metadata: { name: 'status', namespace: 'ns' },
          rules: [
            { apiGroups: ['*'], resources: ['*/status'], verbs: ['update'] },
          ],
        },
      ],
      roleBindings: [
        {
          metadata: { name: 'b', namespace: 'ns' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'Role',
            name: 'status',
          },
          subjects: [{ kind: 'User', name: 'bob' }],
        },
      ],
    });
    const bob = { name: 'bob', groups: ['system:authenticated'] };
    expect(
      authorize(objects, bob, {
        verb: 'update',
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'status',
        namespace: 'ns',
      }).allowed,
    ).toBe(true);
    expect(
      authorize(objects, bob, {
        verb: 'update',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'ns',
      }).allowed,
    ).toBe(false);
  });

  it('honours resourceNames', () => {
    const cm = (name?: string) => ({
      verb: 'get',
      apiGroup: '',
      resource: 'configmaps',
      namespace: 'ns',
      name,
    });
    expect(authorize(cluster(), sa, cm('app-config')).allowed).toBe(true);
    expect(authorize(cluster(), sa, cm('other')).allowed).toBe(false);
    expect(authorize(cluster(), sa, cm()).allowed).toBe(false);
  });

  it('grants a ClusterRole bound in a namespace only there', () => {
    const objects = cluster({
      roleBindings: [
        {
          metadata: { name: 'viewers', namespace: 'ns' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'view',
          },
          subjects: [{ kind: 'Group', name: 'system:serviceaccounts:ns' }],
        },
      ],
    });
    expect(
      authorize(objects, sa, {
        verb: 'list',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'ns',
      }),
    ).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "viewers/ns" of ClusterRole "view" to Group "system:serviceaccounts:ns"',
    });
    expect(
      authorize(objects, sa, {
        verb: 'list',
        apiGroup: 'apps',
        resource: 'deployments',
      }).allowed,
    ).toBe(false);
    expect(
      authorize(objects, sa, {
        verb: 'get',
        apiGroup: '',
        resource: 'secrets',
        namespace: 'ns',
      }).allowed,
    ).toBe(false);
  });

  it('always allows system:masters', () => {
    expect(
      authorize(
        {
          roles: [],
          clusterRoles: [],
          roleBindings: [],
          clusterRoleBindings: [],
        },
        { name: 'admin', groups: ['system:masters'] },
        pods('delete'),
      ).allowed,
    ).toBe(true);
  });

  it('lets authenticated users discover the API and review their own access', () => {
    const user = { name: 'alice', groups: ['system:authenticated'] };
    expect(
      authorize(cluster(), user, {
        verb: 'get',
        nonResourceURL: '/apis/apps/v1',
      }),
    ).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
    });
    expect(
      authorize(cluster(), user, {
        verb: 'create',
        apiGroup: 'authorization.k8s.io',
        resource: 'selfsubjectaccessreviews',
      }).allowed,
    ).toBe(true);
    expect(
      authorize(cluster(), user, { verb: 'get', nonResourceURL: '/metrics' })
        .allowed,
    ).toBe(false);
  });

  it('reports bindings to missing roles in the reason of a denial', () => {
    const objects = cluster({
      roleBindings: [
        {
          metadata: { name: 'dangling', namespace: 'ns' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'Role',
            name: 'gone',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }],
        },
      ],
    });
    expect(authorize(objects, sa, pods('list'))).toEqual({
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found',
    });
  });

  it('ignores ServiceAccount subjects without a namespace in ClusterRoleBindings', () => {
    const objects = cluster({
      clusterRoleBindings: [
        {
          metadata: { name: 'x' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'sa' }],
        },
      ],
    });
    expect(authorize(objects, sa, pods('delete')).allowed).toBe(false);
  });
});

describe('forbidden messages', () => {
  it('words namespaced, cluster-scoped, subresource and path denials like kube-apiserver', () => {
    expect(forbiddenStatus(sa, pods('list'))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "pods" in API group "" in the namespace "ns"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    expect(
      forbiddenStatus(sa, { verb: 'list', apiGroup: '', resource: 'nodes' })
        .message,
    ).toBe(
      'nodes is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(
      forbiddenStatus(sa, pods('get', 'ns', { subresource: 'log', name: 'x' }))
        .message,
    ).toBe(
      'pods "x" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "pods/log" in API group "" in the namespace "ns"',
    );
    expect(
      forbiddenStatus(sa, {
        verb: 'get',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'ns',
        name: 'web',
      }).message,
    ).toBe(
      'deployments.apps "web" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "deployments" in API group "apps" in the namespace "ns"',
    );
    expect(
      forbiddenStatus(
        { name: 'bob', groups: [] },
        { verb: 'get', nonResourceURL: '/metrics' },
      ).message,
    ).toBe('forbidden: User "bob" cannot get path "/metrics"');
    expect(
      forbiddenMessage(
        sa,
        pods('list'),
        'RBAC: role.rbac.authorization.k8s.io "gone" not found',
      ),
    ).toBe(
      'User "system:serviceaccount:ns:sa" cannot list resource "pods" in API group "" in the namespace "ns": RBAC: role.rbac.authorization.k8s.io "gone" not found',
    );
  });
});

describe('reviews', () => {
  it('evaluates access reviews as kubectl auth can-i sends them', () => {
    expect(
      reviewAccess(cluster(), sa, {
        resourceAttributes: { namespace: 'ns', verb: 'list', resource: 'pods' },
      }),
    ).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "read-pods/ns" of Role "pod-reader" to ServiceAccount "sa/ns"',
    });
    expect(
      reviewAccess(cluster(), sa, {
        resourceAttributes: {
          namespace: 'ns',
          verb: 'create',
          resource: 'pods',
        },
      }),
    ).toEqual({
      allowed: false,
    });
  });

  it('lists the rules a user has in a namespace', () => {
    const rules = reviewRules(cluster(), sa, 'ns');
    expect(rules.incomplete).toBe(false);
    expect(rules.resourceRules).toContainEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: [''],
      resources: ['pods'],
    });
    expect(rules.resourceRules).toContainEqual({
      verbs: ['get'],
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['app-config'],
    });
    expect(rules.nonResourceRules).toContainEqual({
      verbs: ['get'],
      nonResourceURLs: [
        '/healthz',
        '/livez',
        '/readyz',
        '/version',
        '/version/',
      ],
    });
    const admin = reviewRules(
      cluster(),
      { name: 'admin', groups: ['system:masters'] },
      'ns',
    );
    expect(admin.resourceRules[0]).toEqual({
      verbs: ['*'],
      apiGroups: ['*'],
      resources: ['*'],
    });
  });
});

describe('aggregation and bootstrap roles', () => {
  const roles = bootstrapClusterRoles();
  const rulesOf = (name: string) =>
    roles.find(r => r.metadata?.name === name)!.rules!;

  it('aggregates view into edit into admin', () => {
    const view = rulesOf('view');
    const edit = rulesOf('edit');
    const admin = rulesOf('admin');
    expect(view.length).toBeGreaterThan(0);
    for (const rule of view) expect(edit).toContainEqual(rule);
    for (const rule of edit) expect(admin).toContainEqual(rule);
    expect(admin).toContainEqual({
      verbs: expect.arrayContaining(['create']),
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'rolebindings'],
    });
    expect(view.some(rule => rule.resources?.includes('secrets'))).toBe(false);
  });

  it('re-aggregates when a new labelled role appears', () => {
    const extended = aggregateClusterRoles([
      ...roles,
      {
        metadata: {
          name: 'stones-view',
          labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' },
        },
        rules: [
          {
            apiGroups: ['rollouts.cairn.dev'],
            resources: ['stones'],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      },
    ]);
    const admin = extended.find(r => r.metadata?.name === 'admin')!;
    expect(admin.rules).toContainEqual({
      apiGroups: ['rollouts.cairn.dev'],
      resources: ['stones'],
      verbs: ['get', 'list', 'watch'],
    });
  });

  it('binds cluster-admin to system:masters', () => {
    expect(bootstrapClusterRoleBindings()[0]).toMatchObject({
      metadata: { name: 'cluster-admin' },
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'Group', name: 'system:masters' }],
    });
  });
});

describe('checkRbacEscalation', () => {
  const roleManager = (extraRules: any[] = []) =>
    cluster({
      roles: [
        {
          metadata: { name: 'manager', namespace: 'ns' },
          rules: [
            {
              apiGroups: ['rbac.authorization.k8s.io'],
              resources: ['roles', 'rolebindings'],
              verbs: ['create', 'update'],
            },
            { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
            ...extraRules,
          ],
        },
        {
          metadata: { name: 'pod-admin', namespace: 'ns' },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }],
        },
      ],
      roleBindings: [
        {
          metadata: { name: 'manager', namespace: 'ns' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'Role',
            name: 'manager',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'sa' }],
        },
      ],
    });
  const role = (rules: object[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'granted', namespace: 'ns' },
    rules,
  });

  it('lets users grant what they hold, and system:masters anything', () => {
    expect(
      checkRbacEscalation(
        roleManager(),
        sa,
        role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]) as any,
      ),
    ).toBeUndefined();
    expect(
      checkRbacEscalation(
        roleManager(),
        { name: 'admin', groups: ['system:masters'] },
        role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]) as any,
      ),
    ).toBeUndefined();
  });

  it('refuses to grant permissions not held, listing them as kube-apiserver does', () => {
    expect(
      checkRbacEscalation(
        roleManager(),
        sa,
        role([
          {
            apiGroups: [''],
            resources: ['pods'],
            verbs: ['get', 'delete', 'create'],
          },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        ]) as any,
      ),
    ).toBe(
      'user "system:serviceaccount:ns:sa" (groups=["system:serviceaccounts" "system:serviceaccounts:ns" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n' +
        '{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}',
    );
  });

  it('allows the escalate and bind verbs to skip the check', () => {
    const withEscalate = roleManager([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles'],
        verbs: ['escalate'],
      },
    ]);
    expect(
      checkRbacEscalation(
        withEscalate,
        sa,
        role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]) as any,
      ),
    ).toBeUndefined();
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'ns' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'pod-admin',
      },
      subjects: [{ kind: 'User', name: 'bob' }],
    };
    expect(checkRbacEscalation(roleManager(), sa, binding as any)).toMatch(
      /is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["\*"\]\}$/,
    );
    const withBind = roleManager([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles'],
        verbs: ['bind'],
        resourceNames: ['pod-admin'],
      },
    ]);
    expect(checkRbacEscalation(withBind, sa, binding as any)).toBeUndefined();
    expect(
      checkRbacEscalation(roleManager(), sa, {
        ...binding,
        roleRef: { ...binding.roleRef, name: 'nope' },
      } as any),
    ).toBe('role.rbac.authorization.k8s.io "nope" not found');
  });

  it('requires full authority for an aggregationRule', () => {
    const aggregated = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'agg' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] },
      rules: [],
    };
    expect(checkRbacEscalation(roleManager(), sa, aggregated as any)).toBe(
      'must have cluster-admin privileges to use the aggregationRule',
    );
  });
});
