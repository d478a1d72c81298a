import {
  StoneCoordinate,
  StoneCoordinatesGroup,
  StoneStage,
  STONE_STAGES,
} from './types';

/*
 * Stage arithmetic: one definition for first releases and updates, used by
 * the controller and by the portal's stage preview alike.
 */

/** Which revision a pod slot runs. @public */
export type SlotRevision = 'update' | 'current';

/** One pod of a group as a stage wants it. @public */
export interface StageSlot {
  /** The pod's index in its group: the pod is `<stone>-<group>-<index>`. */
  index: number;
  revision: SlotRevision;
  coordinate: StoneCoordinate;
}

/** What a stage wants of one group. @public */
export interface StageGroup {
  group: string;
  /** Pods of the group that run the update revision: indexes `0 … updated-1`. */
  updated: number;
  /** The pods that exist in this stage, by index. */
  slots: StageSlot[];
}

/**
 * How many pods of each group run the update revision in a stage, in the
 * order of `coordinates`: Alpha 1 pod (the first pod of the first group with
 * any replicas), Beta 1 per group, Omega 1 per zoneset entry (a listed host)
 * of every group, Release all.
 * @public
 */
export function stageUpdatedCounts(
  stage: StoneStage,
  coordinates: StoneCoordinatesGroup[],
): number[] {
  const alphaGroup = coordinates.findIndex(g => g.replicas > 0);
  return coordinates.map((g, i) => {
    switch (stage) {
      case 'Alpha':
        return i === alphaGroup ? 1 : 0;
      case 'Beta':
        return Math.min(1, g.replicas);
      case 'Omega':
        return Math.min(g.zoneset.length, g.replicas);
      case 'Release':
        return g.replicas;
      default:
        throw new Error(
          `unknown stage "${stage}": expected one of ${STONE_STAGES.join(
            ', ',
          )}`,
        );
    }
  });
}

/** The machine position of pod `index` of a group: `zoneset[index % len]`. @public */
export function coordinateOf(
  group: StoneCoordinatesGroup,
  index: number,
): StoneCoordinate {
  if (group.zoneset.length === 0) {
    throw new Error(`group "${group.group}" has an empty zoneset`);
  }
  return group.zoneset[index % group.zoneset.length];
}

/**
 * The pods a stage wants, per group. During an update (`firstRelease`
 * false) every group keeps its `replicas` pods and only the stage's run the
 * update revision, so capacity stays whole; on a first release there is no
 * current revision, so only the stage's pods exist.
 * @public
 */
export function stageGroups(
  stage: StoneStage,
  coordinates: StoneCoordinatesGroup[],
  firstRelease: boolean,
): StageGroup[] {
  const counts = stageUpdatedCounts(stage, coordinates);
  return coordinates.map((group, i) => {
    const updated = counts[i];
    const size = firstRelease ? updated : group.replicas;
    const slots: StageSlot[] = [];
    for (let index = 0; index < size; index++) {
      slots.push({
        index,
        revision: index < updated ? 'update' : 'current',
        coordinate: coordinateOf(group, index),
      });
    }
    return { group: group.group, updated, slots };
  });
}

/** The stage after `stage`, or undefined after Release. @public */
export function nextStage(stage: StoneStage): StoneStage | undefined {
  return STONE_STAGES[STONE_STAGES.indexOf(stage) + 1];
}
