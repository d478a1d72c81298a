import type { V1Pod } from '@kubernetes/client-node';
import { qosClass } from '../kubelet/podStatus';
import type { KubeObject } from '../store/types';
import type { ResourceType } from './registry';

/*
 * The parts of the built-in registry strategies that shape new objects:
 * the status a new object starts with (PrepareForCreate) and the namespace's
 * own metadata rules.
 */

/** The status a newly created object of a built-in type with a status subresource starts with. */
export function initialStatus(type: ResourceType, object: KubeObject): unknown {
  if (type.group === '') {
    switch (type.plural) {
      case 'pods':
        return { phase: 'Pending', qosClass: qosClass(object as V1Pod) };
      case 'namespaces':
        return { phase: 'Active' };
      case 'persistentvolumeclaims':
      case 'persistentvolumes':
        return { phase: 'Pending' };
      case 'services':
        return { loadBalancer: {} };
      case 'nodes':
        return object.status; // kubelets register nodes with their status
      default:
        return {};
    }
  }
  return {};
}

/** Namespaces carry their name as a label and the `kubernetes` finalizer from creation. */
export function defaultNamespace(object: KubeObject, creating: boolean): void {
  const name = object.metadata.name;
  if (name) {
    object.metadata.labels = {
      ...object.metadata.labels,
      'kubernetes.io/metadata.name': name,
    };
  }
  if (creating) {
    const spec = ((object as any).spec ??= {});
    if (!spec.finalizers) spec.finalizers = ['kubernetes'];
  }
}

/**
 * Defaults of built-in kinds that the machinery module's defaulting does not
 * set: SetDefaults_Secret, SetDefaults_PersistentVolumeClaimSpec and
 * SetDefaults_PriorityClass. (A pod's priority comes later, from the Priority
 * admission plugin.)
 */
export function defaultBuiltinRemainder(
  group: string,
  plural: string,
  object: KubeObject,
): void {
  const o = object as Record<string, any>;
  switch (`${group}/${plural}`) {
    case 'scheduling.k8s.io/priorityclasses':
      o.preemptionPolicy ??= 'PreemptLowerPriority';
      break;
    case '/secrets':
      o.type ??= 'Opaque';
      break;
    case '/persistentvolumeclaims':
      (o.spec ??= {}).volumeMode ??= 'Filesystem';
      break;
    default:
  }
}
