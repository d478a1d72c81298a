import type { V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { buildNodes, defaultNodes } from '../topology';
import {
  bindingFor,
  scheduleOnSnapshot,
  schedulePod,
  ScheduleResult,
  schedulingEvent,
  unschedulableCondition,
} from './schedule';
import { SchedulingSnapshot } from './snapshot';

const nodes = defaultNodes({ now: new Date('2026-01-01T00:00:00Z') });
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const RACK = 'topology.cairn.dev/rack';

let counter = 0;
function makePod(
  name: string,
  spec: Partial<V1PodSpec> = {},
  meta: Partial<NonNullable<V1Pod['metadata']>> = {},
): V1Pod {
  counter++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}-${counter}`,
      ...meta,
    },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
  };
}

function requesting(
  cpu: string,
  extra: Partial<V1PodSpec> = {},
): Partial<V1PodSpec> {
  return {
    containers: [
      { name: 'main', image: 'busybox', resources: { requests: { cpu } } },
    ],
    ...extra,
  };
}

function bound(pod: V1Pod, nodeName: string): V1Pod {
  return {
    ...pod,
    spec: { ...pod.spec!, nodeName },
    status: { phase: 'Running' },
  };
}

function nodeOf(result: ScheduleResult): string {
  if (result.outcome !== 'Scheduled')
    throw new Error(`not scheduled: ${JSON.stringify(result)}`);
  return result.nodeName;
}

function messageOf(result: ScheduleResult): string {
  if (result.outcome !== 'Unschedulable')
    throw new Error(`scheduled: ${JSON.stringify(result)}`);
  return result.message;
}

/** Schedules pods one after another, binding each, as the control loop does. */
function scheduleAll(
  pods: V1Pod[],
  clusterNodes: V1Node[] = nodes,
  existing: V1Pod[] = [],
) {
  const snapshot = SchedulingSnapshot.build(clusterNodes, existing);
  return pods.map(pod => {
    const result = scheduleOnSnapshot(pod, snapshot);
    if (result.outcome === 'Scheduled') snapshot.assume(pod, result.nodeName);
    return result;
  });
}

function defaultTopologyWithTaintedZoneC(): V1Node[] {
  return nodes.map(node =>
    node.metadata!.labels![ZONE] === 'local-1c'
      ? {
          ...node,
          spec: {
            ...node.spec,
            taints: [{ key: 'maintenance', effect: 'NoSchedule' }],
          },
        }
      : node,
  );
}

function zoneOf(nodeName: string): string {
  return nodes.find(n => n.metadata!.name === nodeName)!.metadata!.labels![
    ZONE
  ];
}

describe('schedulePod', () => {
  it('leaves pods with spec.nodeName and gated pods alone', () => {
    expect(
      schedulePod(makePod('p', { nodeName: 'node-b1-1' }), nodes, []),
    ).toEqual({
      outcome: 'AlreadyBound',
      nodeName: 'node-b1-1',
    });
    expect(
      schedulePod(
        makePod('p', { schedulingGates: [{ name: 'wait' }] }),
        nodes,
        [],
      ),
    ).toEqual({
      outcome: 'Gated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    });
  });

  it('is deterministic and prefers the least allocated node', () => {
    const busy = nodes
      .slice(0, 17)
      .map((n, i) =>
        bound(makePod(`busy-${i}`, requesting('1')), n.metadata!.name!),
      );
    const pod = makePod('web', requesting('500m'));
    expect(nodeOf(schedulePod(pod, nodes, busy))).toBe(
      nodes[17].metadata!.name,
    );
    expect(nodeOf(schedulePod(pod, nodes, busy))).toBe(
      nodes[17].metadata!.name,
    );
  });

  it('says so when there are no nodes', () => {
    expect(messageOf(schedulePod(makePod('p'), [], []))).toBe(
      'no nodes available to schedule pods',
    );
  });

  describe('node selection', () => {
    it('honours nodeSelector and reports nodes that do not match', () => {
      const result = schedulePod(
        makePod('p', { nodeSelector: { [ZONE]: 'local-1b' } }),
        nodes,
        [],
      );
      expect(zoneOf(nodeOf(result))).toBe('local-1b');
      expect(
        messageOf(
          schedulePod(
            makePod('p', { nodeSelector: { disktype: 'ssd' } }),
            nodes,
            [],
          ),
        ),
      ).toBe(
        "0/18 nodes are available: 18 node(s) didn't match Pod's node affinity/selector. preemption: 0/18 nodes are available: 18 Preemption is not helpful for scheduling.",
      );
    });

    it('evaluates required node affinity operators', () => {
      const labelled = buildNodes({
        region: 'r',
        zones: [
          {
            name: 'z',
            racks: [
              {
                name: 'r1',
                hosts: [
                  { name: 'n1', labels: { generation: '3', gpu: 'a100' } },
                  { name: 'n2', labels: { generation: '5' } },
                  { name: 'n3', labels: { generation: '7', gpu: 'h100' } },
                ],
              },
            ],
          },
        ],
      });
      const affinity = (expressions: object[]) =>
        makePod('p', {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: expressions as never }],
              },
            },
          },
        });
      const on = (expressions: object[]) =>
        schedulePod(affinity(expressions), labelled, []);
      expect(
        nodeOf(
          on([
            { key: 'generation', operator: 'Gt', values: ['4'] },
            { key: 'gpu', operator: 'DoesNotExist' },
          ]),
        ),
      ).toBe('n2');
      expect(
        nodeOf(on([{ key: 'generation', operator: 'Lt', values: ['4'] }])),
      ).toBe('n1');
      expect(
        nodeOf(
          on([
            { key: 'gpu', operator: 'NotIn', values: ['a100'] },
            { key: 'gpu', operator: 'Exists' },
          ]),
        ),
      ).toBe('n3');
      expect(
        nodeOf(on([{ key: 'gpu', operator: 'In', values: ['h100', 'x'] }])),
      ).toBe('n3');
      expect(
        messageOf(on([{ key: 'generation', operator: 'Gt', values: ['7'] }])),
      ).toBe(
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      );
    });

    it('pins a node with matchFields metadata.name', () => {
      const full = bound(makePod('full', requesting('7')), 'node-a1-1');
      const pinned = (cpu: string) =>
        makePod('p', {
          ...requesting(cpu),
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchFields: [
                      {
                        key: 'metadata.name',
                        operator: 'In',
                        values: ['node-a1-1'],
                      },
                    ],
                  },
                ],
              },
            },
          },
        });
      expect(nodeOf(schedulePod(pinned('100m'), nodes, [full]))).toBe(
        'node-a1-1',
      );
      expect(messageOf(schedulePod(pinned('1'), nodes, [full]))).toBe(
        "0/18 nodes are available: 1 Insufficient cpu, 17 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/18 nodes are available: 1 No preemption victims found for incoming pod, 17 Preemption is not helpful for scheduling.",
      );
    });

    it('rejects conflicting metadata.name terms before filtering', () => {
      const pod = makePod('p', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchFields: [
                    {
                      key: 'metadata.name',
                      operator: 'In',
                      values: ['node-a1-1'],
                    },
                    {
                      key: 'metadata.name',
                      operator: 'In',
                      values: ['node-a1-2'],
                    },
                  ],
                },
              ],
            },
          },
        },
      });
      expect(messageOf(schedulePod(pod, nodes, []))).toBe(
        '0/18 nodes are available: pod affinity terms conflict. preemption: 0/18 nodes are available: 18 Preemption is not helpful for scheduling.',
      );
    });

    it('follows preferred node affinity', () => {
      const pod = makePod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: {
                  matchExpressions: [
                    { key: ZONE, operator: 'In', values: ['local-1c'] },
                  ],
                },
              },
              {
                weight: 50,
                preference: {
                  matchExpressions: [
                    { key: RACK, operator: 'In', values: ['local-1c-r2'] },
                  ],
                },
              },
            ],
          },
        },
      });
      expect(nodeOf(schedulePod(pod, nodes, []))).toMatch(/^node-c2-/);
    });
  });

  describe('taints and unschedulable nodes', () => {
    const cluster = buildNodes({
      region: 'r',
      zones: [
        {
          name: 'z',
          racks: [
            {
              name: 'r1',
              hosts: [
                {
                  name: 'tainted',
                  taints: [
                    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
                  ],
                },
                { name: 'cordoned', unschedulable: true },
                { name: 'labelled', labels: { disk: 'hdd' } },
              ],
            },
          ],
        },
      ],
    });

    it('explains each rejected node', () => {
      const pod = makePod('p', { nodeSelector: { disk: 'ssd' } });
      expect(messageOf(schedulePod(pod, cluster, []))).toBe(
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      );
    });

    it('lets tolerations through', () => {
      const toGpu = makePod('p', {
        nodeSelector: { [HOST]: 'tainted' },
        tolerations: [
          {
            key: 'dedicated',
            operator: 'Equal',
            value: 'gpu',
            effect: 'NoSchedule',
          },
        ],
      });
      expect(nodeOf(schedulePod(toGpu, cluster, []))).toBe('tainted');
      const wrongValue = makePod('p', {
        nodeSelector: { [HOST]: 'tainted' },
        tolerations: [{ key: 'dedicated', value: 'cpu' }],
      });
      expect(messageOf(schedulePod(wrongValue, cluster, []))).toBe(
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      );
      const toCordoned = makePod('p', {
        nodeSelector: { [HOST]: 'cordoned' },
        tolerations: [
          {
            key: 'node.kubernetes.io/unschedulable',
            operator: 'Exists',
            effect: 'NoSchedule',
          },
        ],
      });
      expect(nodeOf(schedulePod(toCordoned, cluster, []))).toBe('cordoned');
    });

    it('avoids PreferNoSchedule taints when it can', () => {
      const soft = buildNodes({
        region: 'r',
        zones: [
          {
            name: 'z',
            racks: [
              {
                name: 'r',
                hosts: [
                  {
                    name: 'a',
                    taints: [{ key: 'spot', effect: 'PreferNoSchedule' }],
                  },
                  { name: 'b' },
                ],
              },
            ],
          },
        ],
      });
      expect(nodeOf(schedulePod(makePod('p'), soft, []))).toBe('b');
      const tolerant = makePod('p', {
        tolerations: [{ key: 'spot', operator: 'Exists' }],
      });
      expect(nodeOf(schedulePod(tolerant, soft, []))).toBe('a');
    });
  });

  describe('resource fit', () => {
    it('counts requests against allocatable, with the init container peak and overhead', () => {
      const pod = makePod('p', {
        initContainers: [
          { name: 'init', image: 'x', resources: { requests: { cpu: '7' } } },
        ],
        containers: [
          { name: 'main', image: 'x', resources: { requests: { cpu: '1' } } },
        ],
        overhead: { cpu: '801m' },
      });
      // max(7, 1) + 801m = 7801m > 7800m allocatable.
      expect(messageOf(schedulePod(pod, nodes, []))).toBe(
        '0/18 nodes are available: 18 Insufficient cpu. preemption: 0/18 nodes are available: 18 Preemption is not helpful for scheduling.',
      );
      pod.spec!.overhead = { cpu: '800m' };
      expect(schedulePod(pod, nodes, []).outcome).toBe('Scheduled');
    });

    it('reports every short resource on a full node', () => {
      const filler = nodes.map((n, i) =>
        bound(
          makePod(`fill-${i}`, {
            containers: [
              {
                name: 'c',
                image: 'x',
                resources: { requests: { cpu: '7', memory: '30Gi' } },
              },
            ],
          }),
          n.metadata!.name!,
        ),
      );
      const pod = makePod('p', {
        containers: [
          {
            name: 'c',
            image: 'x',
            resources: { limits: { cpu: '1', memory: '2Gi' } },
          },
        ],
      });
      expect(messageOf(schedulePod(pod, nodes, filler))).toBe(
        '0/18 nodes are available: 18 Insufficient cpu, 18 Insufficient memory. preemption: 0/18 nodes are available: 18 No preemption victims found for incoming pod.',
      );
    });

    it('checks extended resources and the pod count', () => {
      const gpuPod = makePod('p', {
        containers: [
          {
            name: 'c',
            image: 'x',
            resources: { limits: { 'example.com/gpu': '1' } },
          },
        ],
      });
      expect(messageOf(schedulePod(gpuPod, nodes, []))).toBe(
        '0/18 nodes are available: 18 Insufficient example.com/gpu. preemption: 0/18 nodes are available: 18 Preemption is not helpful for scheduling.',
      );
      const tiny = buildNodes({
        region: 'r',
        zones: [
          {
            name: 'z',
            racks: [
              {
                name: 'r',
                hosts: [
                  {
                    name: 'n',
                    capacity: {
                      cpu: '1',
                      memory: '1Gi',
                      pods: '1',
                      'ephemeral-storage': '1Gi',
                    },
                  },
                ],
              },
            ],
          },
        ],
      });
      expect(
        messageOf(schedulePod(makePod('p'), tiny, [bound(makePod('q'), 'n')])),
      ).toBe(
        '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      );
    });

    it('combines reasons across nodes, sorted as kube-scheduler sorts them', () => {
      const zoneA = nodes.filter(n => zoneOf(n.metadata!.name!) === 'local-1a');
      const existing = zoneA.map((n, i) =>
        bound(makePod(`a-${i}`, requesting('4')), n.metadata!.name!),
      );
      const pod = makePod(
        'p',
        requesting('4', { nodeSelector: { [ZONE]: 'local-1a' } }),
      );
      expect(messageOf(schedulePod(pod, nodes, existing))).toBe(
        "0/18 nodes are available: 12 node(s) didn't match Pod's node affinity/selector, 6 Insufficient cpu. preemption: 0/18 nodes are available: 12 Preemption is not helpful for scheduling, 6 No preemption victims found for incoming pod.",
      );
    });

    it('ignores finished pods', () => {
      const done = {
        ...bound(makePod('done', requesting('7800m')), 'node-a1-1'),
        status: { phase: 'Succeeded' },
      };
      const pod = makePod(
        'p',
        requesting('7800m', { nodeSelector: { [HOST]: 'node-a1-1' } }),
      );
      expect(nodeOf(schedulePod(pod, nodes, [done]))).toBe('node-a1-1');
    });
  });

  describe('preemption', () => {
    it('nominates a node and the fewest lowest-priority victims', () => {
      const existing = nodes.flatMap((n, i) => [
        bound(
          makePod(`low-${i}`, requesting('3', { priority: 10 })),
          n.metadata!.name!,
        ),
        bound(
          makePod(
            `mid-${i}`,
            requesting('4', { priority: i === 4 ? 50 : 100 }),
          ),
          n.metadata!.name!,
        ),
      ]);
      const pod = makePod('urgent', requesting('4', { priority: 1000 }));
      const result = schedulePod(pod, nodes, existing);
      expect(result).toMatchObject({
        outcome: 'Unschedulable',
        message: '0/18 nodes are available: 18 Insufficient cpu.',
        preemption: { nodeName: 'node-a2-2' },
      });
      const victims =
        result.outcome === 'Unschedulable' ? result.preemption?.victims : [];
      expect(victims?.map(v => v.metadata!.name)).toEqual(['mid-4']);
    });

    it('does not preempt with preemptionPolicy Never', () => {
      const existing = nodes.map((n, i) =>
        bound(
          makePod(`low-${i}`, requesting('7', { priority: 0 })),
          n.metadata!.name!,
        ),
      );
      const pod = makePod(
        'p',
        requesting('1', { priority: 100, preemptionPolicy: 'Never' }),
      );
      expect(messageOf(schedulePod(pod, nodes, existing))).toBe(
        '0/18 nodes are available: 18 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
      );
    });
  });

  describe('inter-pod affinity', () => {
    const antiAffinity = (app: string, topologyKey = HOST) => ({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey, labelSelector: { matchLabels: { app } } },
        ],
      },
    });

    it('puts replicas with hostname anti-affinity on distinct hosts, then reports', () => {
      const replicas = Array.from({ length: 19 }, (_, i) =>
        makePod(
          `web-${i}`,
          { affinity: antiAffinity('web') },
          { labels: { app: 'web' } },
        ),
      );
      const results = scheduleAll(replicas);
      const placed = results.slice(0, 18).map(nodeOf);
      expect(new Set(placed).size).toBe(18);
      expect(messageOf(results[18])).toBe(
        "0/18 nodes are available: 18 node(s) didn't match pod anti-affinity rules. preemption: 0/18 nodes are available: 18 No preemption victims found for incoming pod.",
      );
    });

    it('keeps pods off nodes whose pods repel them', () => {
      const guard = bound(
        makePod(
          'guard',
          { affinity: antiAffinity('web', ZONE) },
          { labels: { app: 'guard' } },
        ),
        'node-a1-1',
      );
      const results = scheduleAll(
        Array.from({ length: 12 }, (_, i) =>
          makePod(`web-${i}`, {}, { labels: { app: 'web' } }),
        ),
        nodes,
        [guard],
      );
      expect(results.map(r => zoneOf(nodeOf(r)))).not.toContain('local-1a');
      const pinned = makePod(
        'w',
        { nodeSelector: { [ZONE]: 'local-1a' } },
        { labels: { app: 'web' } },
      );
      expect(messageOf(schedulePod(pinned, nodes, [guard]))).toBe(
        "0/18 nodes are available: 12 node(s) didn't match Pod's node affinity/selector, 6 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/18 nodes are available: 12 Preemption is not helpful for scheduling, 6 No preemption victims found for incoming pod.",
      );
    });

    it('co-locates with required pod affinity, and lets the first of a group start', () => {
      const affinity = {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              topologyKey: RACK,
              labelSelector: { matchLabels: { app: 'db' } },
            },
          ],
        },
      };
      const db = bound(
        makePod('db', {}, { labels: { app: 'db' } }),
        'node-b2-3',
      );
      const client = makePod('client', { affinity });
      expect(nodeOf(schedulePod(client, nodes, [db]))).toMatch(/^node-b2-/);
      expect(messageOf(schedulePod(client, nodes, []))).toBe(
        "0/18 nodes are available: 18 node(s) didn't match pod affinity rules. preemption: 0/18 nodes are available: 18 Preemption is not helpful for scheduling.",
      );
      const firstDb = makePod('db-0', { affinity }, { labels: { app: 'db' } });
      expect(schedulePod(firstDb, nodes, []).outcome).toBe('Scheduled');
    });

    it('selects namespaces by name and by namespaceSelector', () => {
      const other = bound(
        makePod('cache', {}, { labels: { app: 'cache' }, namespace: 'team-b' }),
        'node-c1-2',
      );
      const term = (extra: object) =>
        makePod('p', {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  topologyKey: HOST,
                  labelSelector: { matchLabels: { app: 'cache' } },
                  ...extra,
                },
              ],
            },
          },
        });
      expect(schedulePod(term({}), nodes, [other]).outcome).toBe(
        'Unschedulable',
      );
      expect(
        nodeOf(schedulePod(term({ namespaces: ['team-b'] }), nodes, [other])),
      ).toBe('node-c1-2');
      const namespaceLabels = { 'team-b': { team: 'b' }, default: {} };
      const bySelector = term({
        namespaceSelector: { matchLabels: { team: 'b' } },
      });
      expect(
        nodeOf(schedulePod(bySelector, nodes, [other], { namespaceLabels })),
      ).toBe('node-c1-2');
      const all = term({ namespaceSelector: {} });
      expect(
        nodeOf(schedulePod(all, nodes, [other], { namespaceLabels })),
      ).toBe('node-c1-2');
    });

    it('follows preferred affinity towards existing pods', () => {
      const cache = bound(
        makePod('cache', {}, { labels: { app: 'cache' } }),
        'node-b2-2',
      );
      const pod = makePod('p', {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 80,
                podAffinityTerm: {
                  topologyKey: HOST,
                  labelSelector: { matchLabels: { app: 'cache' } },
                },
              },
            ],
          },
        },
      });
      expect(nodeOf(schedulePod(pod, nodes, [cache]))).toBe('node-b2-2');
    });

    it('follows preferred anti-affinity', () => {
      const preferred = {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: ZONE,
                labelSelector: { matchLabels: { app: 'api' } },
              },
            },
          ],
        },
      };
      const results = scheduleAll(
        Array.from({ length: 3 }, (_, i) =>
          makePod(
            `api-${i}`,
            { affinity: preferred },
            { labels: { app: 'api' } },
          ),
        ),
      );
      expect(new Set(results.map(r => zoneOf(nodeOf(r)))).size).toBe(3);
    });
  });

  describe('topology spread constraints', () => {
    const spread = (extra: object = {}) => ({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: ZONE,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'spread' } },
          ...extra,
        },
      ],
    });

    it('spreads replicas evenly over zones', () => {
      const results = scheduleAll(
        Array.from({ length: 6 }, (_, i) =>
          makePod(`s-${i}`, spread(), { labels: { app: 'spread' } }),
        ),
      );
      const perZone = new Map<string, number>();
      for (const r of results)
        perZone.set(
          zoneOf(nodeOf(r)),
          (perZone.get(zoneOf(nodeOf(r))) ?? 0) + 1,
        );
      expect([...perZone.values()]).toEqual([2, 2, 2]);
    });

    it('rejects nodes that would exceed maxSkew', () => {
      const existing = ['node-a1-1', 'node-a1-2'].map((n, i) =>
        bound(makePod(`e-${i}`, {}, { labels: { app: 'spread' } }), n),
      );
      const honouring = makePod(
        'p',
        { ...spread(), nodeSelector: { [ZONE]: 'local-1a' } },
        { labels: { app: 'spread' } },
      );
      // nodeAffinityPolicy Honor: only zone a counts, so the skew is within bounds.
      expect(zoneOf(nodeOf(schedulePod(honouring, nodes, existing)))).toBe(
        'local-1a',
      );
      const ignoring = makePod(
        'p',
        {
          ...spread({ nodeAffinityPolicy: 'Ignore' }),
          nodeSelector: { [ZONE]: 'local-1a' },
        },
        { labels: { app: 'spread' } },
      );
      expect(messageOf(schedulePod(ignoring, nodes, existing))).toBe(
        "0/18 nodes are available: 12 node(s) didn't match Pod's node affinity/selector, 6 node(s) didn't match pod topology spread constraints. preemption: 0/18 nodes are available: 12 Preemption is not helpful for scheduling, 6 No preemption victims found for incoming pod.",
      );
    });

    it('treats the global minimum as 0 below minDomains', () => {
      const existing = [
        bound(makePod('e', {}, { labels: { app: 'spread' } }), 'node-a1-1'),
      ];
      const pod = makePod(
        'p',
        {
          ...spread({ minDomains: 4, maxSkew: 1 }),
          nodeSelector: { [ZONE]: 'local-1a' },
        },
        { labels: { app: 'spread' } },
      );
      expect(messageOf(schedulePod(pod, nodes, existing))).toMatch(
        /6 node\(s\) didn't match pod topology spread constraints/,
      );
    });

    it('uses matchLabelKeys to spread each revision on its own', () => {
      const existing = ['node-b1-1', 'node-c1-1'].map((n, i) =>
        bound(
          makePod(`old-${i}`, {}, { labels: { app: 'spread', rev: '1' } }),
          n,
        ),
      );
      const pod = makePod('p', spread({ matchLabelKeys: ['rev'] }), {
        labels: { app: 'spread', rev: '2' },
      });
      const placed = scheduleAll(
        [
          pod,
          makePod('q', spread({ matchLabelKeys: ['rev'] }), {
            labels: { app: 'spread', rev: '2' },
          }),
        ],
        nodes,
        existing,
      );
      expect(placed.map(r => zoneOf(nodeOf(r))).sort()).toEqual([
        'local-1a',
        'local-1b',
      ]);
    });

    it('reports nodes without the topology key as missing the label', () => {
      const unlabelled = nodes.slice(0, 2).map(n => ({
        ...n,
        metadata: { ...n.metadata, labels: { [HOST]: n.metadata!.name! } },
      }));
      const pod = makePod('p', spread(), { labels: { app: 'spread' } });
      expect(messageOf(schedulePod(pod, unlabelled, []))).toBe(
        "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      );
    });

    it('counts tainted domains unless nodeTaintsPolicy is Honor', () => {
      const spec = defaultTopologyWithTaintedZoneC();
      const existing = ['node-a1-1', 'node-b1-1'].map((n, i) =>
        bound(makePod(`e-${i}`, {}, { labels: { app: 'spread' } }), n),
      );
      const ignoring = makePod('p', spread(), { labels: { app: 'spread' } });
      expect(messageOf(schedulePod(ignoring, spec, existing))).toBe(
        "0/18 nodes are available: 12 node(s) didn't match pod topology spread constraints, 6 node(s) had untolerated taint {maintenance: }. preemption: 0/18 nodes are available: 12 No preemption victims found for incoming pod, 6 Preemption is not helpful for scheduling.",
      );
      const honouring = makePod('p', spread({ nodeTaintsPolicy: 'Honor' }), {
        labels: { app: 'spread' },
      });
      expect(['local-1a', 'local-1b']).toContain(
        zoneOf(nodeOf(schedulePod(honouring, spec, existing))),
      );
    });

    it('prefers, but does not require, balance with ScheduleAnyway', () => {
      const existing = nodes
        .filter(n => zoneOf(n.metadata!.name!) !== 'local-1c')
        .map((n, i) =>
          bound(
            makePod(`e-${i}`, {}, { labels: { app: 'soft' } }),
            n.metadata!.name!,
          ),
        );
      const soft = {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: ZONE,
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { app: 'soft' } },
          },
        ],
      };
      expect(
        zoneOf(
          nodeOf(
            schedulePod(
              makePod('p', soft, { labels: { app: 'soft' } }),
              nodes,
              existing,
            ),
          ),
        ),
      ).toBe('local-1c');
      const onlyA = makePod(
        'p',
        { ...soft, nodeSelector: { [ZONE]: 'local-1a' } },
        { labels: { app: 'soft' } },
      );
      expect(zoneOf(nodeOf(schedulePod(onlyA, nodes, existing)))).toBe(
        'local-1a',
      );
    });

    it('spreads ReplicaSet replicas over zones and hosts by default', () => {
      const owner = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-abc',
        uid: 'rs-1',
        controller: true,
      };
      const results = scheduleAll(
        Array.from({ length: 6 }, (_, i) =>
          makePod(`web-abc-${i}`, {}, { ownerReferences: [owner] }),
        ),
      );
      const placed = results.map(nodeOf);
      expect(new Set(placed).size).toBe(6);
      expect(placed.map(zoneOf).sort()).toEqual([
        'local-1a',
        'local-1a',
        'local-1b',
        'local-1b',
        'local-1c',
        'local-1c',
      ]);
    });
  });
});

describe('scheduler outputs', () => {
  const pod = makePod('web');
  const now = new Date('2026-01-01T00:00:00Z');

  it('builds the binding and the Scheduled event', () => {
    expect(bindingFor(pod, 'node-a1-1')).toEqual({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web', namespace: 'default', uid: pod.metadata!.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-a1-1' },
    });
    expect(
      schedulingEvent(
        pod,
        { outcome: 'Scheduled', nodeName: 'node-a1-1' },
        now,
      ),
    ).toMatchObject({
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to node-a1-1',
      reportingComponent: 'default-scheduler',
      involvedObject: { kind: 'Pod', name: 'web' },
    });
  });

  it('builds the FailedScheduling event and PodScheduled condition', () => {
    const result = schedulePod(makePod('big', requesting('100')), nodes, []);
    if (result.outcome !== 'Unschedulable')
      throw new Error('expected Unschedulable');
    expect(schedulingEvent(pod, result, now)).toMatchObject({
      type: 'Warning',
      reason: 'FailedScheduling',
      message: result.message,
    });
    expect(unschedulableCondition(result, now)).toEqual({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: result.message,
      lastTransitionTime: now,
    });
    expect(
      schedulingEvent(pod, { outcome: 'AlreadyBound', nodeName: 'x' }),
    ).toBeUndefined();
  });
});

describe('SchedulingSnapshot kept up to date', () => {
  const nonZero = (amounts: Record<string, number>) =>
    Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== 0));
  const summary = (snapshot: SchedulingSnapshot) =>
    snapshot.nodes.map(info => ({
      name: info.name,
      pods: info.pods.map(p => p.pod.metadata!.uid).sort(),
      requested: nonZero(info.requested),
      nonZeroRequested: nonZero(info.nonZeroRequested),
      allocatable: info.allocatable,
    }));
  // As the store gives them: with a resourceVersion, so they are cached.
  const stored = <T extends V1Pod | V1Node>(object: T, rv: number): T => ({
    ...object,
    metadata: { ...object.metadata, resourceVersion: String(rv) },
  });
  const storedNodes = nodes.map((n, i) => stored(n, i + 1));

  it('stays equal to one rebuilt from scratch after binds and deletes (PodInfo and allocatable cached per object)', () => {
    const kept = SchedulingSnapshot.build(storedNodes, []);
    const boundPods = new Map<string, V1Pod>();
    for (let i = 0; i < 60; i++) {
      const pod = makePod(
        `p${i}`,
        requesting(`${(i % 5) + 1}00m`, {
          containers: [
            {
              name: 'main',
              image: 'busybox',
              resources: {
                requests: { cpu: `${(i % 5) + 1}00m`, memory: '16Mi' },
              },
            },
          ],
        }),
      );
      const result = scheduleOnSnapshot(pod, kept);
      const b = stored(bound(pod, nodeOf(result)), 100 + i);
      kept.assume(b, nodeOf(result));
      boundPods.set(b.metadata!.uid!, b);
      if (i % 3 === 2) {
        const victim = [...boundPods.values()][i % boundPods.size];
        kept.forget(victim);
        boundPods.delete(victim.metadata!.uid!);
      }
      expect(summary(kept)).toEqual(
        summary(SchedulingSnapshot.build(storedNodes, [...boundPods.values()])),
      );
    }
    // Building again from the same objects (cached PodInfo) gives the same.
    expect(
      summary(SchedulingSnapshot.build(storedNodes, [...boundPods.values()])),
    ).toEqual(summary(kept));
    // A snapshot's amounts are its own: building one does not change another.
    const before = summary(kept);
    const other = SchedulingSnapshot.build(storedNodes, [
      ...boundPods.values(),
    ]);
    const first = nodes[0].metadata!.name!;
    other.assume(bound(makePod('extra', requesting('1')), first), first);
    expect(summary(kept)).toEqual(before);
  });
});

describe('SchedulingSnapshot.setPod', () => {
  it('keeps a snapshot equal to one built from the store after any sequence of binds, status writes, moves and deletes (pods in key order)', () => {
    const storedNodes = nodes.map((n, i) => ({
      ...n,
      metadata: { ...n.metadata, resourceVersion: String(i + 1) },
    }));
    const names = storedNodes.map(n => n.metadata!.name!);
    const summary = (snapshot: SchedulingSnapshot) =>
      snapshot.nodes.map(info => ({
        name: info.name,
        pods: info.pods.map(p => p.pod),
        requested: Object.fromEntries(
          Object.entries(info.requested).filter(([, v]) => v !== 0),
        ),
        nonZeroRequested: Object.fromEntries(
          Object.entries(info.nonZeroRequested).filter(([, v]) => v !== 0),
        ),
      }));
    // The store: pods by key, listed in key order.
    const store = new Map<string, V1Pod>();
    const listed = () =>
      [...store.keys()].sort().map(key => store.get(key)!) as V1Pod[];
    const kept = SchedulingSnapshot.build(storedNodes, []);
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    let rv = 100;
    for (let i = 0; i < 400; i++) {
      const name = `p${next() % 40}`;
      const key = `default/${name}`;
      const existing = store.get(key);
      const op = next() % 4;
      if (existing && op === 0) {
        store.delete(key);
        kept.setPod(existing, true);
      } else {
        const base =
          existing ??
          makePod(name, requesting(`${(next() % 4) + 1}00m`), {
            uid: `uid-${name}-${i}`,
          });
        const phase = ['Running', 'Pending', 'Succeeded'][next() % 3];
        const nodeName =
          op === 1 && existing?.spec?.nodeName
            ? existing.spec.nodeName
            : names[next() % names.length];
        const pod: V1Pod = {
          ...base,
          metadata: { ...base.metadata, resourceVersion: String(++rv) },
          spec: { ...base.spec!, nodeName: op === 3 ? undefined : nodeName },
          status: { phase },
        };
        store.set(key, pod);
        kept.setPod(pod);
      }
      expect(summary(kept)).toEqual(
        summary(SchedulingSnapshot.build(storedNodes, listed())),
      );
      expect(kept.podsWithAffinityTerms).toBe(0);
    }
  });
});
