import {
  applyLimitRangeDefaults,
  checkResourceQuota,
  computeQuotaUsed,
  limitRangerDefaultPod,
  limitRangerValidateClaim,
  limitRangerValidatePod,
  podNodeSelectorAdmit,
  quotaMatchesScopes,
  quotaUsage,
} from './admission';
import { statusErrors } from './errors';

const pod = (containers: object[], extra: object = {}): any => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'dev' },
  spec: { containers, ...extra },
});

const limitRange = applyLimitRangeDefaults({
  metadata: { name: 'limits', namespace: 'dev' },
  spec: {
    limits: [
      {
        type: 'Container',
        default: { cpu: '500m' },
        defaultRequest: { cpu: '250m' },
        max: { cpu: '1', memory: '1Gi' },
        min: { cpu: '100m' },
        maxLimitRequestRatio: { cpu: '4' },
      },
    ],
  },
});

describe('LimitRanger', () => {
  it('defaults a LimitRange item from max and min', () => {
    expect(
      applyLimitRangeDefaults({
        spec: {
          limits: [
            { type: 'Container', max: { memory: '1Gi' }, min: { cpu: '50m' } },
          ],
        },
      }).spec.limits[0],
    ).toEqual({
      type: 'Container',
      max: { memory: '1Gi' },
      min: { cpu: '50m' },
      default: { memory: '1Gi' },
      defaultRequest: { memory: '1Gi', cpu: '50m' },
    });
  });

  it('fills missing requests and limits and records it in an annotation', () => {
    const result = limitRangerDefaultPod(
      pod(
        [
          { name: 'app', image: 'x' },
          {
            name: 'side',
            image: 'y',
            resources: { requests: { cpu: '200m' } },
          },
        ],
        {
          initContainers: [{ name: 'init', image: 'z' }],
        },
      ),
      [limitRange],
    );
    expect(result.spec.containers[0].resources).toEqual({
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '250m', memory: '1Gi' },
    });
    expect(result.spec.containers[1].resources.requests.cpu).toBe('200m');
    expect(result.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; memory request for container side; cpu, memory limit for container side; cpu, memory request for init container init; cpu, memory limit for init container init',
    );
  });

  it('enforces min, max and the limit/request ratio with kube-apiserver messages', () => {
    const error = limitRangerValidatePod(
      pod([
        {
          name: 'app',
          image: 'x',
          resources: {
            requests: { cpu: '50m', memory: '2Gi' },
            limits: { cpu: '2', memory: '2Gi' },
          },
        },
      ]),
      [limitRange],
    );
    expect(error).toBe(
      '[minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi, cpu max limit to request ratio per Container is 4, but provided ratio is 40.000000]',
    );
    expect(
      statusErrors.forbidden({ group: '', resource: 'pods' }, 'web', error!)
        .message,
    ).toMatch(
      /^pods "web" is forbidden: \[minimum cpu usage per Container is 100m/,
    );
    expect(
      limitRangerValidatePod(pod([{ name: 'app', image: 'x' }]), [limitRange]),
    ).toBe(
      '[minimum cpu usage per Container is 100m.  No request is specified, maximum cpu usage per Container is 1.  No limit is specified, maximum memory usage per Container is 1Gi.  No limit is specified, cpu max limit to request ratio per Container is 4, but no request is specified or request is 0]',
    );
    const defaulted = limitRangerDefaultPod(
      pod([{ name: 'app', image: 'x' }]),
      [limitRange],
    );
    expect(limitRangerValidatePod(defaulted, [limitRange])).toBeUndefined();
  });

  it('checks PersistentVolumeClaim storage bounds', () => {
    const range = {
      spec: {
        limits: [
          {
            type: 'PersistentVolumeClaim',
            min: { storage: '1Gi' },
            max: { storage: '10Gi' },
          },
        ],
      },
    };
    const claim = (storage: string) => ({
      spec: { resources: { requests: { storage } } },
    });
    expect(limitRangerValidateClaim(claim('20Gi'), [range])).toBe(
      'maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
    expect(limitRangerValidateClaim(claim('500Mi'), [range])).toBe(
      'minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
    expect(limitRangerValidateClaim(claim('5Gi'), [range])).toBeUndefined();
  });
});

describe('ResourceQuota', () => {
  const compute = {
    metadata: { name: 'compute', namespace: 'dev' },
    spec: { hard: { pods: '2', 'requests.cpu': '1', 'limits.memory': '1Gi' } },
  };
  const sized = (cpu: string, memory: string, name = 'app') => ({
    name,
    image: 'x',
    resources: { requests: { cpu }, limits: { memory } },
  });

  it('computes pod usage from requests, limits and init containers', () => {
    const usage = quotaUsage(
      { group: '', resource: 'pods' },
      pod([sized('300m', '256Mi'), sized('200m', '256Mi', 'b')], {
        initContainers: [sized('800m', '64Mi', 'init')],
      }),
    );
    expect(
      Object.fromEntries(
        Object.entries(usage).map(([k, v]) => [k, v.toString()]),
      ),
    ).toEqual({
      'count/pods': '1',
      pods: '1',
      cpu: '800m',
      'requests.cpu': '800m',
      'limits.memory': '512Mi',
    });
  });

  it('stops charging compute for finished pods but keeps the object count', () => {
    const usage = quotaUsage(
      { group: '', resource: 'pods' },
      { ...pod([sized('1', '1Gi')]), status: { phase: 'Succeeded' } },
    );
    expect(Object.keys(usage)).toEqual(['count/pods']);
  });

  it('computes status.used from the namespace objects', () => {
    const objects = [
      {
        target: { group: '', resource: 'pods' },
        object: pod([sized('300m', '256Mi')]),
      },
      {
        target: { group: '', resource: 'pods' },
        object: {
          ...pod([sized('1', '1Gi')]),
          metadata: { name: 'x', namespace: 'other' },
        },
      },
    ];
    expect(computeQuotaUsed(compute, objects)).toEqual({
      pods: '1',
      'requests.cpu': '300m',
      'limits.memory': '256Mi',
    });
  });

  it('requires requests and limits for tracked resources', () => {
    const result = checkResourceQuota(
      [
        {
          ...compute,
          status: {
            used: { pods: '0', 'requests.cpu': '0', 'limits.memory': '0' },
          },
        },
      ],
      {
        group: '',
        resource: 'pods',
      },
      pod([{ name: 'extra-pod', image: 'nginx' }]),
    );
    expect(result).toEqual({
      error:
        'failed quota: compute: must specify limits.memory for: extra-pod; requests.cpu for: extra-pod',
    });
  });

  it('rejects a pod that exceeds the quota with the exact message', () => {
    const quota = {
      ...compute,
      status: {
        hard: compute.spec.hard,
        used: { pods: '1', 'requests.cpu': '800m', 'limits.memory': '512Mi' },
      },
    };
    const result = checkResourceQuota(
      [quota],
      { group: '', resource: 'pods' },
      pod([sized('500m', '256Mi')]),
    );
    expect(result).toEqual({
      error:
        'exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1',
    });
    const admitted = checkResourceQuota(
      [quota],
      { group: '', resource: 'pods' },
      pod([sized('200m', '256Mi')]),
    );
    expect(admitted).toEqual({
      used: {
        compute: { pods: '2', 'requests.cpu': '1', 'limits.memory': '768Mi' },
      },
    });
  });

  it('counts objects and per-StorageClass storage', () => {
    const quota = {
      metadata: { name: 'objects', namespace: 'dev' },
      spec: {
        hard: {
          'count/deployments.apps': '1',
          persistentvolumeclaims: '5',
          'requests.storage': '10Gi',
          'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
        },
      },
      status: {
        used: {
          'count/deployments.apps': '1',
          persistentvolumeclaims: '1',
          'requests.storage': '2Gi',
          'fast.storageclass.storage.k8s.io/requests.storage': '2Gi',
        },
      },
    };
    expect(
      checkResourceQuota(
        [quota],
        { group: 'apps', resource: 'deployments' },
        { metadata: { name: 'd' } },
      ),
    ).toEqual({
      error:
        'exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    });
    const claim = {
      metadata: { name: 'c', namespace: 'dev' },
      spec: {
        storageClassName: 'fast',
        resources: { requests: { storage: '4Gi' } },
      },
    };
    expect(
      checkResourceQuota(
        [quota],
        { group: '', resource: 'persistentvolumeclaims' },
        claim,
      ),
    ).toEqual({
      error:
        'exceeded quota: objects, requested: fast.storageclass.storage.k8s.io/requests.storage=4Gi, used: fast.storageclass.storage.k8s.io/requests.storage=2Gi, limited: fast.storageclass.storage.k8s.io/requests.storage=5Gi',
    });
  });

  it('charges only the growth of an update', () => {
    const quota = {
      metadata: { name: 'q', namespace: 'dev' },
      spec: { hard: { 'requests.storage': '3Gi' } },
      status: { used: { 'requests.storage': '2Gi' } },
    };
    const claim = (storage: string) => ({
      spec: { resources: { requests: { storage } } },
    });
    const target = { group: '', resource: 'persistentvolumeclaims' };
    expect(
      checkResourceQuota([quota], target, claim('3Gi'), claim('2Gi')),
    ).toEqual({ used: { q: { 'requests.storage': '3Gi' } } });
    expect(
      checkResourceQuota([quota], target, claim('4Gi'), claim('2Gi')),
    ).toEqual({
      error:
        'exceeded quota: q, requested: requests.storage=2Gi, used: requests.storage=2Gi, limited: requests.storage=3Gi',
    });
  });

  it('applies scoped quotas only to matching pods', () => {
    const bestEffort = {
      spec: { hard: { pods: '1' }, scopes: ['BestEffort'] },
    };
    const target = { group: '', resource: 'pods' };
    expect(
      quotaMatchesScopes(bestEffort, target, pod([{ name: 'a', image: 'x' }])),
    ).toBe(true);
    expect(
      quotaMatchesScopes(bestEffort, target, pod([sized('1', '1Gi')])),
    ).toBe(false);
    expect(
      quotaMatchesScopes(bestEffort, { group: '', resource: 'services' }, {}),
    ).toBe(false);
  });

  it('counts NodePort and LoadBalancer services', () => {
    const usage = quotaUsage(
      { group: '', resource: 'services' },
      { spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } },
    );
    expect(usage['services.loadbalancers'].toString()).toBe('1');
    expect(usage['services.nodeports'].toString()).toBe('2');
  });
});

describe('PodNodeSelector', () => {
  const namespace = {
    metadata: {
      name: 'dev',
      annotations: {
        'scheduler.alpha.kubernetes.io/node-selector':
          'env=dev,topology.cairn.dev/rack=r1',
      },
    },
  };

  it('merges the namespace selector into the pod', () => {
    const result = podNodeSelectorAdmit(
      pod([], { nodeSelector: { disk: 'ssd' } }),
      namespace,
    );
    expect(result).toEqual({
      pod: expect.objectContaining({
        spec: expect.objectContaining({
          nodeSelector: {
            env: 'dev',
            'topology.cairn.dev/rack': 'r1',
            disk: 'ssd',
          },
        }),
      }),
    });
  });

  it('rejects a conflicting pod selector', () => {
    expect(
      podNodeSelectorAdmit(
        pod([], { nodeSelector: { env: 'prod' } }),
        namespace,
      ),
    ).toEqual({
      error:
        'pod node label selector conflicts with its namespace node label selector',
    });
  });

  it('leaves pods alone in namespaces without the annotation', () => {
    const p = pod([]);
    expect(podNodeSelectorAdmit(p, { metadata: { name: 'x' } })).toEqual({
      pod: p,
    });
  });
});
