import type {
  V1ObjectMeta,
  V1ResourceQuota,
  V1RoleBinding,
} from '@kubernetes/client-node';
import {
  ANNOTATION_OWNER,
  ENVIRONMENT_OBJECT_NAME,
  LABEL_ENVIRONMENT,
  LABEL_OWNER,
  TENANT_ROLES,
} from './constants';
import type {
  Environment,
  EnvironmentLimits,
  EnvironmentTenant,
  TenantRole,
} from './types';

/**
 * A LimitRange as the API serves it (client-node's V1LimitRangeItem names
 * `default` `_default`; informers hold the JSON as served).
 * @public
 */
export interface LimitRangeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: { limits: Array<EnvironmentLimits & { type: string }> };
}

/*
 * The objects an Environment keeps in its namespace, as the controller
 * writes them. Each carries the Environment's label, which is how the
 * controller finds them again (a cluster-scoped Environment could own them
 * by ownerReferences, but then the garbage collector would delete them
 * with it, which the Orphan policy must not).
 */

/** A catalog entity ref's parts: `kind:namespace/name`, kind and namespace optional. @public */
export function parseGroupRef(ref: string): {
  namespace: string;
  name: string;
} {
  const withoutKind = ref.includes(':') ? ref.slice(ref.indexOf(':') + 1) : ref;
  const slash = withoutKind.indexOf('/');
  return slash < 0
    ? { namespace: 'default', name: withoutKind }
    : {
        namespace: withoutKind.slice(0, slash),
        name: withoutKind.slice(slash + 1),
      };
}

/**
 * The RBAC group of a catalog group, by a template with `{name}` and
 * `{namespace}` (default `{name}`: `group:default/team-x` → `team-x`).
 * @public
 */
export function rbacGroupName(ref: string, template: string): string {
  const { namespace, name } = parseGroupRef(ref);
  return template
    .replace(/\{name\}/g, name)
    .replace(/\{namespace\}/g, namespace);
}

/** The labels of every object the controller writes for an Environment. @public */
export function environmentLabels(environment: Environment) {
  return { [LABEL_ENVIRONMENT]: environment.metadata.name! };
}

/** The namespace's labels and annotations (besides the placement's). @public */
export function namespaceMetadata(environment: Environment): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: {
      ...environmentLabels(environment),
      [LABEL_OWNER]: parseGroupRef(environment.spec.owner).name,
    },
    annotations: { [ANNOTATION_OWNER]: environment.spec.owner },
  };
}

/** The name of a role's RoleBinding. @public */
export function roleBindingName(role: TenantRole): string {
  return `${ENVIRONMENT_OBJECT_NAME}-${role}`;
}

/**
 * One RoleBinding per role that has tenants, to the ClusterRole of that
 * name, its subjects the tenants' RBAC groups (sorted, without repeats).
 * @public
 */
export function tenantRoleBindings(
  environment: Environment,
  tenants: EnvironmentTenant[],
  groupTemplate: string,
): V1RoleBinding[] {
  return TENANT_ROLES.flatMap(role => {
    const groups = [
      ...new Set(
        tenants
          .filter(t => t.role === role)
          .map(t => rbacGroupName(t.group, groupTemplate)),
      ),
    ].sort();
    if (!groups.length) return [];
    return [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: {
          name: roleBindingName(role),
          namespace: environment.spec.namespace,
          labels: environmentLabels(environment),
        },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: role,
        },
        subjects: groups.map(name => ({
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Group',
          name,
        })),
      },
    ];
  });
}

/** The namespace's ResourceQuota; `hard` from desiredQuotaHard. @public */
export function environmentQuota(
  environment: Environment,
  hard: Record<string, string>,
): V1ResourceQuota {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: {
      name: ENVIRONMENT_OBJECT_NAME,
      namespace: environment.spec.namespace,
      labels: environmentLabels(environment),
    },
    spec: { hard },
  };
}

/** The namespace's LimitRange, or none when the spec sets no limits. @public */
export function environmentLimitRange(
  environment: Environment,
): LimitRangeObject | undefined {
  const {
    default: defaults,
    defaultRequest,
    max,
  } = environment.spec.limits ?? {};
  if (!defaults && !defaultRequest && !max) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: {
      name: ENVIRONMENT_OBJECT_NAME,
      namespace: environment.spec.namespace,
      labels: environmentLabels(environment),
    },
    spec: {
      limits: [
        {
          type: 'Container',
          ...(defaults ? { default: defaults } : {}),
          ...(defaultRequest ? { defaultRequest } : {}),
          ...(max ? { max } : {}),
        },
      ],
    },
  };
}
