import type { ObjectStore } from '../store/objectStore';
import type { AdmissionPlugin } from './admission';
import { ApiError, invalid } from './status';

/*
 * What the services registry of kube-apiserver does besides storing: it
 * allocates cluster IPs from the service CIDR (10.96.0.0/12, the first
 * address being the `kubernetes` service's) and node ports from 30000-32767,
 * and keeps both once allocated.
 */

const SERVICE_CIDR_BASE = (10 << 24) | (96 << 16);
const SERVICE_CIDR_SIZE = 1 << 20;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function ipToString(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

export class ServiceAllocator implements AdmissionPlugin {
  readonly name = 'ServiceIPAndNodePortAllocation';
  readonly phase = 'mutating';
  private nextIp = 2;

  constructor(private readonly store: ObjectStore) {}

  private used(): { ips: Set<string>; ports: Set<number> } {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const svc of this.store.list('/services').items as any[]) {
      for (const ip of svc.spec?.clusterIPs ?? [svc.spec?.clusterIP])
        if (ip) ips.add(ip);
      for (const port of svc.spec?.ports ?? [])
        if (port.nodePort) ports.add(port.nodePort);
    }
    return { ips, ports };
  }

  private allocateIp(used: Set<string>): string {
    for (let i = 0; i < SERVICE_CIDR_SIZE - 2; i++) {
      const offset = ((this.nextIp - 2 + i) % (SERVICE_CIDR_SIZE - 2)) + 2;
      const ip = ipToString(SERVICE_CIDR_BASE + offset);
      if (!used.has(ip)) {
        this.nextIp = offset + 1;
        return ip;
      }
    }
    throw new ApiError(
      500,
      'InternalError',
      'Internal error occurred: failed to allocate a serviceIP: range is full',
    );
  }

  admit({
    operation,
    type,
    object,
    oldObject,
  }: Parameters<AdmissionPlugin['admit']>[0]): void {
    if (type.group !== '' || type.plural !== 'services' || !object) return;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return;
    const spec = ((object as any).spec ??= {});
    const old = (oldObject as any)?.spec;
    const used = this.used();
    if (spec.type === 'ExternalName') return;
    if (old?.clusterIP && !spec.clusterIP) {
      spec.clusterIP = old.clusterIP;
      spec.clusterIPs = old.clusterIPs;
    }
    if (!spec.clusterIP) {
      spec.clusterIP = this.allocateIp(used.ips);
    } else if (
      spec.clusterIP !== 'None' &&
      operation === 'CREATE' &&
      used.ips.has(spec.clusterIP)
    ) {
      throw invalid(
        { group: '', kind: 'Service' },
        object.metadata.name ?? '',
        [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`,
            field: 'spec.clusterIPs',
          },
        ],
      );
    }
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= spec.clusterIP === 'None' ? ['IPv4'] : ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      for (const [i, port] of (spec.ports ?? []).entries()) {
        const previous = old?.ports?.find(
          (p: any) => p.port === port.port && p.protocol === port.protocol,
        );
        if (port.nodePort) continue;
        if (previous?.nodePort) {
          port.nodePort = previous.nodePort;
          continue;
        }
        let candidate =
          NODE_PORT_MIN +
          ((i + used.ports.size) % (NODE_PORT_MAX - NODE_PORT_MIN + 1));
        while (used.ports.has(candidate))
          candidate =
            candidate >= NODE_PORT_MAX ? NODE_PORT_MIN : candidate + 1;
        used.ports.add(candidate);
        port.nodePort = candidate;
      }
      if (spec.type === 'LoadBalancer')
        spec.allocateLoadBalancerNodePorts ??= true;
      spec.externalTrafficPolicy ??= 'Cluster';
    }
  }
}

/** The `kubernetes` service in `default`, which every cluster has. */
export function kubernetesService() {
  return {
    metadata: {
      name: 'kubernetes',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      clusterIP: ipToString(SERVICE_CIDR_BASE + 1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    },
  };
}
