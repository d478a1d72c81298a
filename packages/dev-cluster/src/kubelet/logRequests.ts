import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';

/** A pods/log request that cannot be served: the message of the API server's 400 BadRequest. */
export interface LogRequestError {
  error: string;
}

/** Go's `%s` of a string slice: `[a b]`. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

/**
 * The container a pods/log (or exec/attach) request means, as the API server
 * decides it: the one named, or the only container; otherwise the error
 * listing the choices.
 */
export function requestedContainerName(
  pod: V1Pod,
  requested?: string,
): { name: string } | LogRequestError {
  const name = pod.metadata?.name;
  const containers = (pod.spec?.containers ?? []).map(c => c.name);
  const initContainers = (pod.spec?.initContainers ?? []).map(c => c.name);
  const ephemeralContainers = (pod.spec?.ephemeralContainers ?? []).map(
    c => c.name,
  );
  if (requested) {
    if (
      [...containers, ...initContainers, ...ephemeralContainers].includes(
        requested,
      )
    )
      return { name: requested };
    return { error: `container ${requested} is not valid for pod ${name}` };
  }
  if (containers.length === 1) return { name: containers[0] };
  if (containers.length === 0)
    return { error: `a container name must be specified for pod ${name}` };
  let error = `a container name must be specified for pod ${name}, choose one of: ${goList(
    containers,
  )}`;
  if (initContainers.length > 0)
    error += ` or one of the init containers: ${goList(initContainers)}`;
  if (ephemeralContainers.length > 0)
    error += ` or one of the ephemeral containers: ${goList(
      ephemeralContainers,
    )}`;
  return { error };
}

/**
 * The container instance whose log a request reads, as the kubelet's
 * validateContainerLogStatus decides from the pod status: the running or last
 * terminated instance, or the previous one; otherwise the kubelet's message.
 */
export function containerIdForLogs(
  podName: string,
  status: V1PodStatus | undefined,
  containerName: string,
  previous: boolean,
): { containerID: string } | LogRequestError {
  const statuses = [
    ...(status?.containerStatuses ?? []),
    ...(status?.initContainerStatuses ?? []),
    ...(status?.ephemeralContainerStatuses ?? []),
  ];
  const container = statuses.find(s => s.name === containerName);
  const quoted = `container "${containerName}" in pod "${podName}"`;
  if (!container) return { error: `${quoted} is not available` };
  const last = container.lastState?.terminated;
  const { waiting, running, terminated } = container.state ?? {};
  if (previous) {
    if (!last?.containerID)
      return { error: `previous terminated ${quoted} not found` };
    return { containerID: last.containerID };
  }
  if (running) return { containerID: container.containerID ?? '' };
  if (terminated) {
    const id = terminated.containerID || last?.containerID;
    return id ? { containerID: id } : { error: `${quoted} is terminated` };
  }
  if (last) {
    return last.containerID
      ? { containerID: last.containerID }
      : { error: `${quoted} is terminated` };
  }
  if (waiting) {
    switch (waiting.reason) {
      case 'ErrImagePull':
        return {
          error: `${quoted} is waiting to start: image can't be pulled`,
        };
      case 'ImagePullBackOff':
        return {
          error: `${quoted} is waiting to start: trying and failing to pull image`,
        };
      default:
        return { error: `${quoted} is waiting to start: ${waiting.reason}` };
    }
  }
  return { error: `${quoted} is waiting to start - no logs yet` };
}
