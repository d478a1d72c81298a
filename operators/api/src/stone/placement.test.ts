import { placementAffinity } from './placement';

const coordinate = { zone: 'local-1a', rack: 'local-1a-r2', host: 'node-a2-1' };

describe('placementAffinity', () => {
  it('requires the zone and prefers the host, then the rack', () => {
    expect(
      placementAffinity(coordinate, 'topology.cairn.dev/rack', undefined),
    ).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: 'topology.kubernetes.io/zone',
                  operator: 'In',
                  values: ['local-1a'],
                },
              ],
            },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            preference: {
              matchExpressions: [
                {
                  key: 'kubernetes.io/hostname',
                  operator: 'In',
                  values: ['node-a2-1'],
                },
              ],
            },
          },
          {
            weight: 50,
            preference: {
              matchExpressions: [
                {
                  key: 'topology.cairn.dev/rack',
                  operator: 'In',
                  values: ['local-1a-r2'],
                },
              ],
            },
          },
        ],
      },
    });
  });

  it('uses the configured rack label and leaves out what the coordinate omits', () => {
    const affinity = placementAffinity(
      { zone: 'z', rack: 'r7' },
      'example.com/rack',
      undefined,
    );
    expect(
      affinity.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution,
    ).toEqual([
      {
        weight: 50,
        preference: {
          matchExpressions: [
            { key: 'example.com/rack', operator: 'In', values: ['r7'] },
          ],
        },
      },
    ]);
    expect(
      placementAffinity({ zone: 'z' }, 'example.com/rack', undefined)
        .nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution,
    ).toEqual([]);
  });

  it("merges the user's affinity: the zone ANDed into each required term, preferences kept, pod affinity untouched", () => {
    const podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: {} },
      ],
    };
    const userPreference = {
      weight: 10,
      preference: {
        matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }],
      },
    };
    const affinity = placementAffinity(coordinate, 'topology.cairn.dev/rack', {
      podAntiAffinity,
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
            {
              matchFields: [
                { key: 'metadata.name', operator: 'In', values: ['n1'] },
              ],
            },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [userPreference],
      },
    });
    const zone = {
      key: 'topology.kubernetes.io/zone',
      operator: 'In',
      values: ['local-1a'],
    };
    expect(affinity.podAntiAffinity).toBe(podAntiAffinity);
    expect(
      affinity.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution,
    ).toEqual({
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'gpu', operator: 'Exists' }, zone] },
        {
          matchFields: [
            { key: 'metadata.name', operator: 'In', values: ['n1'] },
          ],
          matchExpressions: [zone],
        },
      ],
    });
    const preferred =
      affinity.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution!;
    expect(preferred[0]).toBe(userPreference);
    expect(preferred).toHaveLength(3);
  });
});
