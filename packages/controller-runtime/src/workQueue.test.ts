import { ItemExponentialFailureRateLimiter } from './rateLimiter';
import { WorkQueue } from './workQueue';

/*
 * client-go's workqueue semantics, step by step: every assertion follows
 * from the calls before it, none from how long anything took.
 */

function queueWithMetrics() {
  const counts = { added: 0, taken: 0, finished: 0, retried: 0 };
  const queue = new WorkQueue({
    rateLimiter: new ItemExponentialFailureRateLimiter(1, 1000),
    metrics: {
      added: () => counts.added++,
      taken: () => counts.taken++,
      finished: () => counts.finished++,
      retried: () => counts.retried++,
    },
  });
  return { queue, counts };
}

describe('WorkQueue', () => {
  it('hands keys out in order, each once however often it was added', async () => {
    const { queue, counts } = queueWithMetrics();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.len()).toBe(0);
    expect(counts.added).toBe(2);
  });

  it('never hands out a key that is being processed; one added meanwhile comes back after done', async () => {
    const { queue } = queueWithMetrics();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    queue.add('b');
    // 'a' is processing: only 'b' is there for a second worker.
    expect(queue.len()).toBe(1);
    expect(queue.depth()).toBe(2);
    expect(await queue.get()).toBe('b');
    expect(queue.len()).toBe(0);
    queue.done('a');
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    queue.done('b');
    expect(queue.len()).toBe(0);
    expect(queue.depth()).toBe(0);
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const { queue } = queueWithMetrics();
    const next = queue.get();
    queue.add('a');
    expect(await next).toBe('a');
  });

  it('backs a failing key off exponentially, and forget starts it over', () => {
    const delays: number[] = [];
    const limiter = new ItemExponentialFailureRateLimiter(5, 40);
    const queue = new WorkQueue({
      rateLimiter: {
        when: key => {
          const ms = limiter.when(key);
          delays.push(ms);
          return ms;
        },
        forget: key => limiter.forget(key),
        numRequeues: key => limiter.numRequeues(key),
      },
    });
    for (let i = 0; i < 5; i++) queue.addRateLimited('a');
    expect(delays).toEqual([5, 10, 20, 40, 40]);
    expect(queue.numRequeues('a')).toBe(5);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    queue.addRateLimited('a');
    expect(delays.at(-1)).toBe(5);
    queue.shutDown();
  });

  it('adds a rate-limited key once its back-off has passed', async () => {
    const { queue, counts } = queueWithMetrics();
    queue.addRateLimited('a');
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBe('a');
    expect(counts.retried).toBe(1);
    queue.done('a');
  });

  it('keeps the earlier of two delayed adds of a key', async () => {
    const { queue } = queueWithMetrics();
    queue.addAfter('late', 60_000);
    queue.addAfter('a', 60_000);
    queue.addAfter('a', 1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    queue.shutDown();
  });

  it('on shutdown, releases waiting workers and drops queued and delayed keys', async () => {
    const { queue } = queueWithMetrics();
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();

    const { queue: busy } = queueWithMetrics();
    busy.add('a');
    busy.add('b');
    busy.addAfter('c', 1);
    expect(await busy.get()).toBe('a');
    busy.shutDown();
    busy.add('d');
    expect(busy.isShuttingDown()).toBe(true);
    expect(await busy.get()).toBeUndefined();
    // The key under way finishes normally.
    busy.done('a');
    expect(busy.depth()).toBe(0);
  });
});
