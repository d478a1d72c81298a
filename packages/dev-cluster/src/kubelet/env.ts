import type {
  V1ConfigMap,
  V1Container,
  V1Pod,
  V1Secret,
} from '@kubernetes/client-node';
import { Quantity } from '../machinery/quantity';
import { expandVariables } from '../runtime/command';

/** Looks up the objects env may refer to; undefined when absent. */
export interface EnvSources {
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  secret(namespace: string, name: string): V1Secret | undefined;
}

/** What the downward API needs that the pod object may not have yet. */
export interface PodRuntimeFacts {
  podIP?: string;
  hostIP: string;
  /** The node's allocatable, which resourceFieldRef reports for an unset limit. */
  nodeAllocatable?: Record<string, string>;
  /**
   * Service environment variables (`KUBERNETES_SERVICE_HOST`, …), which come
   * first: the container's own env overrides them and may refer to them.
   */
  serviceEnv?: Record<string, string>;
}

/** Env cannot be built: the container waits with reason CreateContainerConfigError and this message. */
export class CreateContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CreateContainerConfigError';
  }
}

const LABEL_OR_ANNOTATION = /^metadata\.(labels|annotations)\['(.+)'\]$/;

function fieldValue(
  pod: V1Pod,
  fieldPath: string,
  facts: PodRuntimeFacts,
): string {
  const meta = pod.metadata ?? {};
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP ?? '';
    default: {
      const match = LABEL_OR_ANNOTATION.exec(fieldPath);
      if (match) {
        const map = match[1] === 'labels' ? meta.labels : meta.annotations;
        return map?.[match[2]] ?? '';
      }
      throw new CreateContainerConfigError(
        `unsupported fieldPath: ${fieldPath}`,
      );
    }
  }
}

function resourceValue(
  container: V1Container,
  resource: string,
  divisor: string | undefined,
  facts: PodRuntimeFacts,
): string {
  const [kind, name] = resource.split('.', 2) as [
    'requests' | 'limits',
    string,
  ];
  const quantity =
    container.resources?.[kind]?.[name] ??
    (kind === 'requests'
      ? container.resources?.limits?.[name]
      : facts.nodeAllocatable?.[name]) ??
    '0';
  const value =
    Quantity.parse(quantity).toNumber() /
    Quantity.parse(divisor ?? '1').toNumber();
  return String(Math.ceil(value));
}

function decodeSecret(secret: V1Secret, key: string): string | undefined {
  if (secret.data?.[key] !== undefined)
    return Buffer.from(secret.data[key], 'base64').toString();
  return secret.stringData?.[key];
}

/**
 * The environment of a container as the kubelet builds it: service variables,
 * envFrom, then
 * env in order, each value with `$(VAR)` references to earlier variables
 * expanded; downward-API fieldRefs and resourceFieldRefs; configMap and secret
 * keys. Throws CreateContainerConfigError with the kubelet's message when a
 * non-optional source is missing.
 */
export function resolveContainerEnv(
  pod: V1Pod,
  container: V1Container,
  sources: EnvSources,
  facts: PodRuntimeFacts,
): Record<string, string> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...facts.serviceEnv };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const configMap = sources.configMap(namespace, from.configMapRef.name!);
      if (!configMap) {
        if (from.configMapRef.optional) continue;
        throw new CreateContainerConfigError(
          `configmap "${from.configMapRef.name}" not found`,
        );
      }
      for (const [key, value] of Object.entries(configMap.data ?? {}))
        env[prefix + key] = value;
    }
    if (from.secretRef) {
      const secret = sources.secret(namespace, from.secretRef.name!);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new CreateContainerConfigError(
          `secret "${from.secretRef.name}" not found`,
        );
      }
      for (const key of Object.keys(secret.data ?? {}))
        env[prefix + key] = decodeSecret(secret, key)!;
    }
  }
  for (const variable of container.env ?? []) {
    const source = variable.valueFrom;
    if (!source) {
      env[variable.name] = expandVariables(variable.value ?? '', env);
    } else if (source.fieldRef) {
      env[variable.name] = fieldValue(pod, source.fieldRef.fieldPath, facts);
    } else if (source.resourceFieldRef) {
      const target = source.resourceFieldRef.containerName
        ? [
            ...(pod.spec?.containers ?? []),
            ...(pod.spec?.initContainers ?? []),
          ].find(c => c.name === source.resourceFieldRef!.containerName) ??
          container
        : container;
      env[variable.name] = resourceValue(
        target,
        source.resourceFieldRef.resource,
        source.resourceFieldRef.divisor,
        facts,
      );
    } else if (source.configMapKeyRef) {
      const ref = source.configMapKeyRef;
      const configMap = sources.configMap(namespace, ref.name!);
      const value = configMap?.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new CreateContainerConfigError(
          configMap
            ? `couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name}`
            : `configmap "${ref.name}" not found`,
        );
      }
      env[variable.name] = value;
    } else if (source.secretKeyRef) {
      const ref = source.secretKeyRef;
      const secret = sources.secret(namespace, ref.name!);
      const value = secret ? decodeSecret(secret, ref.key) : undefined;
      if (value === undefined) {
        if (ref.optional) continue;
        throw new CreateContainerConfigError(
          secret
            ? `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}`
            : `secret "${ref.name}" not found`,
        );
      }
      env[variable.name] = value;
    }
  }
  return env;
}
