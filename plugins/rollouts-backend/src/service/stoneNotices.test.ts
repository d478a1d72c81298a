import { Stone, StoneCondition } from '@cairn/operators-api';
import { stoneNotice } from './stoneNotices';

const condition = (
  type: StoneCondition['type'],
  reason: string,
  message: string,
): StoneCondition => ({
  type,
  status: 'True',
  reason,
  message,
  lastTransitionTime: '2026-12-07T10:00:00Z',
});

function stone(
  status: Partial<NonNullable<Stone['status']>>,
  spec: Partial<Stone['spec']> = {},
): Stone {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', generation: 2 },
    spec: {
      strategy: 'Beta',
      coordinates: [],
      template: {},
      ...spec,
    },
    status: {
      observedGeneration: 2,
      stage: 'Beta',
      replicas: 6,
      readyReplicas: 6,
      updatedReplicas: 3,
      updatedReadyReplicas: 3,
      desiredReplicas: 6,
      currentRevision: 'web-a',
      updateRevision: 'web-b',
      groups: [],
      conditions: [],
      stageComplete: true,
      ...status,
    },
  };
}

describe('stoneNotice', () => {
  it('tells ops when a stage of an update is complete, once per stage and revision', () => {
    const notice = stoneNotice(stone({}));
    expect(notice).toMatchObject({
      audience: 'ops',
      key: 'u1/web-b/Beta/awaiting',
      title: 'Stone shop/web: Beta is complete, Omega awaits approval',
    });
    expect(stoneNotice(stone({ stage: 'Beta' }))?.key).toBe(notice?.key);
  });

  it('tells the owners too when the policy lets them approve the next stage', () => {
    const options = { ownerApprovableStages: ['Alpha', 'Beta'] };
    expect(
      stoneNotice(stone({ stage: 'Alpha' }, { strategy: 'Alpha' }), options),
    ).toMatchObject({
      audience: 'owners and ops',
      title: 'Stone shop/web: Alpha is complete, Beta awaits approval',
    });
    // Omega is for ops only.
    expect(stoneNotice(stone({}), options)?.audience).toBe('ops');
  });

  it('says nothing while a stage runs, before the operator saw the spec, or once released', () => {
    expect(stoneNotice(stone({ stageComplete: false }))).toBeUndefined();
    expect(stoneNotice(stone({ observedGeneration: 1 }))).toBeUndefined();
    expect(
      stoneNotice(
        stone(
          { stage: 'Release', currentRevision: 'web-b' },
          { strategy: 'Release' },
        ),
      ),
    ).toBeUndefined();
  });

  it('tells the owners when their update is degraded or paused', () => {
    expect(
      stoneNotice(
        stone({
          stageComplete: false,
          conditions: [
            condition('Degraded', 'ImagePullFailed', 'nginx:9 not found'),
          ],
        }),
      ),
    ).toMatchObject({
      audience: 'owners',
      key: 'u1/web-b/Beta/degraded',
      description: 'ImagePullFailed: nginx:9 not found',
    });
    expect(stoneNotice(stone({}, { paused: true }))).toMatchObject({
      audience: 'owners',
      key: 'u1/web-b/Beta/paused',
    });
  });
});
