import type { V1Node } from '@kubernetes/client-node';
import { DEFAULT_TOPOLOGY_LABELS } from './constants';
import {
  directPlacementSelector,
  isPlacementBound,
  nodeLabelChanges,
  placementAnnotation,
  placementNodeLabel,
  resolvePlacement,
} from './placement';

const node = (
  name: string,
  zone: string,
  rack: string,
  labels: Record<string, string> = {},
): V1Node => ({
  metadata: {
    name,
    labels: {
      'topology.kubernetes.io/zone': zone,
      'topology.cairn.dev/rack': rack,
      'kubernetes.io/hostname': name,
      ...labels,
    },
  },
});

const NODES = [
  node('a1', 'zone-a', 'rack-a1'),
  node('a2', 'zone-a', 'rack-a2'),
  node('b1', 'zone-b', 'rack-b1'),
  node('b2', 'zone-b', 'rack-b2'),
  node('c1', 'zone-c', 'rack-c1'),
  { metadata: { name: 'bare', labels: {} } },
];

describe('resolvePlacement', () => {
  const resolve = (placement: Parameters<typeof resolvePlacement>[0]) =>
    resolvePlacement(placement, NODES, DEFAULT_TOPOLOGY_LABELS);

  it('binds the nodes of the listed zones', () => {
    expect(resolve({ zones: ['zone-b'] })).toEqual(['b1', 'b2']);
  });

  it('binds nodes matching any listed zone, rack or host (a mix is a union)', () => {
    expect(
      resolve({ zones: ['zone-c'], racks: ['rack-a2'], hosts: ['b1'] }),
    ).toEqual(['a2', 'b1', 'c1']);
  });

  it('counts a node once when it matches several values', () => {
    expect(resolve({ zones: ['zone-a'], racks: ['rack-a1'] })).toEqual([
      'a1',
      'a2',
    ]);
  });

  it('binds nothing when no node matches, and for an empty placement', () => {
    expect(resolve({ zones: ['zone-x'] })).toEqual([]);
    expect(resolve({})).toEqual([]);
    expect(resolve(undefined)).toEqual([]);
    expect(isPlacementBound({ zones: [], racks: [] })).toBe(false);
    expect(isPlacementBound({ hosts: ['a1'] })).toBe(true);
  });

  it('reads the configured label keys (e.g. the original system’s)', () => {
    const nuwa = {
      zone: 'nuwa.kubernetes.io/zone',
      rack: 'nuwa.kubernetes.io/rack',
      host: 'nuwa.kubernetes.io/host',
    };
    const nodes = [
      node('n1', 'zone-a', 'rack-a1', { 'nuwa.kubernetes.io/zone': 'A' }),
      node('n2', 'zone-a', 'rack-a1', { 'nuwa.kubernetes.io/host': 'h2' }),
    ];
    expect(resolvePlacement({ zones: ['A'] }, nodes, nuwa)).toEqual(['n1']);
    expect(resolvePlacement({ hosts: ['h2'] }, nodes, nuwa)).toEqual(['n2']);
    expect(resolvePlacement({ zones: ['zone-a'] }, nodes, nuwa)).toEqual([]);
  });
});

describe('the placement label', () => {
  it('is env.tenancy.cairn.dev/<environment>, selected by the namespace’s PodNodeSelector annotation', () => {
    expect(placementNodeLabel('shop-prod')).toEqual({
      key: 'env.tenancy.cairn.dev/shop-prod',
    });
    expect(placementAnnotation('env.tenancy.cairn.dev/shop-prod')).toEqual({
      'scheduler.alpha.kubernetes.io/node-selector':
        'env.tenancy.cairn.dev/shop-prod=true',
    });
  });

  it('refuses a name too long for a label name', () => {
    expect(placementNodeLabel('x'.repeat(64))).toEqual({
      error: expect.stringContaining('63 characters or less'),
    });
    expect(placementNodeLabel('x'.repeat(63))).toHaveProperty('key');
  });

  it('adds the label where missing and removes it from nodes no longer bound', () => {
    const key = 'env.tenancy.cairn.dev/shop';
    const nodes = [
      node('a1', 'zone-a', 'rack-a1', { [key]: 'true' }),
      node('a2', 'zone-a', 'rack-a2'),
      node('b1', 'zone-b', 'rack-b1', { [key]: 'true' }),
      node('b2', 'zone-b', 'rack-b2', { [key]: 'yes' }),
    ];
    expect(nodeLabelChanges(key, nodes, ['a1', 'a2'])).toEqual([
      { node: 'a2', bind: true },
      { node: 'b1', bind: false },
      { node: 'b2', bind: false },
    ]);
    expect(nodeLabelChanges(key, nodes, [])).toHaveLength(3);
  });
});

describe('directPlacementSelector', () => {
  it('selects a placement of one value by its topology label itself', () => {
    expect(
      directPlacementSelector({ zones: ['a'] }, DEFAULT_TOPOLOGY_LABELS),
    ).toBe('topology.kubernetes.io/zone=a');
    expect(
      directPlacementSelector(
        { zones: [], racks: ['r1'] },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toBe('topology.cairn.dev/rack=r1');
    expect(
      directPlacementSelector(
        { hosts: ['n1'] },
        {
          zone: 'nuwa.kubernetes.io/zone',
          rack: 'r',
          host: 'nuwa.kubernetes.io/host',
        },
      ),
    ).toBe('nuwa.kubernetes.io/host=n1');
  });

  it('has none for several values (an OR PodNodeSelector cannot say) or none at all', () => {
    expect(
      directPlacementSelector({ zones: ['a', 'b'] }, DEFAULT_TOPOLOGY_LABELS),
    ).toBeUndefined();
    expect(
      directPlacementSelector(
        { zones: ['a'], racks: ['r1'] },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toBeUndefined();
    expect(
      directPlacementSelector({}, DEFAULT_TOPOLOGY_LABELS),
    ).toBeUndefined();
    expect(
      directPlacementSelector(undefined, DEFAULT_TOPOLOGY_LABELS),
    ).toBeUndefined();
  });
});
