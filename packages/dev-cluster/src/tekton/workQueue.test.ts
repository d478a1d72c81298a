import { WorkQueue } from './workQueue';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

const tick = () => new Promise(resolve => setImmediate(resolve));

describe('WorkQueue', () => {
  it('runs a key once at a time, and once more when added meanwhile', async () => {
    const calls: string[] = [];
    const gate = deferred();
    const queue = new WorkQueue({
      concurrency: 4,
      onError: () => {},
      reconcile: async key => {
        calls.push(key);
        if (calls.length === 1) await gate.promise;
        return undefined;
      },
    });
    queue.add('a');
    await tick();
    queue.add('a');
    queue.add('a');
    expect(calls).toEqual(['a']);
    gate.resolve();
    for (let i = 0; i < 100 && calls.length < 2; i++) await tick();
    for (let i = 0; i < 10; i++) await tick();
    expect(calls).toEqual(['a', 'a']);
    queue.stop();
  });

  it('runs at most `concurrency` keys at once', async () => {
    let running = 0;
    let most = 0;
    const done = deferred();
    let finished = 0;
    const queue = new WorkQueue({
      concurrency: 2,
      onError: () => {},
      reconcile: async () => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        if (++finished === 6) done.resolve();
        return undefined;
      },
    });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) queue.add(key);
    await done.promise;
    expect(most).toBe(2);
    queue.stop();
  });

  it('retries failures and reports them', async () => {
    const errors: unknown[] = [];
    const succeeded = deferred();
    let attempts = 0;
    const queue = new WorkQueue({
      concurrency: 1,
      onError: error => errors.push(error),
      reconcile: async () => {
        if (++attempts === 1) throw new Error('boom');
        succeeded.resolve();
        return undefined;
      },
    });
    queue.add('a');
    await succeeded.promise;
    expect(attempts).toBe(2);
    expect(errors).toEqual([new Error('boom')]);
    queue.stop();
  });
});
