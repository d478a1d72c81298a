/*
 * Stones for tests of the Rollouts plugins (`@cairn/plugin-rollouts-common/testUtils`):
 * an update of a Stone over three zones at any stage, with its pods as the
 * Stone controller creates them.
 */
import type {
  V1ControllerRevision,
  V1Pod,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import {
  buildPod,
  coordinateOf,
  DEFAULT_RACK_LABEL,
  decideUpdateRevision,
  LABEL_ZONE,
  Stone,
  StoneStage,
  stageUpdatedCounts,
} from '@cairn/operators-api';
import { StoneDetail, StonePod } from './api';
import { summarizeStone, toStonePod, toStoneRevision } from './objects';

export const templateOf = (image: string): V1PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image }] },
});

/**
 * Three groups of four pods over three zones, two racks and three hosts each:
 * the group's fourth pod shares the first one's host.
 */
export function baseStone(template = templateOf('nginx:1.27')): Stone {
  return {
    apiVersion: 'rollouts.cairn.dev/v1alpha1',
    kind: 'Stone',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'stone-uid',
      generation: 2,
      resourceVersion: '42',
    },
    spec: {
      template,
      coordinates: ['a', 'b', 'c'].map(zone => ({
        group: zone,
        replicas: 4,
        zoneset: [1, 2, 3].map(host => ({
          zone: `zone-${zone}`,
          rack: `rack-${zone}${host === 3 ? 2 : 1}`,
          host: `node-${zone}${host}`,
        })),
      })),
      strategy: 'Alpha',
    },
  };
}

export interface UpdateScenario {
  stone: Stone;
  pods: V1Pod[];
  revisions: V1ControllerRevision[];
  current?: V1ControllerRevision;
  update: V1ControllerRevision;
}

/**
 * A Stone at `stage` of an update from nginx:1.27 to nginx:1.28 (or of a
 * first release, without a current revision), its stage complete: its
 * pods as the controller created them, running and ready on the hosts of
 * their coordinates.
 */
export function updateScenario(
  stage: StoneStage,
  options: { firstRelease?: boolean; stone?: Stone } = {},
): UpdateScenario {
  const old = options.stone ?? baseStone();
  const current = options.firstRelease
    ? undefined
    : decideUpdateRevision(old, []).revision;
  const stone: Stone = {
    ...old,
    spec: { ...old.spec, template: templateOf('nginx:1.28'), strategy: stage },
  };
  const update = decideUpdateRevision(stone, current ? [current] : []).revision;
  const counts = stageUpdatedCounts(stage, stone.spec.coordinates);
  const pods = stone.spec.coordinates.flatMap((group, g) => {
    const size = current ? group.replicas : counts[g];
    return Array.from({ length: size }, (_, index) => {
      const updated = index < counts[g];
      const pod = buildPod({
        stone,
        group,
        index,
        revisionName: updated
          ? update.metadata!.name!
          : current!.metadata!.name!,
        template: updated ? stone.spec.template : old.spec.template,
        rackLabel: DEFAULT_RACK_LABEL,
      });
      return running(pod, coordinateOf(group, index).host!);
    });
  });
  const desired = pods.length;
  stone.status = {
    observedGeneration: stone.metadata.generation,
    replicas: desired,
    readyReplicas: desired,
    updatedReplicas: counts.reduce((a, b) => a + b, 0),
    updatedReadyReplicas: counts.reduce((a, b) => a + b, 0),
    desiredReplicas: desired,
    stage,
    currentRevision: current?.metadata!.name,
    updateRevision: update.metadata!.name,
    groups: [],
    conditions: [],
    stageComplete: true,
  };
  return {
    stone,
    pods,
    revisions: current ? [current, update] : [update],
    current,
    update,
  };
}

/** The pod as the kubelet reports it once running and ready on `node`. */
export function running(pod: V1Pod, node: string): V1Pod {
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      uid: `uid-${pod.metadata!.name}`,
      resourceVersion: '1',
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
    },
    spec: { ...pod.spec!, nodeName: node },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True' },
        {
          type: 'rollouts.cairn.dev/in-place-ready',
          status: 'True',
          lastTransitionTime: new Date('2026-01-01T00:00:00Z'),
        },
      ],
    },
  };
}

/** The node labels of the scenario's hosts: `node-a3` is in zone-a, rack-a2. */
export function nodeLabelsOf(host: string): Record<string, string> {
  const zone = host.slice('node-'.length, -1);
  const n = Number(host.slice(-1));
  return {
    [LABEL_ZONE]: `zone-${zone}`,
    [DEFAULT_RACK_LABEL]: `rack-${zone}${n === 3 ? 2 : 1}`,
  };
}

export function stonePods(scenario: UpdateScenario): StonePod[] {
  return scenario.pods.map(pod =>
    toStonePod(pod, {
      stone: scenario.stone,
      nodeLabels: pod.spec?.nodeName
        ? nodeLabelsOf(pod.spec.nodeName)
        : undefined,
    }),
  );
}

/** The scenario as `GET /stones/:cluster/:namespace/:name` answers it. */
export function stoneDetail(
  scenario: UpdateScenario,
  options: { cluster?: string; entityRef?: string } & Partial<
    Pick<StoneDetail, 'approvals' | 'clusterErrors'>
  > = {},
): StoneDetail {
  const name = scenario.stone.metadata.name!;
  return {
    summary: summarizeStone(scenario.stone, {
      cluster: options.cluster ?? 'dev',
      entityRef: options.entityRef ?? 'component:default/web',
      stageStartedAt: '2026-01-02T00:00:00.000Z',
    }),
    stone: scenario.stone,
    pods: stonePods(scenario),
    revisions: scenario.revisions
      .map(r => toStoneRevision(r, name))
      .sort((a, b) => b.revision - a.revision),
    approvals: options.approvals ?? [],
    clusterErrors: options.clusterErrors ?? [],
  };
}
