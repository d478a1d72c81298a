import { getEntityLabelSelector, isKubernetesAvailable } from './annotations';

const entity = (annotations?: Record<string, string>) => ({
  metadata: { annotations },
});

describe('getEntityLabelSelector', () => {
  it('prefers the label selector, else the kubernetes-id label', () => {
    expect(
      getEntityLabelSelector(
        entity({
          'backstage.io/kubernetes-id': 'payments',
          'backstage.io/kubernetes-label-selector': 'app=payments,tier=api',
        }),
      ),
    ).toBe('app=payments,tier=api');
    expect(
      getEntityLabelSelector(
        entity({ 'backstage.io/kubernetes-id': 'payments' }),
      ),
    ).toBe('backstage.io/kubernetes-id=payments');
    expect(getEntityLabelSelector(entity({}))).toBeUndefined();
  });
});

describe('isKubernetesAvailable', () => {
  it('needs a kubernetes-id or a label selector that is not blank', () => {
    expect(
      isKubernetesAvailable(entity({ 'backstage.io/kubernetes-id': 'shop' })),
    ).toBe(true);
    expect(
      isKubernetesAvailable(
        entity({ 'backstage.io/kubernetes-label-selector': 'app=shop' }),
      ),
    ).toBe(true);
    expect(
      isKubernetesAvailable(entity({ 'backstage.io/kubernetes-id': '  ' })),
    ).toBe(false);
    expect(
      isKubernetesAvailable(
        entity({ 'backstage.io/kubernetes-namespace': 'shop' }),
      ),
    ).toBe(false);
    expect(isKubernetesAvailable(entity())).toBe(false);
  });
});
