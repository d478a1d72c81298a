import {
  planStone,
  Stone,
  STONE_STAGES,
  StoneStage,
  StoneUpdateType,
} from '@cairn/operators-api';
import { stagePreview } from './preview';
import { stonePods, updateScenario, UpdateScenario } from './testUtils';

/** The pods the operator's own plan moves to the update revision in a pass that may move all at once. */
function podsThePlanMoves(
  scenario: UpdateScenario,
  stage: StoneStage,
): string[] {
  const stone: Stone = {
    ...scenario.stone,
    spec: { ...scenario.stone.spec, strategy: stage },
  };
  const plan = planStone({
    stone,
    pods: scenario.pods,
    claims: [],
    revisions: scenario.revisions,
    services: [],
    now: new Date('2026-01-02T00:00:00Z'),
  });
  return plan.actions
    .flatMap(action => {
      if (action.type === 'createPod') return [action.pod.metadata!.name!];
      if (
        action.type === 'deletePod' &&
        action.reason.startsWith('recreated')
      ) {
        return [action.name];
      }
      if (
        action.type === 'patchPodStatus' &&
        JSON.stringify(action.patch).includes('StartInPlaceUpdate')
      ) {
        return [action.name];
      }
      return [];
    })
    .sort();
}

function withUpdateType(type: StoneUpdateType) {
  return (scenario: UpdateScenario): UpdateScenario => {
    scenario.stone.spec.updateStrategy = { type, maxUnavailable: '100%' };
    return scenario;
  };
}

describe('stagePreview', () => {
  it('names the pods each next stage moves, with their hosts', () => {
    const beta = stagePreview(
      updateScenario('Alpha').stone,
      stonePods(updateScenario('Alpha')),
      'Beta',
    );
    expect(beta).toEqual([
      expect.objectContaining({
        name: 'web-b-0',
        group: 'b',
        change: 'update',
        zone: 'zone-b',
        rack: 'rack-b1',
        host: 'node-b1',
      }),
      expect.objectContaining({ name: 'web-c-0', host: 'node-c1' }),
    ]);
    const omega = updateScenario('Beta');
    expect(
      stagePreview(omega.stone, stonePods(omega), 'Omega').map(p => p.name),
    ).toEqual([
      'web-a-1',
      'web-a-2',
      'web-b-1',
      'web-b-2',
      'web-c-1',
      'web-c-2',
    ]);
  });

  it('lists pods a first release creates', () => {
    const scenario = updateScenario('Alpha', { firstRelease: true });
    const preview = stagePreview(scenario.stone, stonePods(scenario), 'Beta');
    expect(preview).toEqual([
      expect.objectContaining({
        name: 'web-b-0',
        change: 'create',
        host: 'node-b1',
      }),
      expect.objectContaining({
        name: 'web-c-0',
        change: 'create',
        host: 'node-c1',
      }),
    ]);
  });

  it('leaves out pods already on the update revision and counts pods being deleted as gone', () => {
    const scenario = updateScenario('Alpha');
    const pods = stonePods(scenario).map(p =>
      p.name === 'web-c-0'
        ? { ...p, deletionTimestamp: '2026-01-02T00:00:00.000Z' }
        : p,
    );
    pods.find(p => p.name === 'web-b-0')!.revision =
      scenario.update.metadata!.name;
    expect(stagePreview(scenario.stone, pods, 'Beta')).toEqual([
      expect.objectContaining({ name: 'web-c-0', change: 'create' }),
    ]);
  });

  describe.each(['ReCreate', 'InPlaceIfPossible'] as StoneUpdateType[])(
    'agrees with the operator (planStone, %s)',
    type => {
      it.each(
        STONE_STAGES.slice(0, -1).map((from, i) => [from, STONE_STAGES[i + 1]]),
      )('from %s to %s', (from, to) => {
        const scenario = withUpdateType(type)(updateScenario(from));
        const preview = stagePreview(scenario.stone, stonePods(scenario), to);
        expect(preview.length).toBeGreaterThan(0);
        expect(preview.map(p => p.name).sort()).toEqual(
          podsThePlanMoves(scenario, to),
        );
      });

      it('on a first release', () => {
        const scenario = withUpdateType(type)(
          updateScenario('Beta', { firstRelease: true }),
        );
        const preview = stagePreview(
          scenario.stone,
          stonePods(scenario),
          'Omega',
        );
        expect(preview.map(p => p.name).sort()).toEqual(
          podsThePlanMoves(scenario, 'Omega'),
        );
      });
    },
  );
});
