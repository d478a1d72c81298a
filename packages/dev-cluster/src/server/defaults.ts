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

function setDefault(
  object: Record<string, any>,
  field: string,
  value: unknown,
) {
  if (object[field] === undefined) object[field] = value;
}

/** imagePullPolicy's default: Always for `:latest` or untagged images, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':')
    ? lastSegment.slice(lastSegment.indexOf(':') + 1)
    : '';
  if (image.includes('@')) return 'IfNotPresent';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(container: Record<string, any>) {
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'imagePullPolicy', defaultPullPolicy(container.image));
  setDefault(container, 'resources', {});
  for (const port of container.ports ?? []) setDefault(port, 'protocol', 'TCP');
}

/** The defaults of a PodSpec (SetDefaults_PodSpec and its containers'). */
export function defaultPodSpec(spec: Record<string, any> | undefined): void {
  if (!spec) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
}

const MAX_25_PERCENT = '25%';

/**
 * The defaults the API server fills into built-in objects on every write
 * (the SetDefaults_* functions of k8s.io/kubernetes pkg/apis/*\/v1).
 */
export function defaultBuiltin(
  group: string,
  plural: string,
  object: KubeObject,
): void {
  const o = object as Record<string, any>;
  switch (`${group}/${plural}`) {
    case '/pods': {
      const spec = (o.spec ??= {});
      defaultPodSpec(spec);
      setDefault(spec, 'enableServiceLinks', true);
      setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
      setDefault(spec, 'priority', 0);
      break;
    }
    case 'apps/deployments': {
      const spec = (o.spec ??= {});
      setDefault(spec, 'replicas', 1);
      const strategy = (spec.strategy ??= {});
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') {
        const rolling = (strategy.rollingUpdate ??= {});
        setDefault(rolling, 'maxUnavailable', MAX_25_PERCENT);
        setDefault(rolling, 'maxSurge', MAX_25_PERCENT);
      }
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      defaultPodSpec(spec.template?.spec);
      break;
    }
    case 'apps/replicasets': {
      const spec = (o.spec ??= {});
      setDefault(spec, 'replicas', 1);
      defaultPodSpec(spec.template?.spec);
      break;
    }
    case '/services': {
      const spec = (o.spec ??= {});
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      for (const port of spec.ports ?? []) {
        setDefault(port, 'protocol', 'TCP');
        setDefault(port, 'targetPort', port.port);
      }
      if (spec.type !== 'ExternalName') {
        setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      }
      break;
    }
    case '/secrets':
      setDefault(o, 'type', 'Opaque');
      break;
    case '/persistentvolumeclaims':
      setDefault((o.spec ??= {}), 'volumeMode', 'Filesystem');
      break;
    default:
  }
}
