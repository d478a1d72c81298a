import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildNodes,
  defaultNodes,
  loadTopologyFile,
  parseTopology,
  TopologyError,
} from './topology';

describe('default topology', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const nodes = defaultNodes({ now });

  it('has 3 zones × 2 racks × 3 hosts with unique names', () => {
    expect(nodes).toHaveLength(18);
    const names = new Set(nodes.map(n => n.metadata!.name));
    expect(names.size).toBe(18);
    const zones = new Set(
      nodes.map(n => n.metadata!.labels!['topology.kubernetes.io/zone']),
    );
    const racks = new Set(
      nodes.map(n => n.metadata!.labels!['topology.cairn.dev/rack']),
    );
    expect(zones).toEqual(new Set(['local-1a', 'local-1b', 'local-1c']));
    expect(racks.size).toBe(6);
  });

  it('labels nodes as a real cluster does', () => {
    const node = nodes[0];
    expect(node.metadata!.name).toBe('node-a1-1');
    expect(node.metadata!.labels).toEqual(
      expect.objectContaining({
        'topology.kubernetes.io/region': 'local-1',
        'topology.kubernetes.io/zone': 'local-1a',
        'topology.cairn.dev/rack': 'local-1a-r1',
        'kubernetes.io/hostname': 'node-a1-1',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'cairn.local-8c32g',
      }),
    );
  });

  it('reports capacity, allocatable, addresses, nodeInfo and Ready', () => {
    const status = nodes[5].status!;
    expect(Object.keys(status.capacity!).sort()).toEqual([
      'cpu',
      'ephemeral-storage',
      'memory',
      'pods',
    ]);
    expect(status.allocatable!.cpu).toBe('7800m');
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: '127.0.1.6' },
      { type: 'Hostname', address: nodes[5].metadata!.name },
    ]);
    expect(status.nodeInfo!.kubeletVersion).toBe('v1.33.0');
    expect(status.nodeInfo!.operatingSystem).toBe('linux');
    const ready = status.conditions!.find(c => c.type === 'Ready');
    expect(ready).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
      lastHeartbeatTime: now,
    });
  });

  it('is deterministic', () => {
    expect(defaultNodes({ now })).toEqual(nodes);
  });
});

describe('topology files', () => {
  it('builds nodes with per-layer overrides', () => {
    const spec = parseTopology(`
region: lab
defaults:
  capacity: {cpu: 4, memory: 8Gi, pods: 110, ephemeral-storage: 20Gi}
zones:
  - name: lab-z1
    racks:
      - name: r1
        hosts:
          - name: gpu-1
            instanceType: gpu.large
            capacity: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 50Gi, example.com/gpu: "2"}
            taints: [{key: gpu, value: "true", effect: NoSchedule}]
            labels: {team: ml}
          - name: small-1
`);
    const [gpu, small] = buildNodes(spec);
    expect(gpu.status!.allocatable).toEqual({
      cpu: '16',
      memory: '64Gi',
      pods: '110',
      'ephemeral-storage': '50Gi',
      'example.com/gpu': '2',
    });
    expect(gpu.spec!.taints).toEqual([
      { key: 'gpu', value: 'true', effect: 'NoSchedule' },
    ]);
    expect(gpu.metadata!.labels).toMatchObject({
      team: 'ml',
      'node.kubernetes.io/instance-type': 'gpu.large',
      'topology.kubernetes.io/region': 'lab',
      'topology.cairn.dev/rack': 'r1',
    });
    expect(small.status!.capacity!.cpu).toBe('4');
    expect(small.spec!.taints).toBeUndefined();
  });

  it('lists every problem with its path and a fix', () => {
    let error: TopologyError | undefined;
    try {
      parseTopology(
        `
zones:
  - name: z1
    rackz: []
    racks:
      - name: r1
        hosts:
          - name: Node_1
          - name: ok
            capacity: {cpu: 8x}
            taints: [{key: a, effect: Sometimes}]
          - name: ok
`,
        'my.yaml',
      );
    } catch (e) {
      error = e as TopologyError;
    }
    expect(error).toBeInstanceOf(TopologyError);
    expect(error!.problems).toEqual([
      'zones[0].rackz: unknown field; expected one of name, racks, instanceType, arch, capacity, allocatable, labels, taints, unschedulable',
      "zones[0].racks[0].hosts[0].name: \"Node_1\" is not a valid node name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'zones[0].racks[0].hosts[1].capacity.cpu: "8x" is not a Kubernetes quantity; write e.g. "8", "7800m", "32Gi"',
      'zones[0].racks[0].hosts[1].taints[0].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute',
      'zones[0].racks[0].hosts[2].name: "ok" is already used by zones[0].racks[0].hosts[1]; node names must be unique',
    ]);
    expect(error!.message).toMatch(
      /^Invalid topology my\.yaml:\n {2}- zones\[0\]\.rackz/,
    );
  });

  it('rejects allocatable above capacity', () => {
    expect(() =>
      parseTopology(`
zones: [{name: z, racks: [{name: r, hosts: [{name: h, allocatable: {cpu: "9"}}]}]}]
`),
    ).toThrow(
      'zones[0].racks[0].hosts[0]: allocatable.cpu (9) exceeds capacity.cpu (8)',
    );
  });

  it('reports YAML syntax errors and unreadable files', () => {
    expect(() => parseTopology('zones: [')).toThrow(/not valid YAML/);
    expect(() => parseTopology('- a')).toThrow(/must be a YAML mapping/);
    expect(() => loadTopologyFile('/nonexistent/topology.yaml')).toThrow(
      /cannot be read/,
    );
  });

  it('reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'topology-'));
    try {
      const file = join(dir, 'topology.yaml');
      writeFileSync(
        file,
        'zones: [{name: z, racks: [{name: r, hosts: [{name: h1}, {name: h2}]}]}]\n',
      );
      expect(loadTopologyFile(file).map(n => n.metadata!.name)).toEqual([
        'h1',
        'h2',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
