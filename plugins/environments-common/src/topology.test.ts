import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import type { TopologyNode } from './api';
import {
  placedNodes,
  quotaUsage,
  togglePlacement,
  topologyTree,
} from './topology';

const node = (name: string, zone?: string, rack?: string): TopologyNode => ({
  name,
  zone,
  rack,
  host: name,
  ready: true,
  pods: 0,
  environments: [],
});

const nodes = [
  node('b-2', 'b', 'b-r1'),
  node('a-1', 'a', 'a-r2'),
  node('a-0', 'a', 'a-r1'),
  node('a-x', 'a'),
  node('loose'),
];

describe('topology', () => {
  it('draws zones → racks → nodes sorted, racks before rackless nodes, unlabelled apart', () => {
    expect(topologyTree(nodes)).toEqual({
      zones: [
        {
          zone: 'a',
          racks: [
            { rack: 'a-r1', nodes: [nodes[2]] },
            { rack: 'a-r2', nodes: [nodes[1]] },
            { rack: undefined, nodes: [nodes[3]] },
          ],
        },
        { zone: 'b', racks: [{ rack: 'b-r1', nodes: [nodes[0]] }] },
      ],
      unlabelled: [nodes[4]],
    });
  });

  it('places nodes as the operator does: any listed zone, rack or host', () => {
    expect(
      placedNodes(
        nodes,
        { zones: ['b'], racks: ['a-r1'], hosts: ['loose'] },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toEqual(['a-0', 'b-2', 'loose']);
    expect(placedNodes(nodes, {}, DEFAULT_TOPOLOGY_LABELS)).toEqual([]);
  });

  it('toggles a value of a placement level', () => {
    const once = togglePlacement({ hosts: ['h'] }, 'zones', 'b');
    expect(togglePlacement(once, 'zones', 'a')).toEqual({
      hosts: ['h'],
      zones: ['a', 'b'],
    });
    expect(togglePlacement(once, 'zones', 'b')).toEqual({
      hosts: ['h'],
      zones: [],
    });
  });

  it('computes usage with quantity semantics and hides refused storage classes', () => {
    expect(
      quotaUsage(
        {
          'requests.cpu': '2',
          'requests.memory': '1Gi',
          pods: '0',
          'slow.storageclass.storage.k8s.io/requests.storage': '0',
        },
        { 'requests.cpu': '500m', 'requests.memory': '1536Mi' },
      ),
    ).toEqual([
      { resource: 'pods', hard: '0', used: '0', fraction: 0 },
      { resource: 'requests.cpu', hard: '2', used: '500m', fraction: 0.25 },
      {
        resource: 'requests.memory',
        hard: '1Gi',
        used: '1536Mi',
        fraction: 1.5,
      },
    ]);
  });
});
