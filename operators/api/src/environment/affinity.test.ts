import type { V1Pod } from '@kubernetes/client-node';
import {
  andNodeSelectorTerms,
  environmentPodPatch,
  placementAffinityPatch,
  placementNodeSelectorTerms,
} from './affinity';
import { DEFAULT_TOPOLOGY_LABELS } from './constants';
import type { Environment } from './types';

const KEYS = DEFAULT_TOPOLOGY_LABELS;
const ZONE = 'topology.kubernetes.io/zone';
const RACK = 'topology.cairn.dev/rack';
const HOST = 'kubernetes.io/hostname';

const zones = (...values: string[]) => ({
  matchExpressions: [{ key: ZONE, operator: 'In', values }],
});
const racks = (...values: string[]) => ({
  matchExpressions: [{ key: RACK, operator: 'In', values }],
});
const pod = (spec: V1Pod['spec'] = { containers: [] }): V1Pod => ({
  metadata: { name: 'web' },
  spec,
});

/** Applies the add/replace operations the function emits, as the API server would. */
function apply(
  target: V1Pod,
  patch: ReturnType<typeof placementAffinityPatch>,
) {
  const copy = JSON.parse(JSON.stringify(target));
  for (const op of patch) {
    if (op.op !== 'add' && op.op !== 'replace') throw new Error(op.op);
    const parts = op.path.split('/').slice(1);
    const last = parts.pop()!;
    const parent = parts.reduce((o, k) => o[k], copy);
    expect(op.op === 'add' ? !(last in parent) : last in parent).toBe(true);
    parent[last] = op.value;
  }
  return copy as V1Pod;
}

describe('placementNodeSelectorTerms', () => {
  it('is one term per topology label listed, ORed, values sorted', () => {
    expect(
      placementNodeSelectorTerms(
        { zones: ['z2', 'z1'], racks: ['r2'], hosts: ['h1'] },
        KEYS,
      ),
    ).toEqual([
      zones('z1', 'z2'),
      racks('r2'),
      { matchExpressions: [{ key: HOST, operator: 'In', values: ['h1'] }] },
    ]);
  });

  it('is nothing for an empty or absent placement', () => {
    expect(placementNodeSelectorTerms(undefined, KEYS)).toEqual([]);
    expect(
      placementNodeSelectorTerms({ zones: [], racks: [], hosts: [] }, KEYS),
    ).toEqual([]);
  });

  it('uses the configured label keys', () => {
    expect(
      placementNodeSelectorTerms(
        { racks: ['r1'] },
        { ...KEYS, rack: 'nuwa.kubernetes.io/rack' },
      ),
    ).toEqual([
      {
        matchExpressions: [
          { key: 'nuwa.kubernetes.io/rack', operator: 'In', values: ['r1'] },
        ],
      },
    ]);
  });
});

describe('andNodeSelectorTerms', () => {
  it('adds the placement to every existing term (a cross product for several)', () => {
    const gpu = {
      matchExpressions: [{ key: 'gpu', operator: 'Exists' }],
      matchFields: [
        { key: 'metadata.name', operator: 'NotIn', values: ['n9'] },
      ],
    };
    const ssd = { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] };
    expect(andNodeSelectorTerms([gpu, ssd], [zones('a'), racks('r2')])).toEqual(
      [
        {
          ...gpu,
          matchExpressions: [
            ...gpu.matchExpressions,
            ...zones('a').matchExpressions,
          ],
        },
        {
          ...gpu,
          matchExpressions: [
            ...gpu.matchExpressions,
            ...racks('r2').matchExpressions,
          ],
        },
        {
          matchExpressions: [
            ...ssd.matchExpressions,
            ...zones('a').matchExpressions,
          ],
        },
        {
          matchExpressions: [
            ...ssd.matchExpressions,
            ...racks('r2').matchExpressions,
          ],
        },
      ],
    );
  });

  it('adds expressions to a term of fields only', () => {
    const fields = {
      matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }],
    };
    expect(andNodeSelectorTerms([fields], [zones('a')])).toEqual([
      { ...fields, matchExpressions: zones('a').matchExpressions },
    ]);
  });

  it('keeps an empty term empty: it matches no node, and must not be widened', () => {
    expect(andNodeSelectorTerms([{}], [zones('a')])).toEqual([{}]);
  });

  it('is the placement alone when the pod has no terms', () => {
    expect(andNodeSelectorTerms(undefined, [zones('a')])).toEqual([zones('a')]);
    expect(andNodeSelectorTerms([], [zones('a')])).toEqual([zones('a')]);
  });

  it('leaves a term that already holds a placement term', () => {
    const placed = {
      matchExpressions: [
        { key: 'gpu', operator: 'Exists' },
        ...zones('a').matchExpressions,
      ],
    };
    expect(andNodeSelectorTerms([placed], [zones('a'), racks('r')])).toEqual([
      placed,
    ]);
  });
});

describe('placementAffinityPatch', () => {
  it('adds the whole affinity to a pod without one', () => {
    const patch = placementAffinityPatch(pod(), [zones('a')]);
    expect(patch).toEqual([
      {
        op: 'add',
        path: '/spec/affinity',
        value: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [zones('a')],
            },
          },
        },
      },
    ]);
    expect(apply(pod(), patch).spec!.affinity).toEqual(
      (patch[0] as { value: unknown }).value,
    );
  });

  it('keeps pod affinity and preferred node affinity', () => {
    const podAffinity = { podAffinityTerm: [] } as any;
    const preferred = [{ weight: 1, preference: racks('r1') }];
    const withPodAffinity = pod({ containers: [], affinity: { podAffinity } });
    const withPreferred = pod({
      containers: [],
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: preferred,
        },
      },
    });
    expect(
      apply(
        withPodAffinity,
        placementAffinityPatch(withPodAffinity, [zones('a')]),
      ).spec!.affinity,
    ).toEqual({
      podAffinity,
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [zones('a')],
        },
      },
    });
    expect(
      apply(withPreferred, placementAffinityPatch(withPreferred, [zones('a')]))
        .spec!.affinity,
    ).toEqual({
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [zones('a')],
        },
      },
    });
  });

  it('replaces existing required terms with their AND with the placement', () => {
    const required = pod({
      containers: [],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [racks('r1'), racks('r7')],
          },
        },
      },
    });
    const patch = placementAffinityPatch(required, [zones('a')]);
    expect(patch).toEqual([
      {
        op: 'replace',
        path: '/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms',
        value: [
          {
            matchExpressions: [
              ...racks('r1').matchExpressions,
              ...zones('a').matchExpressions,
            ],
          },
          {
            matchExpressions: [
              ...racks('r7').matchExpressions,
              ...zones('a').matchExpressions,
            ],
          },
        ],
      },
    ]);
  });

  it('patches nothing the second time (reinvocation)', () => {
    const once = apply(
      pod(),
      placementAffinityPatch(pod(), [zones('a'), racks('r')]),
    );
    expect(placementAffinityPatch(once, [zones('a'), racks('r')])).toEqual([]);
    const merged = pod({
      containers: [],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [racks('r1')],
          },
        },
      },
    });
    const twice = apply(merged, placementAffinityPatch(merged, [zones('a')]));
    expect(placementAffinityPatch(twice, [zones('a')])).toEqual([]);
  });

  it('patches nothing for an unbound placement', () => {
    expect(placementAffinityPatch(pod(), [])).toEqual([]);
  });
});

describe('environmentPodPatch', () => {
  const environment: Environment = {
    metadata: { name: 'shop-prod' },
    spec: {
      namespace: 'shop',
      owner: 'group:default/team-storefront',
      placement: { zones: ['a'] },
    },
  };
  const namespaceObject = {
    metadata: {
      name: 'shop',
      labels: { 'tenancy.cairn.dev/environment': 'shop-prod' },
    },
  };
  const input = {
    pod: pod(),
    namespace: 'shop',
    namespaceObject,
    environment: (name: string) =>
      name === 'shop-prod' ? environment : undefined,
    keys: KEYS,
  };

  it("adds the placement of the namespace's Environment", () => {
    expect(environmentPodPatch(input)).toEqual(
      placementAffinityPatch(pod(), [zones('a')]),
    );
  });

  it('admits unchanged outside an Environment', () => {
    expect(
      environmentPodPatch({ ...input, namespaceObject: { metadata: {} } }),
    ).toEqual([]);
    expect(
      environmentPodPatch({ ...input, namespaceObject: undefined }),
    ).toEqual([]);
    expect(
      environmentPodPatch({ ...input, environment: () => undefined }),
    ).toEqual([]);
  });

  it('ignores a label naming an Environment of another namespace', () => {
    expect(environmentPodPatch({ ...input, namespace: 'other' })).toEqual([]);
  });

  it('releases the nodes of an Environment being deleted', () => {
    const deleting = {
      ...environment,
      metadata: { ...environment.metadata, deletionTimestamp: new Date() },
    };
    expect(
      environmentPodPatch({ ...input, environment: () => deleting }),
    ).toEqual([]);
  });
});
