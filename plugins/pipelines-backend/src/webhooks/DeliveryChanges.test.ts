import { mockServices } from '@backstage/backend-test-utils';
import { SignalPayload } from '@backstage/plugin-signals-node';
import { DeliveryChanges } from './DeliveryChanges';

describe('DeliveryChanges', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function start() {
    const published: SignalPayload[] = [];
    const changes = new DeliveryChanges({
      signals: { publish: async p => void published.push(p) },
      logger: mockServices.logger.mock(),
      throttleMs: 500,
    });
    return { changes, published };
  }

  it('signals a change at once, then at most one signal per interval with how many changed', async () => {
    const { changes, published } = start();
    changes.changed();
    await jest.advanceTimersByTimeAsync(0);
    expect(published).toEqual([
      {
        recipients: { type: 'broadcast' },
        channel: 'pipelines:webhook-deliveries',
        message: { changed: 1 },
      },
    ]);
    for (let i = 0; i < 1000; i++) changes.changed();
    await jest.advanceTimersByTimeAsync(499);
    expect(published).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(published.map(p => p.message)).toEqual([
      { changed: 1 },
      { changed: 1000 },
    ]);
    // Quiet for longer than the interval: the next change goes at once.
    await jest.advanceTimersByTimeAsync(2000);
    changes.changed();
    await jest.advanceTimersByTimeAsync(0);
    expect(published.map(p => p.message)).toEqual([
      { changed: 1 },
      { changed: 1000 },
      { changed: 1 },
    ]);
  });

  it('sends nothing after stop', async () => {
    const { changes, published } = start();
    changes.changed();
    changes.stop();
    await jest.advanceTimersByTimeAsync(1000);
    expect(published).toEqual([]);
  });
});
