import type { WebhookDeliverySummary } from '@cairn/plugin-pipelines-common';
import { describeRef, refusalReason, runKubernetesIds } from './deliveryView';

const delivery = (
  fields: Partial<WebhookDeliverySummary>,
): WebhookDeliverySummary => ({
  id: 'github:1',
  provider: 'github',
  deliveryId: '1',
  receivedAt: '2026-12-07T10:00:00Z',
  signatureOk: true,
  outcome: 'runs-created',
  runs: [],
  matches: [],
  duplicates: 0,
  ...fields,
});

describe('deliveryView', () => {
  it('names refs as people say them', () => {
    expect(describeRef('refs/heads/release/1.2')).toBe('release/1.2');
    expect(describeRef('refs/tags/v1')).toBe('tag v1');
    expect(describeRef('refs/pull/12/head')).toBe('refs/pull/12/head');
    expect(describeRef(undefined)).toBeUndefined();
  });

  it('gives the reason of a settled delivery only', () => {
    expect(
      refusalReason(delivery({ outcome: 'no-match', reason: 'no Pipeline' })),
    ).toBe('no Pipeline');
    expect(
      refusalReason(delivery({ outcome: 'pending', reason: 'stale' })),
    ).toBeUndefined();
  });

  it('lists the kubernetes-ids of the runs once each', () => {
    const run = (kubernetesId?: string) => ({
      cluster: 'dev',
      namespace: 'ci',
      name: 'b-1',
      pipeline: 'b',
      kubernetesId,
    });
    expect(
      runKubernetesIds([
        delivery({ runs: [run('shop'), run()] }),
        delivery({ runs: [run('cart'), run('shop')] }),
      ]),
    ).toEqual(['cart', 'shop']);
  });
});
