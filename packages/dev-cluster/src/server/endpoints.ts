import { labelSelectorMatcher } from '../machinery/labels';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { jsonEqual } from './objects';
import type { ResourceRegistry } from './registry';
import type { RequestContext, ResourceService } from './resources';
import { ApiError } from './status';

/*
 * The endpoints controller: every Service with a selector has an Endpoints
 * object of the same name listing the IPs of the pods it selects (ready ones
 * as addresses, the others as notReadyAddresses) with the Service's ports
 * resolved against the pods' container ports.
 */

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:endpoint-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

const isReady = (pod: any) =>
  (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );

/** The port a service port targets on a pod: a number, or a named container port. */
function targetPort(servicePort: any, pod: any): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  for (const container of pod.spec?.containers ?? []) {
    const port = (container.ports ?? []).find((p: any) => p.name === target);
    if (port) return port.containerPort;
  }
  return undefined;
}

/** The subsets of a service's Endpoints (EndpointSubset grouping by port set). */
export function endpointSubsets(service: any, pods: any[]): unknown[] {
  const bySignature = new Map<
    string,
    { addresses: any[]; notReadyAddresses: any[]; ports: any[] }
  >();
  for (const pod of pods) {
    if (!pod.status?.podIP || pod.metadata.deletionTimestamp) continue;
    const ports = (service.spec?.ports ?? [])
      .map((p: any) => ({
        name: p.name,
        port: targetPort(p, pod),
        protocol: p.protocol ?? 'TCP',
      }))
      .filter((p: any) => p.port !== undefined)
      .map((p: any) => (p.name ? p : { port: p.port, protocol: p.protocol }));
    const signature = JSON.stringify(ports);
    let subset = bySignature.get(signature);
    if (!subset) {
      subset = { addresses: [], notReadyAddresses: [], ports };
      bySignature.set(signature, subset);
    }
    const address = {
      ip: pod.status.podIP,
      nodeName: pod.spec?.nodeName,
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
    };
    (isReady(pod) ? subset.addresses : subset.notReadyAddresses).push(address);
  }
  return [...bySignature.values()].map(subset => {
    const byIp = (a: any, b: any) => String(a.ip).localeCompare(String(b.ip));
    return {
      ...(subset.addresses.length
        ? { addresses: subset.addresses.sort(byIp) }
        : {}),
      ...(subset.notReadyAddresses.length
        ? { notReadyAddresses: subset.notReadyAddresses.sort(byIp) }
        : {}),
      ...(subset.ports.length ? { ports: subset.ports } : {}),
    };
  });
}

export class EndpointsController {
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    this.store.onChange((resource, event) => {
      if (resource === '/services' || resource === '/pods')
        this.markNamespace(event.namespace);
    });
    for (const service of this.store.list('/services').items)
      this.markNamespace(service.metadata.namespace!);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private markNamespace(namespace: string) {
    if (this.stopped || this.store.count('/services', namespace) === 0) return;
    this.dirty.add(namespace);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const namespaces = [...this.dirty];
      this.dirty.clear();
      for (const ns of namespaces) this.sync(ns);
    }, 50);
  }

  private sync(namespace: string) {
    const type = this.registry.find('', 'v1', 'endpoints')!;
    const pods = this.store.list('/pods', { namespace }).items;
    for (const service of this.store.list('/services', { namespace })
      .items as any[]) {
      const selector = service.spec?.selector;
      if (!selector || !Object.keys(selector).length) continue;
      const matches = labelSelectorMatcher({ matchLabels: selector });
      const subsets = endpointSubsets(
        service,
        pods.filter(p => matches(p.metadata.labels)),
      );
      const name = service.metadata.name;
      const existing = this.store.get('/endpoints', `${namespace}/${name}`);
      const body: KubeObject = {
        metadata: { name, namespace, labels: service.metadata.labels },
        ...(subsets.length ? { subsets } : {}),
      };
      try {
        if (!existing) {
          this.resources.create(type, namespace, body, CONTROLLER);
        } else if (
          !jsonEqual((existing as any).subsets, (body as any).subsets)
        ) {
          const next = { ...existing, subsets: (body as any).subsets };
          if (!subsets.length) delete next.subsets;
          this.resources.write(
            type,
            namespace,
            name,
            '',
            existing,
            next,
            CONTROLLER,
          );
        }
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        this.markNamespace(namespace);
      }
    }
  }
}
