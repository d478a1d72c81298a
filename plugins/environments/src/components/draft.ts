import type {
  DeletionPolicy,
  EnvironmentPlacement,
  ResourceList,
  TenantRole,
} from '@cairn/operators-api';
import type {
  CreateEnvironmentRequest,
  EnvironmentSummary,
} from '@cairn/plugin-environments-common';

/*
 * The environment form's model: what ops type, kept as text until sent,
 * and its conversion to and from the API's request.
 */

/** One row of a resource list editor. */
export interface ResourceRow {
  resource: string;
  value: string;
}

/** The container limits the form offers: cpu and memory of each LimitRange field. */
export const LIMIT_FIELDS = ['default', 'defaultRequest', 'max'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];
export const LIMIT_RESOURCES = ['cpu', 'memory'] as const;

export interface EnvironmentDraft {
  name: string;
  namespace: string;
  owner: string;
  tenants: Array<{ group: string; role: TenantRole }>;
  placement: EnvironmentPlacement;
  /** No restriction on StorageClasses (the spec leaves the list out). */
  allStorageClasses: boolean;
  storageClasses: string[];
  quota: ResourceRow[];
  limits: Record<LimitField, Record<string, string>>;
  deletionPolicy: DeletionPolicy;
}

/** The quota rows a new environment starts with (empty ones are left out when sent). */
export const DEFAULT_QUOTA_RESOURCES = [
  'pods',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
  'requests.storage',
];

export function emptyDraft(): EnvironmentDraft {
  return {
    name: '',
    namespace: '',
    owner: '',
    tenants: [],
    placement: {},
    allStorageClasses: false,
    storageClasses: [],
    quota: DEFAULT_QUOTA_RESOURCES.map(resource => ({ resource, value: '' })),
    limits: { default: {}, defaultRequest: {}, max: {} },
    deletionPolicy: 'Orphan',
  };
}

export function draftOf(environment: EnvironmentSummary): EnvironmentDraft {
  const { spec } = environment;
  return {
    name: environment.name,
    namespace: spec.namespace,
    owner: spec.owner,
    tenants: (spec.tenants ?? []).map(t => ({ ...t })),
    placement: {
      zones: spec.placement?.zones ?? [],
      racks: spec.placement?.racks ?? [],
      hosts: spec.placement?.hosts ?? [],
    },
    allStorageClasses: spec.storageClasses === undefined,
    storageClasses: spec.storageClasses ?? [],
    quota: Object.entries(spec.quota ?? {}).map(([resource, value]) => ({
      resource,
      value: String(value),
    })),
    limits: {
      default: { ...spec.limits?.default },
      defaultRequest: { ...spec.limits?.defaultRequest },
      max: { ...spec.limits?.max },
    },
    deletionPolicy: spec.deletionPolicy ?? 'Orphan',
  };
}

function nonEmpty(list: Record<string, string>): ResourceList | undefined {
  const entries = Object.entries(list)
    .map(([k, v]) => [k.trim(), v.trim()] as const)
    .filter(([k, v]) => k && v);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The create request of a draft; blank quota and limit fields are left out. */
export function requestOf(draft: EnvironmentDraft): CreateEnvironmentRequest {
  const placement = Object.fromEntries(
    Object.entries(draft.placement).filter(([, v]) => v?.length),
  );
  const limits = Object.fromEntries(
    LIMIT_FIELDS.map(field => [field, nonEmpty(draft.limits[field])]).filter(
      ([, v]) => v,
    ),
  );
  const quota = nonEmpty(
    Object.fromEntries(draft.quota.map(r => [r.resource, r.value])),
  );
  return {
    name: draft.name.trim(),
    spec: {
      namespace: draft.namespace.trim(),
      owner: draft.owner.trim(),
      ...(draft.tenants.length
        ? {
            tenants: draft.tenants.map(t => ({
              group: t.group.trim(),
              role: t.role,
            })),
          }
        : {}),
      ...(Object.keys(placement).length ? { placement } : {}),
      ...(draft.allStorageClasses
        ? {}
        : { storageClasses: draft.storageClasses }),
      ...(quota ? { quota } : {}),
      ...(Object.keys(limits).length ? { limits } : {}),
      deletionPolicy: draft.deletionPolicy,
    },
  };
}
