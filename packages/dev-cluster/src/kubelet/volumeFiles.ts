import type { V1Pod, V1Volume } from '@kubernetes/client-node';
import type { EnvSources } from './env';

/*
 * The files of configMap, secret, downwardAPI and projected volumes (the
 * ServiceAccount token's `kube-api-access-…` among them), as the kubelet's
 * volume plug-ins write them: one file per key (or per item), with the
 * volume's defaultMode or the item's mode.
 */

export interface VolumeSources extends EnvSources {
  /** A token of the pod's ServiceAccount bound to the pod (TokenRequest), as the kubelet asks for one. */
  serviceAccountToken?: (
    pod: V1Pod,
    request: { audience?: string; expirationSeconds: number },
  ) => string | undefined;
}

export interface VolumeFile {
  /** Relative to the volume's directory. */
  path: string;
  data: Buffer;
  mode: number;
}

/** What the kubelet writes for a volume; `error` (FailedMount's message) while it cannot. */
export type VolumeContent = { files: VolumeFile[] } | { error: string };

const DEFAULT_MODE = 0o644;

type KeyToPath = { key: string; path: string; mode?: number };

/** The files of a map of keys (a ConfigMap's or Secret's), all or `items`. */
function keyFiles(
  what: 'configmap' | 'secret',
  data: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
): VolumeFile[] | { error: string } {
  if (!items?.length)
    return Object.keys(data)
      .sort()
      .map(key => ({ path: key, data: data[key], mode }));
  const files: VolumeFile[] = [];
  for (const item of items) {
    if (!(item.key in data))
      return {
        error: `${what} references non-existent ${
          what === 'configmap' ? 'config' : 'secret'
        } key: ${item.key}`,
      };
    files.push({
      path: item.path,
      data: data[item.key],
      mode: item.mode ?? mode,
    });
  }
  return files;
}

function configMapData(
  sources: VolumeSources,
  namespace: string,
  name: string,
): Record<string, Buffer> | undefined {
  const configMap = sources.configMap(namespace, name);
  if (!configMap) return undefined;
  const data: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(configMap.data ?? {}))
    data[key] = Buffer.from(value);
  for (const [key, value] of Object.entries(configMap.binaryData ?? {}))
    data[key] = Buffer.from(value, 'base64');
  return data;
}

function secretData(
  sources: VolumeSources,
  namespace: string,
  name: string,
): Record<string, Buffer> | undefined {
  const secret = sources.secret(namespace, name);
  if (!secret) return undefined;
  const data: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {}))
    data[key] = Buffer.from(value, 'base64');
  // The dev cluster may keep stringData as written, where Kubernetes merges it into data.
  for (const [key, value] of Object.entries(secret.stringData ?? {}))
    data[key] = Buffer.from(value);
  return data;
}

/** A downward API field as a file's content: labels and annotations as `key="value"` lines, sorted. */
function fieldValue(pod: V1Pod, fieldPath: string): string | undefined {
  const map = (values: Record<string, string> | undefined) =>
    Object.keys(values ?? {})
      .sort()
      .map(key => `${key}=${JSON.stringify(values![key])}`)
      .join('\n');
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'metadata.labels':
      return map(pod.metadata?.labels);
    case 'metadata.annotations':
      return map(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    default:
      return undefined;
  }
}

/** The files of a volume the kubelet writes, or undefined for other kinds (emptyDir, claims, hostPath). */
export function volumeContent(
  pod: V1Pod,
  volume: V1Volume,
  sources: VolumeSources,
): VolumeContent | undefined {
  const namespace = pod.metadata?.namespace ?? 'default';
  const missing = (what: string, name: string) => ({
    error: `${what} "${name}" not found`,
  });
  const fromKeys = (
    what: 'configmap' | 'secret',
    data: Record<string, Buffer> | undefined,
    name: string,
    optional: boolean | undefined,
    items: KeyToPath[] | undefined,
    mode: number,
  ): VolumeFile[] | { error: string } => {
    if (!data) return optional ? [] : missing(what, name);
    return keyFiles(what, data, items, mode);
  };
  if (volume.configMap) {
    const { name = '', optional, items, defaultMode } = volume.configMap;
    const files = fromKeys(
      'configmap',
      configMapData(sources, namespace, name),
      name,
      optional,
      items,
      defaultMode ?? DEFAULT_MODE,
    );
    return Array.isArray(files) ? { files } : files;
  }
  if (volume.secret) {
    const { secretName = '', optional, items, defaultMode } = volume.secret;
    const files = fromKeys(
      'secret',
      secretData(sources, namespace, secretName),
      secretName,
      optional,
      items,
      defaultMode ?? DEFAULT_MODE,
    );
    return Array.isArray(files) ? { files } : files;
  }
  if (volume.downwardAPI) {
    const mode = volume.downwardAPI.defaultMode ?? DEFAULT_MODE;
    return {
      files: (volume.downwardAPI.items ?? []).flatMap(item => {
        const value = item.fieldRef
          ? fieldValue(pod, item.fieldRef.fieldPath)
          : undefined;
        return value === undefined
          ? []
          : [
              {
                path: item.path,
                data: Buffer.from(value),
                mode: item.mode ?? mode,
              },
            ];
      }),
    };
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    const files: VolumeFile[] = [];
    for (const source of volume.projected.sources ?? []) {
      let part: VolumeFile[] | { error: string } = [];
      if (source.configMap) {
        const { name = '', optional, items } = source.configMap;
        part = fromKeys(
          'configmap',
          configMapData(sources, namespace, name),
          name,
          optional,
          items,
          mode,
        );
      } else if (source.secret) {
        const { name = '', optional, items } = source.secret;
        part = fromKeys(
          'secret',
          secretData(sources, namespace, name),
          name,
          optional,
          items,
          mode,
        );
      } else if (source.downwardAPI) {
        const content = volumeContent(
          pod,
          {
            name: volume.name,
            downwardAPI: { ...source.downwardAPI, defaultMode: mode },
          },
          sources,
        );
        part = content && 'files' in content ? content.files : [];
      } else if (source.serviceAccountToken) {
        const { audience, expirationSeconds, path } =
          source.serviceAccountToken;
        const token = sources.serviceAccountToken?.(pod, {
          audience,
          expirationSeconds: expirationSeconds ?? 3600,
        });
        if (token === undefined)
          return {
            error: `failed to fetch token: serviceaccounts "${
              pod.spec?.serviceAccountName ?? 'default'
            }" not found`,
          };
        part = [{ path, data: Buffer.from(token), mode }];
      }
      if (!Array.isArray(part)) return part;
      files.push(...part);
    }
    return { files };
  }
  return undefined;
}
