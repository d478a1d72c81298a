import { DEFAULT_RACK_LABEL, LABEL_HOSTNAME, LABEL_ZONE } from '../stone';

/** The Environment's API group, version and kind. @public */
export const TENANCY_GROUP = 'tenancy.cairn.dev';
/** @public */
export const TENANCY_VERSION = 'v1alpha1';
/** @public */
export const TENANCY_API_VERSION = `${TENANCY_GROUP}/${TENANCY_VERSION}`;
/** @public */
export const ENVIRONMENT_KIND = 'Environment';
/** @public */
export const ENVIRONMENT_PLURAL = 'environments';

/**
 * Label on the namespace and on every object the controller writes in it
 * (ResourceQuota, LimitRange, RoleBindings): the Environment's name.
 * @public
 */
export const LABEL_ENVIRONMENT = 'tenancy.cairn.dev/environment';
/**
 * Label on the namespace: the owner group's name (a catalog ref such as
 * `group:default/team-x` is not a valid label value; the full ref is in
 * the annotation of the same key).
 * @public
 */
export const LABEL_OWNER = 'tenancy.cairn.dev/owner';
/** Annotation on the namespace: the owner's full catalog ref. @public */
export const ANNOTATION_OWNER = LABEL_OWNER;

/**
 * Prefix of the node label binding a node to an Environment:
 * `env.tenancy.cairn.dev/<environment>=true` on every node of its placement.
 * @public
 */
export const NODE_LABEL_PREFIX = 'env.tenancy.cairn.dev/';
/** The namespace annotation of the PodNodeSelector admission plugin. @public */
export const NODE_SELECTOR_ANNOTATION =
  'scheduler.alpha.kubernetes.io/node-selector';

/**
 * Annotation on the namespace: the node selector the controller wrote in
 * {@link NODE_SELECTOR_ANNOTATION}, so it takes back only its own (a
 * single-value placement selects a topology label directly, which cannot
 * be told from a selector someone else set).
 * @public
 */
export const ANNOTATION_PLACEMENT_SELECTOR = 'tenancy.cairn.dev/node-selector';

/** Finalizer of every Environment: the controller releases or deletes its namespace first. @public */
export const ENVIRONMENT_FINALIZER = 'tenancy.cairn.dev/release-namespace';

/** Kubernetes' own namespaces, which no Environment may adopt (nor delete). @public */
export const PROTECTED_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
] as const;

/** The names of the objects the controller keeps in an Environment's namespace. @public */
export const ENVIRONMENT_OBJECT_NAME = 'cairn-environment';

/** The ClusterRoles a tenant is bound to, by role. @public */
export const TENANT_ROLES = ['admin', 'edit', 'view'] as const;

/** @public */
export const DELETION_POLICIES = ['Orphan', 'Delete'] as const;

/** The node labels placement matches, unless configured otherwise. @public */
export const DEFAULT_TOPOLOGY_LABELS = {
  zone: LABEL_ZONE,
  rack: DEFAULT_RACK_LABEL,
  host: LABEL_HOSTNAME,
} as const;

/**
 * The default rule mapping a catalog group ref to the RBAC group the
 * cluster's authenticator reports: the group's name.
 * @public
 */
export const DEFAULT_GROUP_TEMPLATE = '{name}';

/** The suffix of ResourceQuota's per-StorageClass resources. @public */
export const STORAGE_CLASS_RESOURCE_SUFFIX = '.storageclass.storage.k8s.io/';
