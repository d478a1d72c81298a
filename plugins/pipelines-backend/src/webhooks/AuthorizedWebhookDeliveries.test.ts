import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  component,
  permissionPolicy,
} from '@cairn/plugin-kubernetes-node/testUtils';
import knexFactory from 'knex';
import { AuthorizedWebhookDeliveries } from './AuthorizedWebhookDeliveries';
import { DeliveryStore } from './DeliveryStore';
import { WebhookDeliveries } from './WebhookDeliveries';

/*
 * Who sees which deliveries, called directly (no HTTP): an owner's list is
 * the newest `limit` of their entities' deliveries, however many deliveries
 * of other entities are newer.
 */

const OWNER = 'user:default/shop-owner';

async function setUp() {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const store = await DeliveryStore.create(mockServices.database({ knex }));
  const delivery = async (n: number, kubernetesId: string) => {
    const id = `d-${n}`;
    await store.insert({
      id: `github:${id}`,
      provider: 'github',
      deliveryId: id,
      event: 'push',
      receivedAt: new Date(Date.UTC(2026, 11, 7, 0, 0, n)),
      signatureOk: true,
      headers: {},
      payload: '{}',
    });
    await store.finish(`github:${id}`, {
      outcome: 'no-match',
      matches: [
        {
          cluster: 'dev',
          namespace: 'ci',
          pipeline: 'build',
          kubernetesId,
          matched: false,
          reason: 'main is not one of release/*',
        },
      ],
    });
  };
  const policy = permissionPolicy(
    ({ permission, resourceRef }, user) =>
      permission === 'pipelines.run.create' &&
      user === OWNER &&
      resourceRef === 'component:default/shop',
  );
  const service = new AuthorizedWebhookDeliveries({
    deliveries: {} as WebhookDeliveries,
    store,
    catalog: catalogServiceMock({
      entities: [
        component('shop', { 'backstage.io/kubernetes-id': 'shop' }),
        component('cart', { 'backstage.io/kubernetes-id': 'cart' }),
      ],
    }),
    permissions: policy.permissions,
    auditor: mockServices.auditor.mock(),
  });
  return { knex, delivery, service };
}

describe('AuthorizedWebhookDeliveries', () => {
  it("lists an owner's newest deliveries past more than a page of other entities'", async () => {
    const { knex, delivery, service } = await setUp();
    await delivery(1, 'shop');
    await delivery(2, 'shop');
    // 600 newer deliveries of another team's entity: more than a page.
    for (let n = 3; n < 603; n++) await delivery(n, 'cart');
    const caller = { credentials: mockCredentials.user(OWNER) };
    const listed = await service.list({ limit: 2 }, caller);
    expect(listed.map(d => d.deliveryId)).toEqual(['d-2', 'd-1']);
    expect(listed.every(d => d.payload === undefined)).toBe(true);
    expect(
      (await service.list({ limit: 1 }, caller)).map(d => d.deliveryId),
    ).toEqual(['d-2']);
    const stranger = {
      credentials: mockCredentials.user('user:default/stranger'),
    };
    expect(await service.list({ limit: 10 }, stranger)).toEqual([]);
    await knex.destroy();
  });
});
