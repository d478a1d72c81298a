import { threeZoneStone } from './__testUtils__/fixtures';
import { buildClaims, buildPod, buildServices, podName } from './objects';

describe('buildPod', () => {
  const stone = threeZoneStone({
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    ],
  });
  stone.spec.template.spec!.volumes = [
    { name: 'data', emptyDir: {} },
    { name: 'cache', emptyDir: {} },
  ];
  const group = stone.spec.coordinates[1];
  const pod = buildPod({
    stone,
    group,
    index: 4,
    revisionName: 'web-7b9d',
    template: stone.spec.template,
    rackLabel: 'topology.cairn.dev/rack',
  });

  it('names the pod <stone>-<group>-<n> and labels it with stone, group, index and revision', () => {
    expect(pod.metadata!.name).toBe('web-b-4');
    expect(pod.metadata!.namespace).toBe('shop');
    expect(pod.metadata!.labels).toEqual({
      app: 'web',
      'rollouts.cairn.dev/stone': 'web',
      'rollouts.cairn.dev/group': 'b',
      'rollouts.cairn.dev/pod-index': '4',
      'controller-revision-hash': 'web-7b9d',
    });
    expect(pod.metadata!.ownerReferences).toEqual([
      {
        apiVersion: 'rollouts.cairn.dev/v1alpha1',
        kind: 'Stone',
        name: 'web',
        uid: 'stone-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('adds the in-place readiness gate once', () => {
    expect(pod.spec!.readinessGates).toEqual([
      { conditionType: 'rollouts.cairn.dev/in-place-ready' },
    ]);
    const again = buildPod({
      stone,
      group,
      index: 0,
      revisionName: 'r',
      template: { ...stone.spec.template, spec: pod.spec },
      rackLabel: 'topology.cairn.dev/rack',
    });
    expect(again.spec!.readinessGates).toHaveLength(1);
  });

  it('places pod 4 at zoneset[1]', () => {
    const required =
      pod.spec!.affinity!.nodeAffinity!
        .requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
    expect(required[0].matchExpressions![0].values).toEqual(['local-1b']);
    const preferred =
      pod.spec!.affinity!.nodeAffinity!
        .preferredDuringSchedulingIgnoredDuringExecution!;
    expect(
      preferred.map(p => p.preference.matchExpressions![0].values),
    ).toEqual([['node-b1-2'], ['local-1b-r1']]);
  });

  it("mounts the pod's claim in place of the template volume of the same name", () => {
    expect(pod.spec!.volumes).toEqual([
      { name: 'cache', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-b-4' } },
    ]);
  });

  it('builds the claims as a StatefulSet names them, labelled with stone and group', () => {
    expect(buildClaims(stone, 'b', 4)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: 'data-web-b-4',
          namespace: 'shop',
          labels: {
            'rollouts.cairn.dev/stone': 'web',
            'rollouts.cairn.dev/group': 'b',
          },
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
        },
      },
    ]);
    expect(buildClaims(threeZoneStone(), 'a', 0)).toEqual([]);
  });
});

describe('buildServices', () => {
  it('makes none without spec.service', () => {
    expect(buildServices(threeZoneStone())).toEqual([]);
  });

  it('selects all pods with <stone> and one group with <stone>-<group>', () => {
    const services = buildServices(
      threeZoneStone({
        service: {
          ports: [{ port: 80, targetPort: 8080 as any }],
          selector: { app: 'ignored' },
          clusterIP: '10.0.0.9',
        },
      }),
    );
    expect(services.map(s => [s.metadata!.name, s.spec!.selector])).toEqual([
      ['web', { 'rollouts.cairn.dev/stone': 'web' }],
      [
        'web-a',
        { 'rollouts.cairn.dev/stone': 'web', 'rollouts.cairn.dev/group': 'a' },
      ],
      [
        'web-b',
        { 'rollouts.cairn.dev/stone': 'web', 'rollouts.cairn.dev/group': 'b' },
      ],
      [
        'web-c',
        { 'rollouts.cairn.dev/stone': 'web', 'rollouts.cairn.dev/group': 'c' },
      ],
    ]);
    expect(services[0].spec).toEqual({
      ports: [{ port: 80, targetPort: 8080 }],
      selector: { 'rollouts.cairn.dev/stone': 'web' },
    });
  });

  it('passes a headless clusterIP on', () => {
    const [service] = buildServices(
      threeZoneStone({ service: { clusterIP: 'None', ports: [{ port: 80 }] } }),
    );
    expect(service.spec!.clusterIP).toBe('None');
  });
});

it('names pods', () => {
  expect(podName('web', 'east-1', 0)).toBe('web-east-1-0');
});
