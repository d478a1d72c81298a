import type { V1Service } from '@kubernetes/client-node';

/*
 * The service environment variables the kubelet gives every container
 * (pkg/kubelet/envvars): `<NAME>_SERVICE_HOST` and `_SERVICE_PORT` for each
 * service, plus the Docker link variables (`<NAME>_PORT_<port>_TCP`, …).
 */

/** The default namespace's services every pod sees, whatever enableServiceLinks says. */
const MASTER_SERVICES = new Set(['kubernetes']);

const envName = (name: string) => name.replace(/-/g, '_').toUpperCase();

const hasClusterIP = (service: V1Service) =>
  Boolean(service.spec?.clusterIP) && service.spec?.clusterIP !== 'None';

function serviceVariables(service: V1Service): Record<string, string> {
  const prefix = envName(service.metadata!.name!);
  const ip = service.spec!.clusterIP!;
  const ports = service.spec?.ports ?? [];
  const env: Record<string, string> = { [`${prefix}_SERVICE_HOST`]: ip };
  if (ports.length) env[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
  for (const port of ports) {
    if (port.name)
      env[`${prefix}_SERVICE_PORT_${envName(port.name)}`] = String(port.port);
  }
  ports.forEach((port, index) => {
    const protocol = port.protocol ?? 'TCP';
    const hostPort = ip.includes(':')
      ? `[${ip}]:${port.port}`
      : `${ip}:${port.port}`;
    const url = `${protocol.toLowerCase()}://${hostPort}`;
    // Docker names the first port's URL `<NAME>_PORT`.
    if (index === 0) env[`${prefix}_PORT`] = url;
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    env[portPrefix] = url;
    env[`${portPrefix}_PROTO`] = protocol.toLowerCase();
    env[`${portPrefix}_PORT`] = String(port.port);
    env[`${portPrefix}_ADDR`] = ip;
  });
  return env;
}

/**
 * The service variables of a pod in `namespace`: the services of its own
 * namespace when `enableServiceLinks` (the default), and the `kubernetes`
 * service of the default namespace always. Services without a cluster IP
 * (headless, ExternalName) give none.
 */
export function serviceEnvironment(
  services: V1Service[],
  namespace: string,
  enableServiceLinks = true,
): Record<string, string> {
  const byName = new Map<string, V1Service>();
  for (const service of services) {
    if (!hasClusterIP(service)) continue;
    const name = service.metadata!.name!;
    if (
      service.metadata?.namespace === 'default' &&
      MASTER_SERVICES.has(name)
    ) {
      if (!byName.has(name)) byName.set(name, service);
    } else if (
      service.metadata?.namespace === namespace &&
      enableServiceLinks
    ) {
      byName.set(name, service);
    }
  }
  return Object.assign({}, ...[...byName.values()].map(serviceVariables));
}
