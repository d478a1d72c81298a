import { Quantity } from '../machinery/quantity';
import type { KubeObject } from '../store/types';
import type { ResourceType } from './registry';

/*
 * The parts of the built-in registry strategies that shape new objects:
 * the status a new object starts with (PrepareForCreate) and the namespace's
 * own metadata rules.
 */

function sameQuantity(a: unknown, b: unknown): boolean {
  try {
    return (
      Quantity.parse(a as string).nanos === Quantity.parse(b as string).nanos
    );
  } catch {
    return false;
  }
}

/** The pod's QoS class (k8s.io/kubernetes pkg/apis/core/helper/qos). */
export function podQosClass(
  spec: any,
): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: any[] = [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
  ];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    const relevant = (r: string) => r === 'cpu' || r === 'memory';
    if (
      Object.keys(requests).some(relevant) ||
      Object.keys(limits).some(relevant)
    )
      anySet = true;
    for (const resource of ['cpu', 'memory']) {
      if (limits[resource] === undefined) guaranteed = false;
      else if (
        requests[resource] !== undefined &&
        !sameQuantity(requests[resource], limits[resource])
      ) {
        guaranteed = false;
      }
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The status a newly created object of a built-in type with a status subresource starts with. */
export function initialStatus(type: ResourceType, object: KubeObject): unknown {
  if (type.group === '') {
    switch (type.plural) {
      case 'pods':
        return { phase: 'Pending', qosClass: podQosClass(object.spec) };
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
 * set (SetDefaults_Secret, SetDefaults_PersistentVolumeClaimSpec) and those
 * the Priority admission plugin gives pods without a priority class.
 */
export function defaultBuiltinRemainder(
  group: string,
  plural: string,
  object: KubeObject,
): void {
  const o = object as Record<string, any>;
  switch (`${group}/${plural}`) {
    case '/pods': {
      const spec = (o.spec ??= {});
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
      spec.priority ??= 0;
      break;
    }
    case '/secrets':
      o.type ??= 'Opaque';
      break;
    case '/persistentvolumeclaims':
      (o.spec ??= {}).volumeMode ??= 'Filesystem';
      break;
    default:
  }
}
