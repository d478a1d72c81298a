import { labelSelectorMatcher } from '../machinery/labels';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { jsonEqual } from './objects';
import type { ResourceRegistry } from './registry';
import type { RequestContext, ResourceService } from './resources';
import { ApiError } from './status';
import { isPodReady } from './podState';

/*
 * The endpoints and EndpointSlice controllers: every Service with a selector
 * has an Endpoints object of the same name listing the IPs of the pods it
 * selects (ready ones as addresses, the others as notReadyAddresses), and
 * discovery.k8s.io/v1 EndpointSlices it owns listing the same pods with their
 * ready/serving/terminating conditions. Both group the pods by the Service's
 * ports resolved against the pods' container ports.
 */

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:endpoint-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};
const SLICE_CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:endpointslice-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const MANAGED_BY = 'endpointslice-controller.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** The endpoints one slice holds at most (kube-controller-manager's --max-endpoints-per-slice default). */
const MAX_ENDPOINTS_PER_SLICE = 100;

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

interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/**
 * The pods backing a service, grouped by the ports they serve it on (a named
 * targetPort may resolve differently per pod, or not at all). Pods without an
 * IP and finished pods are left out; terminating ones unless `terminating`.
 */
function podsByPorts(
  service: any,
  pods: any[],
  terminating: boolean,
): Array<{ ports: EndpointPort[]; pods: any[] }> {
  const groups = new Map<string, { ports: EndpointPort[]; pods: any[] }>();
  for (const pod of pods) {
    if (!pod.status?.podIP) continue;
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed')
      continue;
    if (pod.metadata.deletionTimestamp && !terminating) continue;
    const ports: EndpointPort[] = [];
    for (const servicePort of service.spec?.ports ?? []) {
      const port = targetPort(servicePort, pod);
      if (port === undefined) continue;
      ports.push({
        name: servicePort.name ?? '',
        port,
        protocol: servicePort.protocol ?? 'TCP',
        ...(servicePort.appProtocol
          ? { appProtocol: servicePort.appProtocol }
          : {}),
      });
    }
    const signature = JSON.stringify(ports);
    let group = groups.get(signature);
    if (!group) {
      group = { ports, pods: [] };
      groups.set(signature, group);
    }
    group.pods.push(pod);
  }
  return [...groups.values()];
}

/** The service's labels, marked headless when it has no cluster IP, as both controllers label their objects. */
function endpointLabels(service: any): Record<string, string> {
  const { [HEADLESS_LABEL]: _headless, ...labels } =
    service.metadata.labels ?? {};
  const clusterIP = service.spec?.clusterIP;
  return !clusterIP || clusterIP === 'None'
    ? { ...labels, [HEADLESS_LABEL]: '' }
    : labels;
}

const podReference = (pod: any) => ({
  kind: 'Pod',
  namespace: pod.metadata.namespace,
  name: pod.metadata.name,
  uid: pod.metadata.uid,
});

const byIp = (a: any, b: any) => String(a.ip).localeCompare(String(b.ip));

/** The subsets of a service's Endpoints (EndpointSubset grouping by port set). */
export function endpointSubsets(service: any, pods: any[]): unknown[] {
  return podsByPorts(service, pods, false).map(group => {
    const addresses: any[] = [];
    const notReadyAddresses: any[] = [];
    for (const pod of group.pods) {
      (isPodReady(pod) ? addresses : notReadyAddresses).push({
        ip: pod.status.podIP,
        nodeName: pod.spec?.nodeName,
        targetRef: podReference(pod),
      });
    }
    // Endpoints leave out the name of an unnamed port, and appProtocol.
    const ports = group.ports.map(({ name, port, protocol }) =>
      name ? { name, port, protocol } : { port, protocol },
    );
    return {
      ...(addresses.length ? { addresses: addresses.sort(byIp) } : {}),
      ...(notReadyAddresses.length
        ? { notReadyAddresses: notReadyAddresses.sort(byIp) }
        : {}),
      ...(ports.length ? { ports } : {}),
    };
  });
}

/** What one EndpointSlice of a service holds. */
export interface EndpointSliceContent {
  ports: EndpointPort[];
  endpoints: unknown[];
}

/**
 * The EndpointSlices a service needs: one per port set, at most 100
 * endpoints each, and one without endpoints when no pod backs it.
 * Terminating pods stay, not ready, with serving telling whether they still
 * pass their readiness checks. `zoneOf` gives a node's zone.
 */
export function endpointSliceContents(
  service: any,
  pods: any[],
  zoneOf: (nodeName: string) => string | undefined,
): EndpointSliceContent[] {
  const publishNotReady = Boolean(service.spec?.publishNotReadyAddresses);
  const slices: EndpointSliceContent[] = [];
  for (const group of podsByPorts(service, pods, true)) {
    const endpoints = group.pods
      .sort((a, b) => byIp({ ip: a.status.podIP }, { ip: b.status.podIP }))
      .map(pod => {
        const terminating = Boolean(pod.metadata.deletionTimestamp);
        const zone = pod.spec?.nodeName && zoneOf(pod.spec.nodeName);
        return {
          addresses: [pod.status.podIP],
          conditions: {
            ready: publishNotReady || (isPodReady(pod) && !terminating),
            serving: isPodReady(pod),
            terminating,
          },
          ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
          targetRef: podReference(pod),
          ...(zone ? { zone } : {}),
        };
      });
    for (let i = 0; i < endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      slices.push({
        ports: group.ports,
        endpoints: endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE),
      });
    }
  }
  return slices.length ? slices : [{ ports: [], endpoints: [] }];
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
      if (resource === '/services' && event.type === 'DELETED')
        setImmediate(() => this.deleteEndpoints(event.object));
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

  /** A deleted service's Endpoints go with it (its EndpointSlices are garbage collected as its dependents). */
  private deleteEndpoints(service: KubeObject) {
    if (this.stopped) return;
    const { name, namespace } = service.metadata;
    if (!this.store.get('/endpoints', `${namespace}/${name}`)) return;
    try {
      this.resources.delete(
        this.registry.find('', 'v1', 'endpoints')!,
        namespace!,
        name!,
        {},
        CONTROLLER,
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private sync(namespace: string) {
    const pods = this.store.list('/pods', { namespace }).items;
    for (const service of this.store.list('/services', { namespace })
      .items as any[]) {
      const selector = service.spec?.selector;
      if (!selector || !Object.keys(selector).length) continue;
      const matches = labelSelectorMatcher({ matchLabels: selector });
      const selected = pods.filter(p => matches(p.metadata.labels));
      try {
        this.syncEndpoints(namespace, service, selected);
        this.syncSlices(namespace, service, selected);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        this.markNamespace(namespace);
      }
    }
  }

  private syncEndpoints(namespace: string, service: any, pods: any[]) {
    const type = this.registry.find('', 'v1', 'endpoints')!;
    const subsets = endpointSubsets(service, pods);
    const name = service.metadata.name;
    const existing = this.store.get('/endpoints', `${namespace}/${name}`);
    if (!existing) {
      const body: KubeObject = {
        metadata: { name, namespace, labels: endpointLabels(service) },
        ...(subsets.length ? { subsets } : {}),
      };
      this.resources.create(type, namespace, body, CONTROLLER);
    } else if (
      !jsonEqual(
        (existing as any).subsets,
        subsets.length ? subsets : undefined,
      )
    ) {
      const { subsets: _previous, ...rest } = existing as any;
      const next = subsets.length ? { ...rest, subsets } : rest;
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
  }

  /** Brings the service's slices to what it needs, reusing the slices with the same ports. */
  private syncSlices(namespace: string, service: any, pods: any[]) {
    const type = this.registry.find(
      'discovery.k8s.io',
      'v1',
      'endpointslices',
    )!;
    const name = service.metadata.name;
    const zoneOf = (nodeName: string) =>
      this.store.get('/nodes', nodeName)?.metadata.labels?.[ZONE_LABEL];
    const labels = {
      ...endpointLabels(service),
      [SERVICE_NAME_LABEL]: name,
      [MANAGED_BY_LABEL]: MANAGED_BY,
    };
    const unused = (
      this.store.list('discovery.k8s.io/endpointslices', { namespace })
        .items as any[]
    ).filter(
      s =>
        s.metadata.labels?.[SERVICE_NAME_LABEL] === name &&
        s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY,
    );
    for (const content of endpointSliceContents(service, pods, zoneOf)) {
      const index = unused.findIndex(s =>
        jsonEqual(s.ports ?? [], content.ports),
      );
      const fields = {
        addressType: 'IPv4',
        ...(content.endpoints.length ? { endpoints: content.endpoints } : {}),
        ...(content.ports.length ? { ports: content.ports } : {}),
      };
      if (index < 0) {
        this.resources.create(
          type,
          namespace,
          {
            metadata: {
              generateName: `${name}-`,
              namespace,
              labels,
              ownerReferences: [
                {
                  apiVersion: 'v1',
                  kind: 'Service',
                  name,
                  uid: service.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            ...fields,
          },
          SLICE_CONTROLLER,
        );
        continue;
      }
      const [existing] = unused.splice(index, 1);
      if (
        jsonEqual(existing.endpoints ?? [], content.endpoints) &&
        jsonEqual(existing.metadata.labels, labels)
      )
        continue;
      const { endpoints: _endpoints, ports: _ports, ...rest } = existing;
      this.resources.write(
        type,
        namespace,
        existing.metadata.name,
        '',
        existing,
        { ...rest, metadata: { ...existing.metadata, labels }, ...fields },
        SLICE_CONTROLLER,
      );
    }
    for (const stale of unused) {
      this.resources.delete(
        type,
        namespace,
        stale.metadata.name,
        {},
        SLICE_CONTROLLER,
      );
    }
  }
}
