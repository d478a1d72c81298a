import { podName, Stone, StoneStage, stageGroups } from '@cairn/operators-api';
import { StonePod } from './api';

/*
 * What approving a stage will do, from the operator's own stage arithmetic
 * (`stageGroups`), so the dialog and the operator cannot disagree.
 */

/** A pod the operator moves to the update revision when a stage starts. @public */
export interface StagePreviewPod {
  name: string;
  group: string;
  index: number;
  /** `update`: the pod moves to the update revision; `create`: it is created (a first release). */
  change: 'update' | 'create';
  /** The revision it runs now, when it exists. */
  fromRevision?: string;
  zone: string;
  rack?: string;
  /** Where the pod runs, or, for a new pod, the host its coordinate prefers. */
  host?: string;
}

/**
 * Exactly the pods the operator will move to the update revision when
 * `spec.strategy` becomes `stage`: the stage's update slots whose pod does
 * not run the update revision yet, in `coordinates` order.
 * @public
 */
export function stagePreview(
  stone: Stone,
  pods: StonePod[],
  stage: StoneStage,
): StagePreviewPod[] {
  const updateRevision = stone.status?.updateRevision;
  const firstRelease = !stone.status?.currentRevision;
  const live = new Map(
    pods.filter(p => !p.deletionTimestamp).map(p => [p.name, p]),
  );
  const stoneName = stone.metadata.name!;
  return stageGroups(stage, stone.spec.coordinates, firstRelease).flatMap(
    group =>
      group.slots.flatMap(slot => {
        if (slot.revision !== 'update') return [];
        const name = podName(stoneName, group.group, slot.index);
        const pod = live.get(name);
        if (pod && pod.revision === updateRevision) return [];
        return [
          {
            name,
            group: group.group,
            index: slot.index,
            change: pod ? 'update' : 'create',
            fromRevision: pod?.revision,
            zone: pod?.zone ?? slot.coordinate.zone,
            rack: pod?.rack ?? slot.coordinate.rack,
            host: pod?.host ?? slot.coordinate.host,
          },
        ];
      }),
  );
}
