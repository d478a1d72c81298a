import { threeZoneStone } from './__testUtils__/fixtures';
import {
  coordinateOf,
  nextStage,
  stageGroups,
  stageUpdatedCounts,
} from './stages';
import { StoneCoordinatesGroup } from './types';

const group = (
  name: string,
  replicas: number,
  hosts: number,
): StoneCoordinatesGroup => ({
  group: name,
  replicas,
  zoneset: Array.from({ length: hosts }, (_, i) => ({
    zone: `z-${name}`,
    host: `${name}-${i}`,
  })),
});

describe('stageUpdatedCounts', () => {
  const coordinates = [group('a', 3, 3), group('b', 2, 3), group('c', 4, 2)];

  it.each([
    ['Alpha', [1, 0, 0]],
    ['Beta', [1, 1, 1]],
    ['Omega', [3, 2, 2]],
    ['Release', [3, 2, 4]],
  ] as const)('%s updates %j pods per group', (stage, counts) => {
    expect(stageUpdatedCounts(stage, coordinates)).toEqual(counts);
  });

  it('takes Alpha from the first group that has pods', () => {
    expect(
      stageUpdatedCounts('Alpha', [group('a', 0, 1), group('b', 2, 1)]),
    ).toEqual([0, 1]);
  });

  it('gives a group of no replicas no pod in any stage', () => {
    const empty = [group('a', 0, 3)];
    for (const stage of ['Alpha', 'Beta', 'Omega', 'Release'] as const) {
      expect(stageUpdatedCounts(stage, empty)).toEqual([0]);
    }
  });

  it('refuses an unknown stage with the stages it knows', () => {
    expect(() => stageUpdatedCounts('Gamma' as any, coordinates)).toThrow(
      'unknown stage "Gamma": expected one of Alpha, Beta, Omega, Release',
    );
  });
});

describe('stageGroups', () => {
  const { coordinates } = threeZoneStone().spec;

  it('on a first release creates only the stage pods, all of the update revision', () => {
    const beta = stageGroups('Beta', coordinates, true);
    expect(beta.map(g => g.slots.map(s => [s.index, s.revision]))).toEqual([
      [[0, 'update']],
      [[0, 'update']],
      [[0, 'update']],
    ]);
    expect(
      stageGroups('Alpha', coordinates, true).map(g => g.slots.length),
    ).toEqual([1, 0, 0]);
  });

  it('during an update keeps every pod, the other pods on the current revision', () => {
    const omega = stageGroups('Omega', [group('a', 5, 2)], false);
    expect(omega[0].updated).toBe(2);
    expect(omega[0].slots.map(s => s.revision)).toEqual([
      'update',
      'update',
      'current',
      'current',
      'current',
    ]);
    const alpha = stageGroups('Alpha', coordinates, false);
    expect(
      alpha.map(g => g.slots.filter(s => s.revision === 'update').length),
    ).toEqual([1, 0, 0]);
    expect(alpha.map(g => g.slots.length)).toEqual([3, 3, 3]);
  });

  it('places pod n at zoneset[n % len]', () => {
    const [slots] = stageGroups('Release', [group('a', 5, 2)], true).map(
      g => g.slots,
    );
    expect(slots.map(s => s.coordinate.host)).toEqual([
      'a-0',
      'a-1',
      'a-0',
      'a-1',
      'a-0',
    ]);
  });
});

describe('coordinateOf', () => {
  it('wraps around the zoneset', () => {
    expect(coordinateOf(group('a', 9, 3), 7).host).toBe('a-1');
  });

  it('refuses an empty zoneset', () => {
    expect(() => coordinateOf(group('a', 1, 0), 0)).toThrow(
      'group "a" has an empty zoneset',
    );
  });
});

it('orders the stages', () => {
  expect(nextStage('Alpha')).toBe('Beta');
  expect(nextStage('Omega')).toBe('Release');
  expect(nextStage('Release')).toBeUndefined();
});
