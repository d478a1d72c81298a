import { createHash } from 'node:crypto';

/*
 * The API resources the server serves: the built-in types of the issue with the
 * discovery facts kube-apiserver v1.33 publishes for them, plus those that
 * CustomResourceDefinitions add at run time.
 */

export const STANDARD_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export interface SubresourceType {
  /** e.g. `status`, `scale`, `log`. */
  name: string;
  kind: string;
  verbs: string[];
  /** Set when the subresource speaks another group's kind (scale → autoscaling/v1). */
  group?: string;
  version?: string;
}

/** A printer column as CRDs declare it (`additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** Where the scale subresource of a custom resource reads and writes. */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceType[];
  /**
   * Review-style types (SubjectAccessReview, TokenReview, …) are answered on
   * create and never stored.
   */
  stored: boolean;
  /** Whether metadata.generation tracks changes of the spec. */
  tracksGeneration: boolean;
  /**
   * A built-in kind served at this version but stored at another, converted
   * between them (autoscaling/v1 HorizontalPodAutoscalers are stored at v2).
   */
  storedAs?: string;
  /** Present for resources a CustomResourceDefinition serves. */
  custom?: {
    crdName: string;
    printerColumns: PrinterColumn[];
    schema?: Record<string, unknown>;
    scale?: ScalePaths;
    /** JSON paths of `selectableFields`, usable in field selectors. */
    selectableFields: string[];
    /** Whether this version is the storage version. */
    storage: boolean;
    /** The CRD's storage version. */
    storageVersion?: string;
    /** `conversion.strategy: Webhook`: a converter turns objects between versions. */
    webhookConversion?: boolean;
  };
}

export function storageKey(type: { group: string; plural: string }): string {
  return `${type.group}/${type.plural}`;
}

/** Whether objects of `type` are stored at its version (each object is listed under one such type). */
export function isStorageVersion(type: ResourceType): boolean {
  return type.custom ? type.custom.storage : !type.storedAs;
}

export function apiVersionOf(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function hasSubresource(type: ResourceType, name: string): boolean {
  return type.subresources.some(s => s.name === name);
}

/** kube-apiserver's storageVersionHash: sha256 of group/version/kind, first 8 bytes, base64. */
export function storageVersionHash(type: ResourceType): string {
  return createHash('sha256')
    .update(`${type.group}/${type.version}/${type.kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

function versionPriority(version: string): number[] | undefined {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (!match) return undefined;
  const stability = { alpha: 0, beta: 1 }[match[2] ?? ''] ?? 2;
  return [stability, Number(match[1]), Number(match[3] ?? 0)];
}

/** Kubernetes' version priority: GA, beta, alpha, each newest first, then others by name. */
export function compareKubeAwareVersions(a: string, b: string): number {
  const pa = versionPriority(a);
  const pb = versionPriority(b);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

const GET_PATCH_UPDATE = ['get', 'patch', 'update'];

interface BuiltinSpec {
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  subresources?: SubresourceType[];
  stored?: boolean;
  tracksGeneration?: boolean;
  storedAs?: string;
}

function builtin(
  group: string,
  version: string,
  spec: BuiltinSpec,
): ResourceType {
  return {
    group,
    version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    verbs: spec.verbs ?? STANDARD_VERBS,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    subresources: spec.subresources ?? [],
    stored: spec.stored ?? true,
    tracksGeneration: spec.tracksGeneration ?? false,
    ...(spec.storedAs ? { storedAs: spec.storedAs } : {}),
  };
}

function status(kind: string): SubresourceType {
  return { name: 'status', kind, verbs: GET_PATCH_UPDATE };
}

const SCALE: SubresourceType = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: GET_PATCH_UPDATE,
};

function review(kind: string, plural: string, namespaced = false) {
  return {
    kind,
    plural,
    namespaced,
    verbs: ['create'],
    stored: false,
  };
}

export function builtinResourceTypes(): ResourceType[] {
  const core = (spec: BuiltinSpec) => builtin('', 'v1', spec);
  return [
    core({
      kind: 'Binding',
      plural: 'bindings',
      namespaced: true,
      verbs: ['create'],
      stored: false,
    }),
    core({
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
    }),
    core({
      kind: 'Endpoints',
      plural: 'endpoints',
      namespaced: true,
      shortNames: ['ep'],
    }),
    core({
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
    }),
    core({
      kind: 'LimitRange',
      plural: 'limitranges',
      namespaced: true,
      shortNames: ['limits'],
    }),
    core({
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: [
        { name: 'finalize', kind: 'Namespace', verbs: ['update'] },
        status('Namespace'),
      ],
    }),
    core({
      kind: 'Node',
      plural: 'nodes',
      namespaced: false,
      shortNames: ['no'],
      subresources: [status('Node')],
    }),
    core({
      kind: 'PersistentVolumeClaim',
      plural: 'persistentvolumeclaims',
      namespaced: true,
      shortNames: ['pvc'],
      subresources: [status('PersistentVolumeClaim')],
    }),
    core({
      kind: 'PersistentVolume',
      plural: 'persistentvolumes',
      namespaced: false,
      shortNames: ['pv'],
      subresources: [status('PersistentVolume')],
    }),
    core({
      kind: 'Pod',
      plural: 'pods',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [
        { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
        { name: 'binding', kind: 'Binding', verbs: ['create'] },
        { name: 'ephemeralcontainers', kind: 'Pod', verbs: GET_PATCH_UPDATE },
        {
          name: 'eviction',
          kind: 'Eviction',
          group: 'policy',
          version: 'v1',
          verbs: ['create'],
        },
        { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: 'log', kind: 'Pod', verbs: ['get'] },
        {
          name: 'portforward',
          kind: 'PodPortForwardOptions',
          verbs: ['create', 'get'],
        },
        status('Pod'),
      ],
    }),
    core({
      kind: 'ResourceQuota',
      plural: 'resourcequotas',
      namespaced: true,
      shortNames: ['quota'],
      subresources: [status('ResourceQuota')],
    }),
    core({ kind: 'Secret', plural: 'secrets', namespaced: true }),
    core({
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      namespaced: true,
      shortNames: ['sa'],
      subresources: [
        {
          name: 'token',
          kind: 'TokenRequest',
          group: 'authentication.k8s.io',
          version: 'v1',
          verbs: ['create'],
        },
      ],
    }),
    core({
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      subresources: [status('Service')],
    }),
    builtin('apps', 'v1', {
      kind: 'ControllerRevision',
      plural: 'controllerrevisions',
      namespaced: true,
    }),
    builtin('apps', 'v1', {
      kind: 'Deployment',
      plural: 'deployments',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [SCALE, status('Deployment')],
    }),
    builtin('apps', 'v1', {
      kind: 'ReplicaSet',
      plural: 'replicasets',
      namespaced: true,
      shortNames: ['rs'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [SCALE, status('ReplicaSet')],
    }),
    builtin('apps', 'v1', {
      kind: 'DaemonSet',
      plural: 'daemonsets',
      namespaced: true,
      shortNames: ['ds'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [status('DaemonSet')],
    }),
    builtin('apps', 'v1', {
      kind: 'StatefulSet',
      plural: 'statefulsets',
      namespaced: true,
      shortNames: ['sts'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [SCALE, status('StatefulSet')],
    }),
    builtin('autoscaling', 'v2', {
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      namespaced: true,
      shortNames: ['hpa'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [status('HorizontalPodAutoscaler')],
    }),
    // After v2, the preferred version (autoscalingConversion.ts converts).
    builtin('autoscaling', 'v1', {
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      namespaced: true,
      shortNames: ['hpa'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [status('HorizontalPodAutoscaler')],
      storedAs: 'v2',
    }),
    builtin('metrics.k8s.io', 'v1beta1', {
      kind: 'NodeMetrics',
      plural: 'nodes',
      namespaced: false,
      verbs: ['get', 'list'],
      stored: false,
    }),
    builtin('metrics.k8s.io', 'v1beta1', {
      kind: 'PodMetrics',
      plural: 'pods',
      namespaced: true,
      verbs: ['get', 'list'],
      stored: false,
    }),
    // Called by the MutatingAdmissionWebhook plugin (admissionWebhooks.ts).
    builtin('admissionregistration.k8s.io', 'v1', {
      kind: 'MutatingWebhookConfiguration',
      plural: 'mutatingwebhookconfigurations',
      namespaced: false,
      categories: ['api-extensions'],
    }),
    builtin('networking.k8s.io', 'v1', {
      kind: 'IngressClass',
      plural: 'ingressclasses',
      namespaced: false,
    }),
    builtin('networking.k8s.io', 'v1', {
      kind: 'Ingress',
      plural: 'ingresses',
      namespaced: true,
      shortNames: ['ing'],
      tracksGeneration: true,
      subresources: [status('Ingress')],
    }),
    builtin('networking.k8s.io', 'v1', {
      kind: 'NetworkPolicy',
      plural: 'networkpolicies',
      namespaced: true,
      shortNames: ['netpol'],
      tracksGeneration: true,
    }),
    builtin('policy', 'v1', {
      kind: 'PodDisruptionBudget',
      plural: 'poddisruptionbudgets',
      namespaced: true,
      shortNames: ['pdb'],
      tracksGeneration: true,
      subresources: [status('PodDisruptionBudget')],
    }),
    builtin('batch', 'v1', {
      kind: 'CronJob',
      plural: 'cronjobs',
      namespaced: true,
      shortNames: ['cj'],
      categories: ['all'],
      tracksGeneration: true,
      subresources: [status('CronJob')],
    }),
    builtin('batch', 'v1', {
      kind: 'Job',
      plural: 'jobs',
      namespaced: true,
      categories: ['all'],
      tracksGeneration: true,
      subresources: [status('Job')],
    }),
    builtin(
      'authentication.k8s.io',
      'v1',
      review('SelfSubjectReview', 'selfsubjectreviews'),
    ),
    builtin(
      'authentication.k8s.io',
      'v1',
      review('TokenReview', 'tokenreviews'),
    ),
    builtin(
      'authorization.k8s.io',
      'v1',
      review('LocalSubjectAccessReview', 'localsubjectaccessreviews', true),
    ),
    builtin(
      'authorization.k8s.io',
      'v1',
      review('SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
    ),
    builtin(
      'authorization.k8s.io',
      'v1',
      review('SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
    ),
    builtin(
      'authorization.k8s.io',
      'v1',
      review('SubjectAccessReview', 'subjectaccessreviews'),
    ),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'ClusterRoleBinding',
      plural: 'clusterrolebindings',
      namespaced: false,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'ClusterRole',
      plural: 'clusterroles',
      namespaced: false,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'RoleBinding',
      plural: 'rolebindings',
      namespaced: true,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      kind: 'Role',
      plural: 'roles',
      namespaced: true,
    }),
    builtin('storage.k8s.io', 'v1', {
      kind: 'StorageClass',
      plural: 'storageclasses',
      namespaced: false,
      shortNames: ['sc'],
    }),
    builtin('scheduling.k8s.io', 'v1', {
      kind: 'PriorityClass',
      plural: 'priorityclasses',
      namespaced: false,
      shortNames: ['pc'],
    }),
    builtin('discovery.k8s.io', 'v1', {
      kind: 'EndpointSlice',
      plural: 'endpointslices',
      namespaced: true,
    }),
    builtin('coordination.k8s.io', 'v1', {
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
    }),
    builtin('apiextensions.k8s.io', 'v1', {
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      tracksGeneration: true,
      subresources: [status('CustomResourceDefinition')],
    }),
  ];
}

/** The types the server serves, indexed the ways requests and discovery look them up. */
export class ResourceRegistry {
  private readonly types: ResourceType[] = [];
  private listeners: Array<() => void> = [];

  constructor(initial: ResourceType[] = builtinResourceTypes()) {
    this.types.push(...initial);
  }

  /** Called whenever the set of served types changes (CRDs added or removed). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  find(
    group: string,
    version: string,
    plural: string,
  ): ResourceType | undefined {
    return this.types.find(
      t => t.group === group && t.version === version && t.plural === plural,
    );
  }

  findByKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find(
      t => apiVersionOf(t) === apiVersion && t.kind === kind,
    );
  }

  /** Group names in the order discovery lists them; the legacy core group ("") excluded. */
  groups(): string[] {
    const names: string[] = [];
    for (const t of this.types) {
      if (t.group && !names.includes(t.group)) names.push(t.group);
    }
    return names;
  }

  /** Versions served for a group, preferred (first declared) first. */
  versions(group: string): string[] {
    const versions: string[] = [];
    let custom = false;
    for (const t of this.types) {
      if (t.group === group && !versions.includes(t.version)) {
        versions.push(t.version);
        custom ||= !!t.custom;
      }
    }
    // CRD groups list their versions by priority, the preferred first, as
    // the apiextensions-apiserver does (v1 before v1beta1 before v1alpha1).
    return custom ? versions.sort(compareKubeAwareVersions) : versions;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter(t => t.group === group && t.version === version);
  }

  /** Replaces every type a CRD serves with `types` (empty to stop serving it). */
  setCustomTypes(crdName: string, types: ResourceType[]): void {
    for (let i = this.types.length - 1; i >= 0; i--) {
      if (this.types[i].custom?.crdName === crdName) this.types.splice(i, 1);
    }
    this.types.push(...types);
    for (const listener of this.listeners) listener();
  }
}
