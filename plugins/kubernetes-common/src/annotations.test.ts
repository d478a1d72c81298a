import { getEntityLabelSelector } from './annotations';

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
