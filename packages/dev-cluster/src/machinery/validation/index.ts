/**
 * Entry points for the server: defaulting and validation of a built-in
 * object on create and update, dispatched by group and kind.
 */

import { FieldError } from '../errors';
import {
  nameIsDnsSubdomain,
  nameIsPathSegment,
  Obj,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { validatePodCreate, validatePodUpdate } from './pod';
import {
  validateLimitRange,
  validateLimitRangeUpdate,
  validateResourceQuota,
  validateResourceQuotaUpdate,
} from './policy';
import {
  applyStorageClassDefaults,
  validatePersistentVolume,
  validatePersistentVolumeUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './storage';
import {
  applyCustomResourceDefinitionDefaults,
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionUpdate,
} from './crd';
import {
  applyRoleBindingDefaults,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
  validateRoleUpdate,
} from './rbac';
import {
  applyDeploymentDefaults,
  applyPodDefaults,
  applyDaemonSetDefaults,
  applyStatefulSetDefaults,
  applyPodSpecDefaults,
  applySecretDefaults,
  applyServiceDefaults,
} from './defaults';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
  validateDaemonSet,
  validateDaemonSetUpdate,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './workloads';
import {
  applyCronJobDefaults,
  applyJobDefaults,
  validateCronJob,
  validateCronJobUpdate,
  validateJob,
  validateJobUpdate,
} from './batch';
import {
  applyNetworkPolicyDefaults,
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressUpdate,
  validateNetworkPolicy,
  validateNetworkPolicyUpdate,
} from './networking';
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerUpdate,
} from './autoscaling';
import {
  validatePodDisruptionBudget,
  validatePodDisruptionBudgetUpdate,
} from './disruption';
import { applyLimitRangeDefaults } from '../admission';
import { canonicalizeQuantities } from './quantities';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateEvent,
  validateEventUpdate,
  validateNamespace,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validateSecret,
  validateSecretUpdate,
  validateService,
  validateServiceUpdate,
} from './core';

export {
  semanticEqual,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
export type { NameValidator, Obj } from './meta';
export * from './names';
export { canonicalizeQuantities, quantityDecodeError } from './quantities';
export { applyPodDefaults, applyPodSpecDefaults } from './defaults';
export {
  podBindingConflict,
  validatePodBinding,
  validatePodCreate,
  validatePodEphemeralContainersUpdate,
  validatePodSpec,
  validatePodStatusUpdate,
  validatePodTemplateSpec,
  validatePodUpdate,
} from './pod';

type Create = (obj: Obj) => FieldError[];
type Update = (newObj: Obj, oldObj: Obj) => FieldError[];

const KINDS: Record<string, { create: Create; update: Update }> = {
  '/Pod': { create: validatePodCreate, update: validatePodUpdate },
  '/Namespace': { create: validateNamespace, update: validateNamespaceUpdate },
  '/Service': { create: validateService, update: validateServiceUpdate },
  '/ConfigMap': { create: validateConfigMap, update: validateConfigMapUpdate },
  '/Secret': { create: validateSecret, update: validateSecretUpdate },
  '/Event': { create: validateEvent, update: validateEventUpdate },
  '/Node': { create: validateNode, update: validateNodeUpdate },
  '/PersistentVolumeClaim': {
    create: validatePersistentVolumeClaim,
    update: validatePersistentVolumeClaimUpdate,
  },
  'apps/Deployment': {
    create: validateDeployment,
    update: validateDeploymentUpdate,
  },
  'rbac.authorization.k8s.io/Role': {
    create: validateRole,
    update: validateRoleUpdate,
  },
  'rbac.authorization.k8s.io/ClusterRole': {
    create: validateRole,
    update: validateRoleUpdate,
  },
  'rbac.authorization.k8s.io/RoleBinding': {
    create: validateRoleBinding,
    update: validateRoleBindingUpdate,
  },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    create: validateRoleBinding,
    update: validateRoleBindingUpdate,
  },
  'apiextensions.k8s.io/CustomResourceDefinition': {
    create: validateCustomResourceDefinition,
    update: validateCustomResourceDefinitionUpdate,
  },
  '/ResourceQuota': {
    create: validateResourceQuota,
    update: validateResourceQuotaUpdate,
  },
  '/LimitRange': {
    create: validateLimitRange,
    update: validateLimitRangeUpdate,
  },
  '/PersistentVolume': {
    create: validatePersistentVolume,
    update: validatePersistentVolumeUpdate,
  },
  'storage.k8s.io/StorageClass': {
    create: validateStorageClass,
    update: validateStorageClassUpdate,
  },
  'apps/ReplicaSet': {
    create: validateReplicaSet,
    update: validateReplicaSetUpdate,
  },
  'apps/ControllerRevision': {
    create: validateControllerRevision,
    update: validateControllerRevisionUpdate,
  },
  'apps/StatefulSet': {
    create: validateStatefulSet,
    update: validateStatefulSetUpdate,
  },
  'apps/DaemonSet': {
    create: validateDaemonSet,
    update: validateDaemonSetUpdate,
  },
  'batch/Job': { create: validateJob, update: validateJobUpdate },
  'autoscaling/HorizontalPodAutoscaler': {
    create: validateHorizontalPodAutoscaler,
    update: validateHorizontalPodAutoscalerUpdate,
  },
  'networking.k8s.io/Ingress': {
    create: validateIngress,
    update: validateIngressUpdate,
  },
  'networking.k8s.io/IngressClass': {
    create: validateIngressClass,
    update: validateIngressClassUpdate,
  },
  'networking.k8s.io/NetworkPolicy': {
    create: validateNetworkPolicy,
    update: validateNetworkPolicyUpdate,
  },
  'policy/PodDisruptionBudget': {
    create: validatePodDisruptionBudget,
    update: validatePodDisruptionBudgetUpdate,
  },
  'batch/CronJob': { create: validateCronJob, update: validateCronJobUpdate },
};

function groupKind(obj: Obj): string {
  const apiVersion = String(obj.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return `${group}/${obj.kind}`;
}

/** Options for kinds without a dedicated validator. */
export interface GenericValidationOptions {
  /** Whether the kind is namespaced (metadata.namespace required). */
  namespaced: boolean;
  /** True for custom resources, whose names need only be path segments. */
  customResource?: boolean;
}

function nameRule(options: GenericValidationOptions) {
  return options.customResource ? nameIsPathSegment : nameIsDnsSubdomain;
}

/**
 * Validates an object being created: the kind's own rules for Pod,
 * Namespace, Service, ConfigMap, Secret, Node, PersistentVolumeClaim,
 * PersistentVolume, ResourceQuota, LimitRange, Event, Deployment, ReplicaSet,
 * ControllerRevision, the
 * RBAC kinds, StorageClass and CustomResourceDefinition; object metadata for
 * any other kind.
 */
export function validateCreate(
  obj: Obj,
  options: GenericValidationOptions,
): FieldError[] {
  const known = KINDS[groupKind(obj)];
  if (known) return known.create(obj);
  return validateObjectMeta(
    obj.metadata,
    options.namespaced,
    nameRule(options),
  );
}

/** Validates an update of `oldObj` to `newObj`, as {@link validateCreate} does for create. */
export function validateUpdate(
  newObj: Obj,
  oldObj: Obj,
  options: GenericValidationOptions,
): FieldError[] {
  const known = KINDS[groupKind(newObj)];
  if (known) return known.update(newObj, oldObj);
  return [
    ...validateObjectMetaUpdate(newObj.metadata, oldObj.metadata),
    ...validateObjectMeta(
      newObj.metadata,
      options.namespaced,
      nameRule(options),
    ),
  ];
}

/**
 * Applies the v1 defaults validation relies on (Pod, pod templates of
 * Deployments and ReplicaSets, Deployment strategy, Service, Secret
 * stringData, LimitRange, RBAC subjects, CRD names, StorageClass) and
 * writes resource quantities in canonical form; other kinds are returned
 * unchanged. Never mutates its argument.
 */
export function applyDefaults<T extends Obj>(obj: T): T {
  return canonicalizeQuantities(defaultsFor(obj));
}

function defaultsFor<T extends Obj>(obj: T): T {
  switch (groupKind(obj)) {
    case '/Pod':
      return applyPodDefaults(obj);
    case '/Service':
      return applyServiceDefaults(obj);
    case '/Secret':
      return applySecretDefaults(obj);
    case '/LimitRange':
      return applyLimitRangeDefaults(obj);
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      return applyCustomResourceDefinitionDefaults(obj);
    case 'storage.k8s.io/StorageClass':
      return applyStorageClassDefaults(obj);
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding':
      return applyRoleBindingDefaults(obj);
    case 'apps/Deployment':
      return withTemplateDefaults(applyDeploymentDefaults(obj));
    case 'apps/StatefulSet':
      return withTemplateDefaults(applyStatefulSetDefaults(obj));
    case 'apps/DaemonSet':
      return withTemplateDefaults(applyDaemonSetDefaults(obj));
    case 'batch/Job':
      return applyJobDefaults(obj);
    case 'networking.k8s.io/NetworkPolicy':
      return applyNetworkPolicyDefaults(obj);
    case 'batch/CronJob':
      return applyCronJobDefaults(obj);
    case 'apps/ReplicaSet':
      return withTemplateDefaults({
        ...obj,
        spec: { replicas: 1, ...(obj.spec ?? {}) },
      });
    default:
      return obj;
  }
}

function withTemplateDefaults<T extends Obj>(obj: T): T {
  const template = obj.spec?.template;
  if (!template) return obj;
  return {
    ...obj,
    spec: {
      ...obj.spec,
      template: { ...template, spec: applyPodSpecDefaults(template.spec) },
    },
  };
}
