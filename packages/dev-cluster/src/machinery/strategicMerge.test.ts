import {
  acceptedPatchTypes,
  jsonMergePatch,
  PatchError,
  strategicMergePatch,
  supportsStrategicMergePatch,
} from './strategicMerge';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    labels: { app: 'web', tier: 'frontend' },
    finalizers: ['a.cairn.dev/x', 'b.cairn.dev/y'],
  },
  spec: {
    replicas: 2,
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    },
  },
});

const smp = (original: object, patch: unknown) =>
  strategicMergePatch(original, patch, 'apps', 'Deployment') as any;

describe('strategicMergePatch', () => {
  it('applies `kubectl set image`: merges the container by name, keeps order', () => {
    const result = smp(deployment(), {
      spec: {
        template: {
          spec: { containers: [{ image: 'nginx:1.26', name: 'nginx' }] },
        },
      },
    });
    const containers = result.spec.template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['nginx', 'sidecar']);
    expect(containers[0]).toEqual({
      ...deployment().spec.template.spec.containers[0],
      image: 'nginx:1.26',
    });
  });

  it('applies the exact patches of kubectl set image, rollout restart and rollout pause', () => {
    const setImage = smp(deployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [
              { name: 'nginx' },
              { name: 'sidecar' },
            ],
            containers: [{ image: 'nginx:1.27', name: 'nginx' }],
          },
        },
      },
    });
    expect(
      setImage.spec.template.spec.containers.map((c: any) => [c.name, c.image]),
    ).toEqual([
      ['nginx', 'nginx:1.27'],
      ['sidecar', 'busybox'],
    ]);
    const restarted = smp(deployment(), {
      spec: {
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/restartedAt': '2026-11-25T00:00:00Z',
            },
          },
        },
      },
    });
    expect(restarted.spec.template.metadata).toEqual({
      labels: { app: 'web' },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': '2026-11-25T00:00:00Z',
      },
    });
    expect(smp(deployment(), { spec: { paused: true } }).spec.paused).toBe(
      true,
    );
  });

  it('does not mutate its inputs', () => {
    const original = deployment();
    const patch = { metadata: { labels: { tier: null } } };
    smp(original, patch);
    expect(original).toEqual(deployment());
    expect(patch).toEqual({ metadata: { labels: { tier: null } } });
  });

  it('merges maps and deletes keys set to null (kubectl label x-)', () => {
    const result = smp(deployment(), {
      metadata: { labels: { tier: null, env: 'prod' } },
    });
    expect(result.metadata.labels).toEqual({ app: 'web', env: 'prod' });
  });

  it('puts a new merge-list item before the live ones, as the Go merge does', () => {
    const result = smp(deployment(), {
      spec: {
        template: {
          spec: { containers: [{ name: 'debug', image: 'alpine' }] },
        },
      },
    });
    expect(
      result.spec.template.spec.containers.map((c: any) => c.name),
    ).toEqual(['debug', 'nginx', 'sidecar']);
  });

  it('applies a client-side `kubectl apply` patch with $setElementOrder and deletions', () => {
    const result = smp(deployment(), {
      metadata: {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}\n',
        },
      },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'B' }, { name: 'C' }],
                env: [
                  { name: 'C', value: '3' },
                  { $patch: 'delete', name: 'A' },
                ],
                image: 'nginx:1.27',
                name: 'nginx',
              },
              { $patch: 'delete', name: 'sidecar' },
            ],
          },
        },
      },
    });
    const containers = result.spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    expect(containers[0].image).toBe('nginx:1.27');
    expect(containers[0].env).toEqual([
      { name: 'B', value: '2' },
      { name: 'C', value: '3' },
    ]);
    expect(result.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': '{}\n',
    });
  });

  it('reorders a merge list to $setElementOrder', () => {
    const result = smp(deployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [
              { name: 'sidecar' },
              { name: 'nginx' },
            ],
          },
        },
      },
    });
    expect(
      result.spec.template.spec.containers.map((c: any) => c.name),
    ).toEqual(['sidecar', 'nginx']);
  });

  it('merges primitive lists as sets and deletes with $deleteFromPrimitiveList', () => {
    const added = smp(deployment(), {
      metadata: { finalizers: ['c.cairn.dev/z', 'a.cairn.dev/x'] },
    });
    // The patch's own order wins over the live order for the items it names.
    expect(added.metadata.finalizers).toEqual([
      'c.cairn.dev/z',
      'a.cairn.dev/x',
      'b.cairn.dev/y',
    ]);
    const removed = smp(deployment(), {
      metadata: {
        '$setElementOrder/finalizers': ['b.cairn.dev/y'],
        '$deleteFromPrimitiveList/finalizers': ['a.cairn.dev/x'],
      },
    });
    expect(removed.metadata.finalizers).toEqual(['b.cairn.dev/y']);
  });

  it('replaces lists without a merge strategy (tolerations are atomic)', () => {
    const result = smp(deployment(), {
      spec: {
        template: {
          spec: { tolerations: [{ key: 'other', operator: 'Exists' }] },
        },
      },
    });
    expect(result.spec.template.spec.tolerations).toEqual([
      { key: 'other', operator: 'Exists' },
    ]);
  });

  it('honours $patch: replace on maps and lists, and $patch: delete on maps', () => {
    const result = smp(deployment(), {
      metadata: { labels: { $patch: 'replace', only: 'this' } },
      spec: {
        strategy: { $patch: 'delete' },
        template: {
          spec: {
            containers: [{ $patch: 'replace' }, { name: 'solo', image: 'x' }],
          },
        },
      },
    });
    expect(result.metadata.labels).toEqual({ only: 'this' });
    expect(result.spec.strategy).toEqual({});
    expect(result.spec.template.spec.containers).toEqual([
      { name: 'solo', image: 'x' },
    ]);
  });

  it('clears keys not listed in $retainKeys (switching to Recreate)', () => {
    const result = smp(deployment(), {
      spec: {
        strategy: {
          $retainKeys: ['type'],
          rollingUpdate: null,
          type: 'Recreate',
        },
      },
    });
    expect(result.spec.strategy).toEqual({ type: 'Recreate' });
    const volumes = smp(deployment(), {
      spec: {
        template: {
          spec: {
            volumes: [
              {
                $retainKeys: ['configMap', 'name'],
                configMap: { name: 'cfg' },
                name: 'data',
              },
            ],
          },
        },
      },
    });
    expect(volumes.spec.template.spec.volumes).toEqual([
      { name: 'data', configMap: { name: 'cfg' } },
    ]);
  });

  it('merges container ports by containerPort and service ports by port', () => {
    const result = smp(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'nginx', ports: [{ containerPort: 80, name: 'http' }] },
            ],
          },
        },
      },
    });
    expect(result.spec.template.spec.containers[0].ports).toEqual([
      { containerPort: 80, protocol: 'TCP', name: 'http' },
    ]);
    const service = strategicMergePatch(
      { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } },
      { spec: { ports: [{ port: 443, name: 'https' }] } },
      '',
      'Service',
    ) as any;
    expect(service.spec.ports).toEqual([
      { port: 80, targetPort: 8080 },
      { port: 443, name: 'https' },
    ]);
  });

  it('merges pod status conditions by type and ownerReferences by uid', () => {
    const pod = strategicMergePatch(
      {
        metadata: { ownerReferences: [{ uid: 'u1', name: 'rs' }] },
        status: {
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False' },
          ],
        },
      },
      {
        metadata: { ownerReferences: [{ uid: 'u1', controller: true }] },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
      '',
      'Pod',
    ) as any;
    expect(pod.status.conditions).toEqual([
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'True' },
    ]);
    expect(pod.metadata.ownerReferences).toEqual([
      { uid: 'u1', name: 'rs', controller: true },
    ]);
  });

  it('drops nulls inside values it adds', () => {
    const result = smp(deployment(), {
      spec: { selector: { matchLabels: { app: 'web', x: null } } },
    });
    expect(result.spec.selector).toEqual({ matchLabels: { app: 'web' } });
  });

  it('replaces every list of a kind without patch metadata', () => {
    const stone = { spec: { stages: [{ name: 'alpha' }], tags: ['a'] } };
    expect(supportsStrategicMergePatch('rollouts.cairn.dev', 'Stone')).toBe(
      false,
    );
    const result = strategicMergePatch(
      stone,
      { spec: { stages: [{ name: 'beta' }] } },
      'rollouts.cairn.dev',
      'Stone',
    ) as any;
    expect(result.spec).toEqual({ stages: [{ name: 'beta' }], tags: ['a'] });
  });

  it('reports a missing merge key as kube-apiserver does', () => {
    let error: PatchError | undefined;
    try {
      smp(deployment(), {
        spec: { template: { spec: { containers: [{ image: 'nginx' }] } } },
      });
    } catch (e) {
      error = e as PatchError;
    }
    expect(error).toBeInstanceOf(PatchError);
    expect(error!.message).toBe(
      'map: map[image:nginx] does not contain declared merge key: name',
    );
    expect(error!.status.code).toBe(500);
  });

  it('rejects malformed directives with 400 and unknown ones', () => {
    expect(() =>
      smp(deployment(), {
        spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } },
      }),
    ).toThrow('invalid patch format of retainKeys');
    expect(() =>
      smp(deployment(), { metadata: { labels: { $patch: 'merge' } } }),
    ).toThrow('unknown patch type: merge in map: map[$patch:merge]');
    expect(() =>
      smp(deployment(), {
        spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } },
      }),
    ).toThrow('merging lists cannot yet be specified in the patch');
    expect(() => smp(deployment(), [1])).toThrow('invalid JSON document');
  });

  it('knows which kinds accept strategic merge patch', () => {
    expect(supportsStrategicMergePatch('', 'Pod')).toBe(true);
    expect(supportsStrategicMergePatch('apps', 'Deployment')).toBe(true);
    expect(
      supportsStrategicMergePatch('rbac.authorization.k8s.io', 'Role'),
    ).toBe(true);
    expect(acceptedPatchTypes(false)).toEqual([
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
    ]);
  });
});

describe('jsonMergePatch (RFC 7386 appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j patched with %j is %j', (target, patch, expected) => {
    expect(jsonMergePatch(target, patch)).toEqual(expected);
  });

  it('applies `kubectl scale` and `kubectl label` patches', () => {
    expect(
      jsonMergePatch(deployment(), { spec: { replicas: 5 } }),
    ).toMatchObject({
      spec: { replicas: 5, strategy: { type: 'RollingUpdate' } },
    });
    expect(
      (
        jsonMergePatch(deployment(), {
          metadata: { labels: { tier: null, env: 'dev' } },
        }) as any
      ).metadata.labels,
    ).toEqual({ app: 'web', env: 'dev' });
  });
});
