import { Stone, stageGroups } from '@cairn/operators-api';
import { StoneDetail, StonePod } from './api';

/*
 * A Stone's pods laid out zones → racks → hosts, with what the coordinates
 * place at each level, so a rack or host that lost pods stands out.
 */

/** The host of pods not scheduled on a node yet. @public */
export const UNSCHEDULED_HOST = '(unscheduled)';
/** The rack of nodes without the rack label. @public */
export const UNKNOWN_RACK = '(no rack)';
/** The zone of pods whose zone is unknown. @public */
export const UNKNOWN_ZONE = '(no zone)';

/** Counts of one level of the topology. @public */
export interface TopologyCounts {
  /** Pods there, not being deleted. */
  pods: number;
  /** Of those, running the update revision. */
  updated: number;
  ready: number;
  notReady: number;
  /** Pods being deleted. */
  terminating: number;
  /** Pods the Stone's coordinates place there. */
  expected: number;
  /** `expected - pods` when positive: pods this level lost. */
  missing: number;
}

/** @public */
export interface TopologyHost extends TopologyCounts {
  host: string;
  /** Sorted by group and index. */
  podList: StonePod[];
}

/** @public */
export interface TopologyRack extends TopologyCounts {
  rack: string;
  hosts: TopologyHost[];
}

/** @public */
export interface TopologyZone extends TopologyCounts {
  zone: string;
  racks: TopologyRack[];
}

/** @public */
export interface StoneTopology extends TopologyCounts {
  zones: TopologyZone[];
  /** The update revision the `updated` counts refer to. */
  updateRevision?: string;
}

type Expected = { zone: string; rack: string; host?: string };

/** Where the coordinates place the pods the current stage wants. */
function expectedPlaces(stone: Stone): Expected[] {
  const firstRelease = !stone.status?.currentRevision;
  return stageGroups(
    stone.spec.strategy,
    stone.spec.coordinates,
    firstRelease,
  ).flatMap(group =>
    group.slots.map(slot => ({
      zone: slot.coordinate.zone,
      rack: slot.coordinate.rack ?? UNKNOWN_RACK,
      host: slot.coordinate.host,
    })),
  );
}

function counts(
  pods: StonePod[],
  expected: number,
  updateRevision: string | undefined,
): TopologyCounts {
  const live = pods.filter(p => !p.deletionTimestamp);
  const ready = live.filter(p => p.ready).length;
  return {
    pods: live.length,
    updated: live.filter(
      p => updateRevision !== undefined && p.revision === updateRevision,
    ).length,
    ready,
    notReady: live.length - ready,
    terminating: pods.length - live.length,
    expected,
    missing: Math.max(0, expected - live.length),
  };
}

const byName = (a: string, b: string) =>
  a.localeCompare(b, 'en', { numeric: true });

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/**
 * A Stone's pods as zones → racks → hosts → pods, each level sorted by name
 * with its counts. A level's `expected` counts the pods the coordinates of
 * the current stage place there (hosts only where a coordinate names one);
 * levels with expected pods but none there still appear, with `missing`.
 * @public
 */
export function stoneTopology(
  detail: Pick<StoneDetail, 'stone' | 'pods'>,
): StoneTopology {
  const { stone, pods } = detail;
  const updateRevision = stone.status?.updateRevision;
  const expected = expectedPlaces(stone);
  const zoneOf = (p: { zone?: string }) => p.zone ?? UNKNOWN_ZONE;
  const rackOf = (p: { rack?: string }) => p.rack ?? UNKNOWN_RACK;
  const hostOf = (p: { host?: string }) => p.host ?? UNSCHEDULED_HOST;

  const zoneNames = new Set([...expected.map(zoneOf), ...pods.map(zoneOf)]);
  const zones = [...zoneNames].sort(byName).map(zone => {
    const zonePods = pods.filter(p => zoneOf(p) === zone);
    const zoneExpected = expected.filter(e => e.zone === zone);
    const rackNames = new Set([
      ...zoneExpected.map(rackOf),
      ...zonePods.map(rackOf),
    ]);
    const racks = [...rackNames].sort(byName).map(rack => {
      const rackPods = zonePods.filter(p => rackOf(p) === rack);
      const rackExpected = zoneExpected.filter(e => e.rack === rack);
      const hostPods = groupBy(rackPods, hostOf);
      const hostExpected = groupBy(
        rackExpected.filter(e => e.host !== undefined),
        e => e.host!,
      );
      const hostNames = new Set([...hostPods.keys(), ...hostExpected.keys()]);
      const hosts = [...hostNames].sort(byName).map(host => {
        const podList = [...(hostPods.get(host) ?? [])].sort(
          (a, b) => byName(a.group, b.group) || a.index - b.index,
        );
        return {
          host,
          podList,
          ...counts(
            podList,
            hostExpected.get(host)?.length ?? 0,
            updateRevision,
          ),
        };
      });
      return {
        rack,
        hosts,
        ...counts(rackPods, rackExpected.length, updateRevision),
      };
    });
    return {
      zone,
      racks,
      ...counts(zonePods, zoneExpected.length, updateRevision),
    };
  });
  return {
    zones,
    updateRevision,
    ...counts(pods, expected.length, updateRevision),
  };
}
