import type {
  EnvironmentCondition,
  EnvironmentSpec,
  ResourceList,
} from '@cairn/operators-api';
import type { ClusterError } from '@cairn/plugin-kubernetes-common';

/*
 * The shapes the environments backend serves and the frontend reads: one
 * definition for both sides of `/api/environments`.
 */

export type { ClusterError } from '@cairn/plugin-kubernetes-common';

/** Where the environments backend is mounted. @public */
export const ENVIRONMENTS_PLUGIN_ID = 'environments';

/** An Environment as the portal shows it. @public */
export interface EnvironmentSummary {
  cluster: string;
  name: string;
  /** `metadata.resourceVersion`: what an edit sends back. */
  resourceVersion: string;
  generation?: number;
  createdAt?: string;
  spec: EnvironmentSpec;
  /** The nodes the placement resolved to (the operator's `status.nodes`). */
  nodes: string[];
  /** The namespace's ResourceQuota usage (the operator's `status.quota`). */
  quota: { hard: ResourceList; used: ResourceList };
  conditions: EnvironmentCondition[];
  /** Ready for the current spec (the operator observed this generation). */
  ready: boolean;
  /** Being deleted. */
  deleting: boolean;
}

/** @public */
export interface EnvironmentList {
  items: EnvironmentSummary[];
  /**
   * Whether the caller may create and edit environments: the UI offers the
   * forms only then (the server checks every change again).
   */
  canManage: boolean;
  clusterErrors: ClusterError[];
}

/** The node label keys a cluster's topology is read from. @public */
export interface TopologyLabelKeys {
  zone: string;
  rack: string;
  host: string;
}

/** A node of a cluster, as the topology drawing shows it. @public */
export interface TopologyNode {
  name: string;
  zone?: string;
  rack?: string;
  host?: string;
  /** The node's Ready condition. */
  ready: boolean;
  /** Pods on the node (not finished). */
  pods: number;
  /** The environments whose placement includes the node. */
  environments: string[];
  /**
   * What importing the node's `nuwa.kubernetes.io/*` labels would write
   * (label key → value; `nuwaLabelImport`), when there is anything.
   */
  nuwaImport?: Record<string, string>;
}

/** A cluster's nodes and storage classes, for placing environments. @public */
export interface ClusterTopology {
  cluster: string;
  labels: TopologyLabelKeys;
  nodes: TopologyNode[];
  /** The cluster's StorageClasses, by name. */
  storageClasses: string[];
  /** Whether the caller may label nodes. */
  canLabel: boolean;
}

/** The clusters an environment may be created in. @public */
export interface ClusterList {
  clusters: string[];
}

/** The routes of `/api/environments`; the backend serves exactly these. @public */
export const ENVIRONMENTS_API_ROUTES = {
  listEnvironments: {
    method: 'get',
    path: '/environments',
    summary:
      'Environments the caller may see (ops: all; others: those their groups own or are tenants of), across the configured clusters',
  },
  getEnvironment: {
    method: 'get',
    path: '/environments/:cluster/:name',
    summary: 'One Environment with its status',
  },
  createEnvironment: {
    method: 'post',
    path: '/environments/:cluster',
    summary: 'Create an Environment (ops)',
  },
  updateEnvironment: {
    method: 'put',
    path: '/environments/:cluster/:name',
    summary:
      "Replace an Environment's spec (ops), refused with 409 if it changed since it was read",
  },
  deleteEnvironment: {
    method: 'delete',
    path: '/environments/:cluster/:name',
    summary:
      'Delete an Environment (ops); its namespace stays unless its deletionPolicy is Delete',
  },
  listClusters: {
    method: 'get',
    path: '/clusters',
    summary: 'The configured clusters',
  },
  getTopology: {
    method: 'get',
    path: '/clusters/:cluster/topology',
    summary:
      "A cluster's nodes with their zone, rack and host, pods and environments, and its StorageClasses",
  },
  labelNodes: {
    method: 'post',
    path: '/clusters/:cluster/nodes/labels',
    summary: "Write nodes' zone, rack or host labels (ops)",
  },
  importNodeLabels: {
    method: 'post',
    path: '/clusters/:cluster/nodes/import',
    summary:
      'Write the topology labels nodes lack from their nuwa.kubernetes.io/* labels (ops), for clusters coming from the original system',
  },
} as const;

/** @public */
export type EnvironmentsApiOperation = keyof typeof ENVIRONMENTS_API_ROUTES;
