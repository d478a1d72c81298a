import type { WebhookDeliverySummary } from '@cairn/plugin-pipelines-common';
import { lastDeliveries, providerOfRepository } from './providers';

describe('providerOfRepository', () => {
  it('knows the public servers and hosts named after them', () => {
    expect(providerOfRepository('https://github.com/acme/shop')).toBe('github');
    expect(providerOfRepository('https://gitlab.acme.example/shop/api')).toBe(
      'gitlab',
    );
    expect(providerOfRepository('https://codeberg.org/acme/shop')).toBe(
      'gitea',
    );
    expect(
      providerOfRepository('https://git.acme.example/shop/inventory'),
    ).toBeUndefined();
    expect(providerOfRepository('not a url')).toBeUndefined();
  });
});

describe('lastDeliveries', () => {
  it('keeps the first (newest) delivery of each provider', () => {
    const d = (id: string, provider: 'github' | 'gitea') =>
      ({ id, provider } as WebhookDeliverySummary);
    expect(
      lastDeliveries([d('g2', 'github'), d('t1', 'gitea'), d('g1', 'github')]),
    ).toEqual({ github: d('g2', 'github'), gitea: d('t1', 'gitea') });
  });
});
