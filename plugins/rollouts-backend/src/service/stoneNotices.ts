import { Stone } from '@cairn/operators-api';
import { stoneStatus } from '@cairn/plugin-rollouts-common';

/**
 * Who a notice is for: the ops groups, the owners of the Stone's entity, or
 * both (a stage the owners may approve themselves, which ops may too).
 */
export type NoticeAudience = 'ops' | 'owners' | 'owners and ops';

/** A notification a Stone's state calls for. */
export interface StoneNotice {
  /** Once per Stone, revision, stage and state: the same key is sent once. */
  key: string;
  audience: NoticeAudience;
  title: string;
  description: string;
  severity: 'normal' | 'high';
}

/**
 * What a Stone's state calls for: ops hear of a stage complete and awaiting
 * their approval, and so do the entity's owners when the policy lets them
 * approve that stage (`ownerApprovableStages`, as the Cairn policy reads
 * `cairn.permission.rollouts.ownerApprovableStages`); the owners hear of an
 * update paused or degraded. Pure, so what is sent when is tested without a
 * cluster.
 */
export function stoneNotice(
  stone: Stone,
  options: { ownerApprovableStages?: readonly string[] } = {},
): StoneNotice | undefined {
  const s = stoneStatus(stone);
  if (!s.observed || !stone.metadata.uid) return undefined;
  const name = `${stone.metadata.namespace}/${stone.metadata.name}`;
  const key = (state: string) =>
    [stone.metadata.uid, s.updateRevision ?? '', s.stage, state].join('/');
  if (s.degraded) {
    return {
      key: key('degraded'),
      audience: 'owners',
      title: `Stone ${name} is degraded at stage ${s.stage}`,
      description: `${s.degradedReason}${
        s.degradedMessage ? `: ${s.degradedMessage}` : ''
      }`,
      severity: 'high',
    };
  }
  if (s.paused) {
    return {
      key: key('paused'),
      audience: 'owners',
      title: `The update of Stone ${name} is paused at stage ${s.stage}`,
      description: s.pausedBySpec
        ? 'Paused from the portal or the Stone’s spec; resume it, roll back or abort.'
        : `${s.pausedReason}: ${s.pausedMessage}`,
      severity: 'high',
    };
  }
  if (s.updating && s.stageComplete && s.nextStage && s.updateRevision) {
    return {
      key: key('awaiting'),
      audience: options.ownerApprovableStages?.includes(s.nextStage)
        ? 'owners and ops'
        : 'ops',
      title: `Stone ${name}: ${s.stage} is complete, ${s.nextStage} awaits approval`,
      description: `${s.updatedReadyReplicas} pod(s) run ${s.updateRevision} and are ready; approve ${s.nextStage} on the Stone's Rollouts tab.`,
      severity: 'normal',
    };
  }
  return undefined;
}
