import { DEFAULT_TOPOLOGY_LABELS } from '@cairn/operators-api';
import { NUWA_TOPOLOGY_LABELS, nuwaLabelImport } from './nodeImport';

const NUWA = {
  'nuwa.kubernetes.io/zone': 'A',
  'nuwa.kubernetes.io/rack': 'W-01',
  'nuwa.kubernetes.io/host': 'node1',
};

describe('nuwaLabelImport', () => {
  it("writes Cairn's zone and rack from the nuwa labels, leaving the kubelet's hostname as it is", () => {
    expect(
      nuwaLabelImport(
        { ...NUWA, 'kubernetes.io/hostname': 'node-1.local' },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toEqual({
      'topology.kubernetes.io/zone': 'A',
      'topology.cairn.dev/rack': 'W-01',
    });
  });

  it('writes the host too when the node has no label of that key', () => {
    expect(nuwaLabelImport(NUWA, DEFAULT_TOPOLOGY_LABELS)).toEqual({
      'topology.kubernetes.io/zone': 'A',
      'topology.cairn.dev/rack': 'W-01',
      'kubernetes.io/hostname': 'node1',
    });
  });

  it('never overwrites a label Cairn reads, even with another value', () => {
    expect(
      nuwaLabelImport(
        {
          ...NUWA,
          'topology.kubernetes.io/zone': 'zone-b',
          'kubernetes.io/hostname': 'node1',
        },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toEqual({ 'topology.cairn.dev/rack': 'W-01' });
  });

  it('imports only the levels the node has a nuwa label of', () => {
    expect(
      nuwaLabelImport(
        { 'nuwa.kubernetes.io/rack': 'W-02' },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toEqual({ 'topology.cairn.dev/rack': 'W-02' });
    // An empty nuwa value says nothing to import.
    expect(
      nuwaLabelImport(
        { 'nuwa.kubernetes.io/zone': '' },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toBeUndefined();
  });

  it('has nothing to import from a node without nuwa labels, or once imported', () => {
    expect(
      nuwaLabelImport(
        { 'kubernetes.io/hostname': 'n' },
        DEFAULT_TOPOLOGY_LABELS,
      ),
    ).toBeUndefined();
    expect(nuwaLabelImport(undefined, DEFAULT_TOPOLOGY_LABELS)).toBeUndefined();
    const imported = {
      ...NUWA,
      ...nuwaLabelImport(NUWA, DEFAULT_TOPOLOGY_LABELS),
    };
    expect(nuwaLabelImport(imported, DEFAULT_TOPOLOGY_LABELS)).toBeUndefined();
  });

  it('writes to the configured keys, and nothing when they are the nuwa keys', () => {
    expect(
      nuwaLabelImport(NUWA, {
        zone: 'example.com/zone',
        rack: NUWA_TOPOLOGY_LABELS.rack,
        host: 'example.com/host',
      }),
    ).toEqual({ 'example.com/zone': 'A', 'example.com/host': 'node1' });
    expect(nuwaLabelImport(NUWA, NUWA_TOPOLOGY_LABELS)).toBeUndefined();
  });
});
