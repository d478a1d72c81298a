import type { V1ObjectMeta } from '@kubernetes/client-node';
import { DELETION_POLICIES, TENANT_ROLES } from './constants';

/*
 * `tenancy.cairn.dev/v1alpha1` Environment (cluster-scoped): a namespace
 * bound to a set of nodes, the storage classes it may use and a quota,
 * handed to teams (tenants) with admin, edit or view rights.
 */

/** @public */
export type TenantRole = (typeof TENANT_ROLES)[number];

/** @public */
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

/** A team with a role in the environment. @public */
export interface EnvironmentTenant {
  /** A catalog group ref (`group:default/team-x`, or `team-x`). */
  group: string;
  role: TenantRole;
}

/**
 * Node label values; a node is bound when its zone, rack or host label has
 * any listed value (any mix). All empty: the environment is not bound to
 * nodes, and its pods go wherever the scheduler puts them.
 * @public
 */
export interface EnvironmentPlacement {
  zones?: string[];
  racks?: string[];
  hosts?: string[];
}

/** A map of resource names to quantities, as a ResourceQuota's `hard`. @public */
export type ResourceList = Record<string, string>;

/** The Container item of a LimitRange, without its `type`. @public */
export interface EnvironmentLimits {
  default?: ResourceList;
  defaultRequest?: ResourceList;
  max?: ResourceList;
}

/** @public */
export interface EnvironmentSpec {
  /** The namespace; created if missing, adopted if it exists and is no other Environment's. */
  namespace: string;
  /** The owning team: a catalog group ref. */
  owner: string;
  tenants?: EnvironmentTenant[];
  placement?: EnvironmentPlacement;
  /** The StorageClasses claims may use; every other class gets a quota of 0. Absent: all; `[]`: none. */
  storageClasses?: string[];
  /** The ResourceQuota's `hard`. */
  quota?: ResourceList;
  limits?: EnvironmentLimits;
  /** `Orphan` (default): the namespace outlives the Environment. `Delete`: it goes with it. */
  deletionPolicy?: DeletionPolicy;
}

/** A condition in Kubernetes' `metav1.Condition` shape. @public */
export interface EnvironmentCondition {
  /** `Ready`: the namespace and its objects are as the spec says. `PlacementEmpty`: a placement matches no node. */
  type: 'Ready' | 'PlacementEmpty';
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** @public */
export interface EnvironmentStatus {
  /** The nodes the placement resolves to, sorted. */
  nodes?: string[];
  /** The namespace's ResourceQuota status. */
  quota?: { hard?: ResourceList; used?: ResourceList };
  observedGeneration?: number;
  conditions?: EnvironmentCondition[];
}

/** @public */
export interface Environment {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: EnvironmentSpec;
  status?: EnvironmentStatus;
}
