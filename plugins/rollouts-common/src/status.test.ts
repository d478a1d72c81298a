import { Stone, StoneCondition } from '@cairn/operators-api';
import { actionRefusal, stoneStatus } from './status';
import { updateScenario } from './testUtils';

const condition = (
  type: StoneCondition['type'],
  reason: string,
  message: string,
): StoneCondition => ({
  type,
  status: 'True',
  reason,
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

function degraded(stone: Stone): Stone {
  stone.status!.conditions = [
    condition(
      'Degraded',
      'CrashLoopBackOff',
      'pod web-a-0: container app: CrashLoopBackOff',
    ),
    condition('Paused', 'CrashLoopBackOff', 'pod web-a-0: CrashLoopBackOff'),
  ];
  return stone;
}

describe('stoneStatus', () => {
  it('reads a complete stage of an update', () => {
    const { stone, current, update } = updateScenario('Beta');
    expect(stoneStatus(stone)).toMatchObject({
      stage: 'Beta',
      nextStage: 'Omega',
      observed: true,
      stageComplete: true,
      degraded: false,
      paused: false,
      updating: true,
      currentRevision: current!.metadata!.name,
      updateRevision: update.metadata!.name,
    });
  });

  it('does not call a stage complete before the operator observed it', () => {
    const { stone } = updateScenario('Beta');
    stone.spec.strategy = 'Omega';
    stone.metadata.generation = 3;
    expect(stoneStatus(stone)).toMatchObject({
      stage: 'Omega',
      observed: false,
      stageComplete: false,
    });
  });

  it('reads Degraded and a pause by the operator', () => {
    const status = stoneStatus(degraded(updateScenario('Alpha').stone));
    expect(status).toMatchObject({
      degraded: true,
      degradedReason: 'CrashLoopBackOff',
      paused: true,
      pausedBySpec: false,
      pausedReason: 'CrashLoopBackOff',
    });
  });

  it('sees no update once every pod runs one revision', () => {
    const { stone, update } = updateScenario('Release');
    stone.status!.currentRevision = update.metadata!.name;
    expect(stoneStatus(stone)).toMatchObject({
      updating: false,
      nextStage: undefined,
    });
  });
});

describe('actionRefusal', () => {
  it('allows approving the next stage once the stage is complete', () => {
    const { stone } = updateScenario('Alpha');
    expect(actionRefusal(stone, { type: 'approve', stage: 'Beta' })).toBe(
      undefined,
    );
  });

  it('refuses approving out of order or after Release, even forced', () => {
    const { stone } = updateScenario('Alpha');
    expect(
      actionRefusal(stone, { type: 'approve', stage: 'Omega' }, true),
    ).toBe(
      'Omega is not the next stage: the Stone is at Alpha, so Beta is next',
    );
    const released = updateScenario('Release').stone;
    expect(
      actionRefusal(released, { type: 'approve', stage: 'Release' }, true),
    ).toBe('Release is the last stage: there is nothing to approve');
  });

  it('refuses approving while Degraded unless forced', () => {
    const stone = degraded(updateScenario('Alpha').stone);
    expect(actionRefusal(stone, { type: 'approve', stage: 'Beta' })).toBe(
      'Approving is refused while the operator reports the Stone Degraded (CrashLoopBackOff: pod web-a-0: container app: CrashLoopBackOff)',
    );
    expect(
      actionRefusal(stone, { type: 'approve', stage: 'Beta' }, true),
    ).toBeUndefined();
  });

  it('refuses approving an incomplete or paused stage unless forced', () => {
    const { stone } = updateScenario('Beta');
    stone.status!.stageComplete = false;
    stone.status!.updatedReadyReplicas = 2;
    expect(actionRefusal(stone, { type: 'approve', stage: 'Omega' })).toBe(
      "Beta is not complete: 2 of the stage's pods are updated and ready",
    );
    expect(
      actionRefusal(stone, { type: 'approve', stage: 'Omega' }, true),
    ).toBeUndefined();
    const paused = updateScenario('Beta').stone;
    paused.spec.paused = true;
    expect(actionRefusal(paused, { type: 'approve', stage: 'Omega' })).toBe(
      'The update is paused: resume it before approving the next stage',
    );
  });

  it('refuses starting an update while another is under way unless forced', () => {
    const { stone, update } = updateScenario('Beta');
    expect(actionRefusal(stone, { type: 'start' })).toBe(
      `An update to ${
        update.metadata!.name
      } is under way at Beta: finish, abort or roll it back first`,
    );
    expect(actionRefusal(stone, { type: 'start' }, true)).toBeUndefined();
    const settled = updateScenario('Release').stone;
    settled.status!.currentRevision = settled.status!.updateRevision;
    expect(actionRefusal(settled, { type: 'start' })).toBeUndefined();
  });

  it('pauses and resumes by spec; a pause by the operator is not resumed', () => {
    const { stone } = updateScenario('Beta');
    expect(actionRefusal(stone, { type: 'pause' })).toBeUndefined();
    expect(actionRefusal(stone, { type: 'resume' })).toBe(
      'The update is not paused',
    );
    stone.spec.paused = true;
    expect(actionRefusal(stone, { type: 'pause' })).toBe(
      'The update is already paused',
    );
    expect(actionRefusal(stone, { type: 'resume' })).toBeUndefined();
    const failing = degraded(updateScenario('Alpha').stone);
    expect(actionRefusal(failing, { type: 'resume' })).toBe(
      'The operator paused the update (CrashLoopBackOff: pod web-a-0: CrashLoopBackOff); start a new update, roll back or abort instead',
    );
  });

  it('aborts only an update with a current revision to go back to', () => {
    expect(
      actionRefusal(updateScenario('Omega').stone, { type: 'abort' }),
    ).toBeUndefined();
    expect(
      actionRefusal(updateScenario('Alpha', { firstRelease: true }).stone, {
        type: 'abort',
      }),
    ).toBe(
      'There is no current revision to go back to: the first release has not completed',
    );
    const settled = updateScenario('Release').stone;
    settled.status!.currentRevision = settled.status!.updateRevision;
    expect(actionRefusal(settled, { type: 'abort' })).toBe(
      `No update is under way: every pod runs ${
        settled.status!.currentRevision
      }`,
    );
  });

  it('refuses rolling back to the template or the current revision', () => {
    const { stone, current, update } = updateScenario('Beta');
    expect(
      actionRefusal(stone, {
        type: 'rollback',
        revision: update.metadata!.name!,
      }),
    ).toBe(`${update.metadata!.name} is already the Stone's template`);
    expect(
      actionRefusal(stone, {
        type: 'rollback',
        revision: current!.metadata!.name!,
      }),
    ).toBe(
      `${
        current!.metadata!.name
      } is the current revision: abort the update to go back to it`,
    );
    expect(
      actionRefusal(stone, { type: 'rollback', revision: 'web-older' }),
    ).toBeUndefined();
  });
});
