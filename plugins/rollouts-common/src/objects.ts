import type { V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import {
  coordinateOf,
  DEFAULT_RACK_LABEL,
  LABEL_GROUP,
  LABEL_POD_INDEX,
  LABEL_REVISION,
  LABEL_ZONE,
  revisionTemplate,
  Stone,
} from '@cairn/operators-api';
import { StonePod, StoneRef, StoneRevision, StoneSummary } from './api';
import { stoneStatus } from './status';

/*
 * The API shapes from the Kubernetes objects, in one place for the backend
 * that serves them and the tests that build them.
 */

const iso = (time: Date | string | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString();

/** A Stone's list entry. @public */
export function summarizeStone(
  stone: Stone,
  context: { cluster: string; entityRef: string; stageStartedAt?: string },
): StoneSummary {
  const status = stoneStatus(stone);
  const ref: StoneRef = {
    cluster: context.cluster,
    namespace: stone.metadata.namespace ?? '',
    name: stone.metadata.name ?? '',
  };
  return {
    ...ref,
    entityRef: context.entityRef,
    resourceVersion: stone.metadata.resourceVersion ?? '',
    generation: stone.metadata.generation,
    strategy: status.stage,
    paused: status.paused,
    pausedReason: status.pausedReason,
    currentRevision: status.currentRevision,
    updateRevision: status.updateRevision,
    replicas: stone.status?.replicas ?? 0,
    desiredReplicas: stone.status?.desiredReplicas ?? 0,
    readyReplicas: stone.status?.readyReplicas ?? 0,
    updatedReplicas: stone.status?.updatedReplicas ?? 0,
    degraded: status.degraded,
    degradedReason: status.degradedReason,
    degradedMessage: status.degradedMessage,
    stageComplete: status.stageComplete,
    stageStartedAt: context.stageStartedAt,
  };
}

/**
 * A Stone's pod where it runs: zone and rack from its node's labels (the
 * rack label is configurable), or, while it is not scheduled, the zone its
 * coordinate requires.
 * @public
 */
export function toStonePod(
  pod: V1Pod,
  options: {
    stone: Stone;
    /** Labels of the pod's node, if it has one. */
    nodeLabels?: Record<string, string>;
    rackLabel?: string;
  },
): StonePod {
  const labels = pod.metadata?.labels ?? {};
  const group = labels[LABEL_GROUP] ?? '';
  const index = Number(labels[LABEL_POD_INDEX] ?? NaN);
  const coordinates = options.stone.spec.coordinates.find(
    g => g.group === group,
  );
  const coordinate =
    coordinates && Number.isInteger(index) && coordinates.zoneset.length
      ? coordinateOf(coordinates, index)
      : undefined;
  const node = options.nodeLabels;
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    group,
    index,
    zone: node?.[LABEL_ZONE] ?? coordinate?.zone,
    rack: node?.[options.rackLabel ?? DEFAULT_RACK_LABEL],
    host: pod.spec?.nodeName,
    revision: labels[LABEL_REVISION],
    ready:
      pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ) ?? false,
    phase: pod.status?.phase ?? 'Pending',
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    createdAt: iso(pod.metadata?.creationTimestamp) ?? '',
    deletionTimestamp: iso(pod.metadata?.deletionTimestamp),
  };
}

/** A Stone's ControllerRevision. @public */
export function toStoneRevision(
  revision: V1ControllerRevision,
  stoneName: string,
): StoneRevision {
  const name = revision.metadata?.name ?? '';
  return {
    name,
    revision: revision.revision,
    hash: name.startsWith(`${stoneName}-`)
      ? name.slice(stoneName.length + 1)
      : name,
    createdAt: iso(revision.metadata?.creationTimestamp) ?? '',
    template: revisionTemplate(revision) ?? {},
  };
}
