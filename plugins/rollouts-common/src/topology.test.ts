import { stoneTopology, UNSCHEDULED_HOST } from './topology';
import { stonePods, updateScenario } from './testUtils';

describe('stoneTopology', () => {
  it('lays the pods out zones → racks → hosts with counts', () => {
    const scenario = updateScenario('Beta');
    const topology = stoneTopology({
      stone: scenario.stone,
      pods: stonePods(scenario),
    });
    expect(topology).toMatchObject({
      pods: 12,
      expected: 12,
      updated: 3,
      ready: 12,
      notReady: 0,
      missing: 0,
    });
    expect(topology.zones.map(z => z.zone)).toEqual([
      'zone-a',
      'zone-b',
      'zone-c',
    ]);
    const zoneA = topology.zones[0];
    expect(zoneA.racks.map(r => [r.rack, r.pods, r.expected])).toEqual([
      ['rack-a1', 3, 3],
      ['rack-a2', 1, 1],
    ]);
    expect(zoneA.racks[0].hosts.map(h => [h.host, h.updated])).toEqual([
      ['node-a1', 1],
      ['node-a2', 0],
    ]);
    expect(zoneA.racks[0].hosts[0].podList.map(p => p.name)).toEqual([
      'web-a-0',
      'web-a-3',
    ]);
  });

  it('flags the host, rack and zone that lost pods', () => {
    const scenario = updateScenario('Alpha');
    const pods = stonePods(scenario).filter(p => p.host !== 'node-b3');
    pods.find(p => p.name === 'web-b-0')!.ready = false;
    const topology = stoneTopology({ stone: scenario.stone, pods });
    const zoneB = topology.zones.find(z => z.zone === 'zone-b')!;
    expect(zoneB).toMatchObject({
      pods: 3,
      expected: 4,
      missing: 1,
      notReady: 1,
    });
    const rack = zoneB.racks.find(r => r.rack === 'rack-b2')!;
    expect(rack).toMatchObject({ pods: 0, expected: 1, missing: 1 });
    expect(rack.hosts).toEqual([
      expect.objectContaining({ host: 'node-b3', podList: [], missing: 1 }),
    ]);
    expect(topology.missing).toBe(1);
  });

  it('keeps unscheduled and terminating pods apart', () => {
    const scenario = updateScenario('Alpha');
    const pods = stonePods(scenario).map(p => {
      if (p.name === 'web-c-2') {
        return { ...p, host: undefined, rack: undefined, ready: false };
      }
      if (p.name === 'web-c-1') {
        return { ...p, deletionTimestamp: '2026-01-02T00:00:00.000Z' };
      }
      return p;
    });
    const zoneC = stoneTopology({ stone: scenario.stone, pods }).zones.find(
      z => z.zone === 'zone-c',
    )!;
    expect(zoneC).toMatchObject({ pods: 3, terminating: 1, notReady: 1 });
    const unscheduled = zoneC.racks
      .flatMap(r => r.hosts)
      .find(h => h.host === UNSCHEDULED_HOST)!;
    expect(unscheduled.podList.map(p => p.name)).toEqual(['web-c-2']);
    const c2 = zoneC.racks
      .flatMap(r => r.hosts)
      .find(h => h.host === 'node-c2')!;
    expect(c2).toMatchObject({ pods: 0, terminating: 1, missing: 1 });
  });

  it('expects only the stage’s pods on a first release', () => {
    const scenario = updateScenario('Alpha', { firstRelease: true });
    const topology = stoneTopology({
      stone: scenario.stone,
      pods: stonePods(scenario),
    });
    expect(topology).toMatchObject({ pods: 1, expected: 1, missing: 0 });
    expect(topology.zones.map(z => z.zone)).toEqual(['zone-a']);
  });
});
