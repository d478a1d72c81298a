import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createPermission } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { component, ownersOf, permissionPolicy } from '../testUtils';
import {
  ReadableEntityScopes,
  ReadableEntityScopesOptions,
} from './ReadableEntityScopes';

const readPermission = createPermission({
  name: 'test.object.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** A plugin's own opt-in annotation, read case-blind. */
const OPT_IN = 'cairn.dev/test-feature';

const entities = [
  component(
    'shop',
    { [OPT_IN]: 'true', 'backstage.io/kubernetes-id': 'shop' },
    'user:default/amy',
  ),
  component(
    'cart',
    { 'backstage.io/kubernetes-label-selector': 'app=cart' },
    'user:default/bob',
  ),
  // Its objects cannot be found: left out, not an error.
  component(
    'broken',
    {
      [OPT_IN]: 'true',
      'backstage.io/kubernetes-label-selector': 'app in cart',
    },
    'user:default/amy',
  ),
  // Nothing ties it to cluster objects.
  component('docs', { [OPT_IN]: 'TRUE' }, 'user:default/amy'),
];

const owners = ownersOf(entities);

function setup(
  options: {
    failNext?: boolean;
    ttlMs?: number;
  } & Partial<ReadableEntityScopesOptions> = {},
) {
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
    permission: readPermission,
    ttlMs: options.ttlMs,
    filter: options.filter,
    isAvailable: options.isAvailable,
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
  it('gives each user the entities with Kubernetes annotations they may read, asked in one batch', async () => {
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

  it("takes only the entities a plugin's filter and opt-in admit", async () => {
    const { calls, refsOf } = setup({
      filter: { [`metadata.annotations.${OPT_IN}`]: ['true', 'TRUE'] },
      isAvailable: (entity: Entity) =>
        entity.metadata.annotations?.[OPT_IN]?.toLowerCase() === 'true',
    });
    expect(await refsOf('user:default/amy')).toEqual([
      'component:default/shop',
    ]);
    expect(await refsOf('user:default/bob')).toEqual([]);
    expect(calls()).toEqual([
      ['component:default/shop'],
      ['component:default/shop'],
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
