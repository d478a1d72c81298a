import {
  nextStage,
  Stone,
  StoneCondition,
  StoneConditionType,
  StoneStage,
} from '@cairn/operators-api';

/*
 * One reading of a Stone's status and one set of eligibility rules, used by
 * the UI (to disable a button with its reason) and by the backend (to refuse
 * the request with the same reason).
 */

/** What a Stone's spec and status say about its update. @public */
export interface StoneStatusView {
  /** The current stage (`spec.strategy`). */
  stage: StoneStage;
  /** The stage after it, if any. */
  nextStage?: StoneStage;
  /** The operator has observed the current spec: the status describes it. */
  observed: boolean;
  /** The current stage's pods are updated and ready, as observed for the current spec. */
  stageComplete: boolean;
  /** Pods of the update revision that are ready, and all pods the stage wants. */
  updatedReadyReplicas: number;
  desiredReplicas: number;
  degraded: boolean;
  degradedReason?: string;
  degradedMessage?: string;
  /** `spec.paused`, or paused by the operator on a failing updated pod. */
  paused: boolean;
  /** `spec.paused` is set (what resume clears). */
  pausedBySpec: boolean;
  pausedReason?: string;
  pausedMessage?: string;
  currentRevision?: string;
  updateRevision?: string;
  /** The pods do not all run one revision: an update (or a first release) is under way. */
  updating: boolean;
}

function conditionOf(
  stone: Stone,
  type: StoneConditionType,
): StoneCondition | undefined {
  return stone.status?.conditions?.find(c => c.type === type);
}

/** How a Stone's update stands. @public */
export function stoneStatus(stone: Stone): StoneStatusView {
  const status = stone.status;
  const observed =
    !!status &&
    status.stage === stone.spec.strategy &&
    (status.observedGeneration === undefined ||
      stone.metadata.generation === undefined ||
      status.observedGeneration >= stone.metadata.generation);
  const degraded = conditionOf(stone, 'Degraded');
  const paused = conditionOf(stone, 'Paused');
  const pausedBySpec = !!stone.spec.paused;
  const currentRevision = status?.currentRevision || undefined;
  const updateRevision = status?.updateRevision || undefined;
  return {
    stage: stone.spec.strategy,
    nextStage: nextStage(stone.spec.strategy),
    observed,
    stageComplete: observed && !!status?.stageComplete,
    updatedReadyReplicas: status?.updatedReadyReplicas ?? 0,
    desiredReplicas: status?.desiredReplicas ?? 0,
    degraded: degraded?.status === 'True',
    degradedReason: degraded?.status === 'True' ? degraded.reason : undefined,
    degradedMessage: degraded?.status === 'True' ? degraded.message : undefined,
    paused: pausedBySpec || paused?.status === 'True',
    pausedBySpec,
    pausedReason: paused?.status === 'True' ? paused.reason : undefined,
    pausedMessage: paused?.status === 'True' ? paused.message : undefined,
    currentRevision,
    updateRevision,
    updating:
      !observed ||
      currentRevision === undefined ||
      currentRevision !== updateRevision,
  };
}

/** An action on a Stone, with what it needs to be judged. @public */
export type RolloutAction =
  | { type: 'approve'; stage: StoneStage }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'abort' }
  | { type: 'rollback'; revision: string };

/** The action types. @public */
export type RolloutActionType = RolloutAction['type'];

/**
 * Why `action` is refused on `stone` now, or undefined if it may go ahead.
 * `force` (for ops) overrides what the operator reports — Degraded, a stage
 * not complete, an update in progress — but not what cannot be done at all
 * (no next stage, a stage out of order, nothing to resume or abort).
 * Permissions are checked separately.
 * @public
 */
export function actionRefusal(
  stone: Stone,
  action: RolloutAction,
  force = false,
): string | undefined {
  const s = stoneStatus(stone);
  const degraded = `the operator reports the Stone Degraded (${
    s.degradedReason
  }${s.degradedMessage ? `: ${s.degradedMessage}` : ''})`;
  switch (action.type) {
    case 'approve': {
      if (!s.nextStage) {
        return `${s.stage} is the last stage: there is nothing to approve`;
      }
      if (action.stage !== s.nextStage) {
        return `${action.stage} is not the next stage: the Stone is at ${s.stage}, so ${s.nextStage} is next`;
      }
      if (force) return undefined;
      if (s.degraded) return `Approving is refused while ${degraded}`;
      if (s.pausedBySpec) {
        return 'The update is paused: resume it before approving the next stage';
      }
      if (!s.observed) {
        return `The operator has not yet acted on the latest change of the Stone; ${s.stage} is not complete`;
      }
      if (!s.stageComplete) {
        return `${s.stage} is not complete: ${s.updatedReadyReplicas} of the stage's pods are updated and ready`;
      }
      return undefined;
    }
    case 'start':
      if (force) return undefined;
      if (s.updating && s.updateRevision !== undefined) {
        return `An update to ${s.updateRevision} is under way at ${s.stage}: finish, abort or roll it back first`;
      }
      return undefined;
    case 'pause':
      return s.pausedBySpec ? 'The update is already paused' : undefined;
    case 'resume':
      if (s.pausedBySpec) return undefined;
      if (s.paused) {
        return `The operator paused the update (${s.pausedReason}: ${s.pausedMessage}); start a new update, roll back or abort instead`;
      }
      return 'The update is not paused';
    case 'abort':
      if (s.currentRevision === undefined) {
        return 'There is no current revision to go back to: the first release has not completed';
      }
      if (s.updateRevision === s.currentRevision) {
        return `No update is under way: every pod runs ${s.currentRevision}`;
      }
      return undefined;
    case 'rollback':
      if (action.revision === s.updateRevision) {
        return `${action.revision} is already the Stone's template`;
      }
      if (action.revision === s.currentRevision) {
        return `${action.revision} is the current revision: abort the update to go back to it`;
      }
      return undefined;
    default:
      return `unknown action ${JSON.stringify(action)}`;
  }
}
