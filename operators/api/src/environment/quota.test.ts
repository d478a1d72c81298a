import {
  addResourceLists,
  desiredQuotaHard,
  exceededResources,
  invalidQuantities,
  remainingQuota,
  sameResourceList,
} from './quota';

describe('desiredQuotaHard', () => {
  it('is the spec’s quota when every StorageClass is allowed (storageClasses absent)', () => {
    expect(
      desiredQuotaHard({ quota: { pods: '20' } }, ['standard', 'fast']),
    ).toEqual({ pods: '20' });
  });

  it('limits every class not allowed to 0 claims and 0 bytes', () => {
    expect(
      desiredQuotaHard(
        { quota: { 'requests.storage': '100Gi' }, storageClasses: ['fast'] },
        ['standard', 'fast', 'archive'],
      ),
    ).toEqual({
      'requests.storage': '100Gi',
      'archive.storageclass.storage.k8s.io/requests.storage': '0',
      'archive.storageclass.storage.k8s.io/persistentvolumeclaims': '0',
      'standard.storageclass.storage.k8s.io/requests.storage': '0',
      'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '0',
    });
  });

  it('allows no class for an empty list, and needs no quota otherwise', () => {
    expect(
      Object.keys(desiredQuotaHard({ storageClasses: [] }, ['standard'])),
    ).toEqual([
      'standard.storageclass.storage.k8s.io/requests.storage',
      'standard.storageclass.storage.k8s.io/persistentvolumeclaims',
    ]);
    expect(desiredQuotaHard({}, ['standard'])).toEqual({});
  });
});

describe('quantities', () => {
  it('compares as resource.Quantity does, not as strings', () => {
    expect(
      sameResourceList(
        { 'requests.cpu': '1000m', 'requests.memory': '1024Mi', pods: '20' },
        { 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '2e1' },
      ),
    ).toBe(true);
    expect(sameResourceList({ cpu: '500m' }, { cpu: '0.5' })).toBe(true);
    expect(sameResourceList({ cpu: '500m' }, { cpu: '501m' })).toBe(false);
    expect(sameResourceList({ cpu: '1' }, { cpu: '1', pods: '1' })).toBe(false);
    expect(sameResourceList({ cpu: '1' }, { memory: '1' })).toBe(false);
    expect(sameResourceList(undefined, {})).toBe(true);
  });

  it('adds exactly and writes the canonical form', () => {
    expect(
      addResourceLists(
        { cpu: '500m', memory: '512Mi' },
        { cpu: '1500m', memory: '512Mi', pods: '1' },
      ),
    ).toEqual({ cpu: '2', memory: '1Gi', pods: '1' });
    expect(addResourceLists({ cpu: '100m' }, { cpu: '0.05' })).toEqual({
      cpu: '150m',
    });
  });

  it('tells what is left, never below 0', () => {
    expect(
      remainingQuota(
        { 'requests.cpu': '4', 'requests.storage': '100Gi', pods: '3' },
        { 'requests.cpu': '1500m', 'requests.storage': '120Gi' },
      ),
    ).toEqual({ 'requests.cpu': '2500m', 'requests.storage': '0', pods: '3' });
  });

  it('finds what a request would take over its limit, as ResourceQuota admission', () => {
    const hard = { pods: '2', 'requests.memory': '1Gi' };
    expect(
      exceededResources(
        hard,
        { pods: '1', 'requests.memory': '768Mi' },
        { pods: '1', 'requests.memory': '256Mi', 'requests.cpu': '9' },
      ),
    ).toEqual([]);
    expect(
      exceededResources(
        hard,
        { pods: '2', 'requests.memory': '768Mi' },
        { pods: '1', 'requests.memory': '257Mi' },
      ),
    ).toEqual(['pods', 'requests.memory']);
  });

  it('reports values Kubernetes would refuse with apimachinery’s messages', () => {
    expect(
      invalidQuantities({ cpu: '2 cores', memory: '1Gi', pods: '-1' }),
    ).toEqual([
      {
        resource: 'cpu',
        message: expect.stringContaining(
          'quantities must match the regular expression',
        ),
      },
      { resource: 'pods', message: 'must be greater than or equal to 0' },
    ]);
    expect(invalidQuantities(undefined)).toEqual([]);
  });
});
