import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { component, ownersOf } from '../__testUtils__/entities';
import { permissionPolicy } from '../__testUtils__/testBackend';
import { ReadableEntityScopes } from './ReadableEntityScopes';

const entities = [
  component(
    'shop',
    {
      'cairn.dev/pipelines': 'true',
      'backstage.io/kubernetes-id': 'shop',
    },
    'user:default/amy',
  ),
  component(
    'cart',
    {
      'tekton.dev/cicd': 'TRUE',
      'backstage.io/kubernetes-label-selector': 'app=cart',
    },
    'user:default/bob',
  ),
  // Opted in, but its runs cannot be found: left out, not an error.
  component(
    'broken',
    {
      'cairn.dev/pipelines': 'true',
      'backstage.io/kubernetes-label-selector': 'app in cart',
    },
    'user:default/amy',
  ),
  component(
    'legacy',
    { 'backstage.io/kubernetes-id': 'legacy' },
    'user:default/amy',
  ),
];

const owners = ownersOf(entities);

function setup(options: { failNext?: boolean; ttlMs?: number } = {}) {
  let failNext = options.failNext ?? false;
  const policy = permissionPolicy(({ resourceRef }, user) => {
    if (failNext) {
      failNext = false;
      throw new Error('permission backend unavailable');
    }
    return owners[resourceRef!] === user;
  });
  const scopes = new ReadableEntityScopes({
    catalog: catalogServiceMock({ entities }),
    permissions: policy.permissions,
    ttlMs: options.ttlMs,
  });
  /** Each authorize call's resources. */
  const calls = () =>
    policy.batches.map(batch => batch.map(call => call.resourceRef));
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
    expect(calls().map(c => [...c].sort())).toEqual([
      ['component:default/cart', 'component:default/shop'],
      ['component:default/cart', 'component:default/shop'],
    ]);
  });

  it("reuses a user's set for its lifetime, including for concurrent requests", async () => {
    const { calls, refsOf } = setup();
    await Promise.all([refsOf('user:default/amy'), refsOf('user:default/amy')]);
    await refsOf('user:default/amy');
    expect(calls()).toHaveLength(1);
  });

  it('asks again once the set has expired', async () => {
    const { calls, refsOf } = setup({ ttlMs: 0 });
    await refsOf('user:default/amy');
    await refsOf('user:default/amy');
    expect(calls()).toHaveLength(2);
  });

  it('does not keep a failed resolution', async () => {
    const { calls, refsOf } = setup({ failNext: true });
    await expect(refsOf('user:default/amy')).rejects.toThrow(
      'permission backend unavailable',
    );
    expect(await refsOf('user:default/amy')).toEqual([
      'component:default/shop',
    ]);
    expect(calls()).toHaveLength(2);
  });
});
