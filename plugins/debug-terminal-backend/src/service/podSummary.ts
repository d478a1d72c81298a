import type {
  DebugContainerSummary,
  DebugPodSummary,
} from '@cairn/plugin-debug-terminal-common';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

function containerSummary(
  name: string,
  image: string | undefined,
  status: V1ContainerStatus | undefined,
): DebugContainerSummary {
  const state = status?.state;
  let summary: Pick<DebugContainerSummary, 'state' | 'reason'> = {
    state: 'unknown',
  };
  if (state?.running) summary = { state: 'running' };
  else if (state?.waiting)
    summary = { state: 'waiting', reason: state.waiting.reason };
  else if (state?.terminated)
    summary = { state: 'terminated', reason: state.terminated.reason };
  return {
    name,
    ...(image ? { image } : {}),
    ...summary,
    ready: status?.ready ?? false,
    restartCount: status?.restartCount ?? 0,
  };
}

/**
 * What the pods list shows of a pod: its containers (the ones a terminal can
 * target) and the debug containers sessions added, each with its state.
 */
export function summarizePod(cluster: string, pod: V1Pod): DebugPodSummary {
  const statuses = new Map(
    (pod.status?.containerStatuses ?? []).map(s => [s.name, s]),
  );
  const debugStatuses = new Map(
    (pod.status?.ephemeralContainerStatuses ?? []).map(s => [s.name, s]),
  );
  const created = pod.metadata?.creationTimestamp;
  return {
    cluster,
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    ...(pod.status?.phase ? { phase: pod.status.phase } : {}),
    ...(created ? { createdAt: new Date(created).toISOString() } : {}),
    containers: (pod.spec?.containers ?? []).map(c =>
      containerSummary(c.name, c.image, statuses.get(c.name)),
    ),
    debugContainers: (pod.spec?.ephemeralContainers ?? []).map(c =>
      containerSummary(c.name, c.image, debugStatuses.get(c.name)),
    ),
  };
}
