import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { ReadableEntityScopes } from './ReadableEntityScopes';

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string>,
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { owner },
});

const entities = [
  component('shop', 'user:default/amy', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-id': 'shop',
  }),
  component('cart', 'user:default/bob', {
    'tekton.dev/cicd': 'TRUE',
    'backstage.io/kubernetes-label-selector': 'app=cart',
  }),
  // Opted in, but its runs cannot be found: left out, not an error.
  component('broken', 'user:default/amy', {
    'cairn.dev/pipelines': 'true',
    'backstage.io/kubernetes-label-selector': 'app in cart',
  }),
  component('legacy', 'user:default/amy', {
    'backstage.io/kubernetes-id': 'legacy',
  }),
];

const owners = Object.fromEntries(
  entities.map(e => [`component:default/${e.metadata.name}`, e.spec.owner]),
);

function setup(options: { failNext?: boolean; ttlMs?: number } = {}) {
  const calls: string[][] = [];
  let failNext = options.failNext ?? false;
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) => {
      calls.push(requests.map(r => (r as any).resourceRef));
      if (failNext) {
        failNext = false;
        throw new Error('permission backend unavailable');
      }
      const user = (credentials.principal as any).userEntityRef;
      return requests.map(r => ({
        result:
          owners[(r as any).resourceRef] === user
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })) as PolicyDecision[] as any;
    },
  });
  const scopes = new ReadableEntityScopes({
    catalog: catalogServiceMock({ entities }),
    permissions,
    ttlMs: options.ttlMs,
  });
  const refsOf = async (user: string) =>
    (await scopes.forCredentials(mockCredentials.user(user))).map(
      s => s.entityRef,
    );
  return { calls, refsOf };
}

describe('ReadableEntityScopes', () => {
  it('gives each user the opted-in entities they may read, asked in one batch', async () => {
    const { calls, refsOf } = setup();
    expect(await refsOf('user:default/amy')).toEqual([
      'component:default/shop',
    ]);
    expect(await refsOf('user:default/bob')).toEqual([
      'component:default/cart',
    ]);
    expect(calls.map(c => [...c].sort())).toEqual([
      ['component:default/cart', 'component:default/shop'],
      ['component:default/cart', 'component:default/shop'],
    ]);
  });

  it("reuses a user's set for its lifetime, including for concurrent requests", async () => {
    const { calls, refsOf } = setup();
    await Promise.all([refsOf('user:default/amy'), refsOf('user:default/amy')]);
    await refsOf('user:default/amy');
    expect(calls).toHaveLength(1);
  });

  it('asks again once the set has expired', async () => {
    const { calls, refsOf } = setup({ ttlMs: 0 });
    await refsOf('user:default/amy');
    await refsOf('user:default/amy');
    expect(calls).toHaveLength(2);
  });

  it('does not keep a failed resolution', async () => {
    const { calls, refsOf } = setup({ failNext: true });
    await expect(refsOf('user:default/amy')).rejects.toThrow(
      'permission backend unavailable',
    );
    expect(await refsOf('user:default/amy')).toEqual([
      'component:default/shop',
    ]);
    expect(calls).toHaveLength(2);
  });
});
