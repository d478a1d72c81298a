import {
  EntityScope,
  EntityScopeMatcher,
  getEntityScope,
  isInScope,
} from './entityScope';

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
      'entity component:default/shop has no backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation; add one so its Kubernetes objects can be found',
    );
    expect(() => getEntityScope(entity({}), 'pipeline runs')).toThrow(
      'add one so its pipeline runs can be found',
    );
    expect(() =>
      getEntityScope(
        entity({ 'backstage.io/kubernetes-label-selector': 'app in shop' }),
      ),
    ).toThrow(
      `entity component:default/shop has an invalid label selector in its annotations ("app in shop"): unable to parse requirement: found 'shop' expected: '('`,
    );
  });
});

describe('EntityScopeMatcher', () => {
  const scopeOf = (
    name: string,
    annotations: Record<string, string>,
  ): EntityScope =>
    getEntityScope({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name, namespace: 'default', annotations },
    });
  const run = (namespace: string, labels: Record<string, string>) => ({
    metadata: { namespace, labels },
  });
  const byId = (id: string, extra: Record<string, string> = {}) =>
    scopeOf(id, { 'backstage.io/kubernetes-id': id, ...extra });

  it("finds the entity a run's label names among many", () => {
    const scopes = Array.from({ length: 500 }, (_, i) => byId(`svc-${i}`));
    const matcher = new EntityScopeMatcher(scopes);
    expect(
      matcher.match(
        'dev',
        run('ci', { 'backstage.io/kubernetes-id': 'svc-321', other: 'x' }),
      )?.entityRef,
    ).toBe('component:default/svc-321');
    expect(
      matcher.match('dev', run('ci', { 'backstage.io/kubernetes-id': 'nope' })),
    ).toBeUndefined();
    expect(matcher.match('dev', run('ci', {}))).toBeUndefined();
  });

  it("honours each entity's cluster and namespace", () => {
    const matcher = new EntityScopeMatcher([
      byId('shop', {
        'backstage.io/kubernetes-namespace': 'ci',
        'backstage.io/kubernetes-cluster': 'dev',
      }),
    ]);
    const labels = { 'backstage.io/kubernetes-id': 'shop' };
    expect(matcher.match('dev', run('ci', labels))?.entityRef).toBe(
      'component:default/shop',
    );
    expect(matcher.match('prod', run('ci', labels))).toBeUndefined();
    expect(matcher.match('dev', run('other', labels))).toBeUndefined();
  });

  it('matches selectors without a single required value too', () => {
    const matcher = new EntityScopeMatcher([
      scopeOf('web', {
        'backstage.io/kubernetes-label-selector': 'app in (web,site)',
      }),
      scopeOf('tools', {
        'backstage.io/kubernetes-label-selector': 'team,!legacy',
      }),
    ]);
    expect(matcher.match('dev', run('a', { app: 'site' }))?.entityRef).toBe(
      'component:default/web',
    );
    expect(matcher.match('dev', run('a', { team: 'x' }))?.entityRef).toBe(
      'component:default/tools',
    );
    expect(
      matcher.match('dev', run('a', { team: 'x', legacy: 'y' })),
    ).toBeUndefined();
  });

  it('gives a run several entities select to the first by entity ref', () => {
    const labels = { 'backstage.io/kubernetes-id': 'shop', app: 'shop' };
    const scopes = [
      scopeOf('zeta', { 'backstage.io/kubernetes-label-selector': 'app' }),
      byId('shop'),
      scopeOf('alpha', {
        'backstage.io/kubernetes-label-selector': 'app=shop,tier!=db',
      }),
    ];
    expect(
      new EntityScopeMatcher(scopes).match('dev', run('ci', labels))?.entityRef,
    ).toBe('component:default/alpha');
    expect(
      new EntityScopeMatcher(scopes.slice(0, 2)).match('dev', run('ci', labels))
        ?.entityRef,
    ).toBe('component:default/shop');
  });
});
