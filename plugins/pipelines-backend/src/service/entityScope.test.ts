import { getEntityScope, isInScope } from './entityScope';

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default', annotations },
});

describe('getEntityScope', () => {
  it('reads the kubernetes annotations', () => {
    const scope = getEntityScope(
      entity({
        'backstage.io/kubernetes-id': 'shop',
        'backstage.io/kubernetes-namespace': 'ci',
        'backstage.io/kubernetes-cluster': 'dev',
      }),
    );
    expect(scope).toMatchObject({
      entityRef: 'component:default/shop',
      cluster: 'dev',
      namespace: 'ci',
      selectorText: 'backstage.io/kubernetes-id=shop',
    });
    const object = (namespace: string, labels: Record<string, string>) => ({
      metadata: { namespace, labels },
    });
    const labels = { 'backstage.io/kubernetes-id': 'shop' };
    expect(isInScope(scope, 'dev', object('ci', labels))).toBe(true);
    expect(isInScope(scope, 'prod', object('ci', labels))).toBe(false);
    expect(isInScope(scope, 'dev', object('other', labels))).toBe(false);
    expect(isInScope(scope, 'dev', object('ci', {}))).toBe(false);
  });

  it('prefers the label selector annotation', () => {
    const scope = getEntityScope(
      entity({
        'backstage.io/kubernetes-id': 'shop',
        'backstage.io/kubernetes-label-selector': 'app in (shop,cart)',
      }),
    );
    expect(
      isInScope(scope, 'any', { metadata: { labels: { app: 'cart' } } }),
    ).toBe(true);
  });

  it('says which annotation to add or fix', () => {
    expect(() => getEntityScope(entity({}))).toThrow(
      'entity component:default/shop has no backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation; add one so its pipeline runs can be found',
    );
    expect(() =>
      getEntityScope(
        entity({ 'backstage.io/kubernetes-label-selector': 'app in shop' }),
      ),
    ).toThrow(
      'entity component:default/shop has an invalid label selector in its annotations: label selector "app in shop": cannot read',
    );
  });
});
