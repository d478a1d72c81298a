import { Controller, ReconcileResult } from './controller';
import { jsonLogger, silentLogger } from './logger';
import { ControllerMetrics } from './metrics';
import { ItemExponentialFailureRateLimiter } from './rateLimiter';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise(resolve => setImmediate(resolve));
}

describe('Controller', () => {
  it('reconciles a key by one worker at a time, and once more if it was queued meanwhile', async () => {
    const calls: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const gate = deferred();
    const controller = new Controller({
      name: 'test',
      concurrency: 4,
      logger: silentLogger,
      reconcile: async key => {
        calls.push(key);
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        if (calls.length === 1) await gate.promise;
        running--;
      },
    });
    controller.start();
    controller.enqueue('a');
    await until(() => calls.length === 1);
    controller.enqueue('a');
    controller.enqueue('a');
    // Four workers, yet the second 'a' waits for the first.
    await new Promise(resolve => setImmediate(resolve));
    expect(calls).toEqual(['a']);
    gate.resolve();
    await until(() => calls.length === 2);
    await controller.stop();
    expect(calls).toEqual(['a', 'a']);
    expect(mostAtOnce).toBe(1);
  });

  it('runs at most `concurrency` keys at once', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let finished = 0;
    const controller = new Controller({
      name: 'test',
      concurrency: 2,
      logger: silentLogger,
      reconcile: async () => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise(resolve => setImmediate(resolve));
        running--;
        finished++;
      },
    });
    controller.start();
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) controller.enqueue(key);
    await until(() => finished === 6);
    await controller.stop();
    expect(mostAtOnce).toBe(2);
  });

  it('retries a failing key with back-off, reports the error, and counts results as controller-runtime', async () => {
    const metrics = new ControllerMetrics();
    const errors: Array<[unknown, string]> = [];
    let attempts = 0;
    const succeeded = deferred();
    const controller = new Controller({
      name: 'flaky',
      metrics,
      rateLimiter: new ItemExponentialFailureRateLimiter(1, 10),
      onError: (error, key) => errors.push([error, key]),
      reconcile: async (): Promise<ReconcileResult | void> => {
        attempts++;
        if (attempts <= 2) throw new Error('boom');
        if (attempts === 3) return { requeue: true };
        succeeded.resolve();
        return undefined;
      },
    });
    controller.start();
    controller.enqueue('ns/x');
    await succeeded.promise;
    await controller.stop();
    expect(errors).toEqual([
      [new Error('boom'), 'ns/x'],
      [new Error('boom'), 'ns/x'],
    ]);
    const text = await metrics.text();
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="flaky",result="error"} 2',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="flaky",result="requeue"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="flaky",result="success"} 1',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_errors_total{controller="flaky"} 2',
    );
    expect(text).toContain(
      'workqueue_retries_total{name="flaky",controller="flaky"} 3',
    );
    expect(text).toContain(
      'workqueue_adds_total{name="flaky",controller="flaky"} 4',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_time_seconds_count{controller="flaky"} 4',
    );
    expect(text).toContain(
      'workqueue_depth{name="flaky",controller="flaky"} 0',
    );
  });

  it('looks again after requeueAfterMs', async () => {
    let attempts = 0;
    const twice = deferred();
    const controller = new Controller({
      name: 'poller',
      logger: silentLogger,
      reconcile: async () => {
        if (++attempts === 2) twice.resolve();
        return attempts === 1 ? { requeueAfterMs: 1 } : undefined;
      },
    });
    controller.start();
    controller.enqueue('a');
    await twice.promise;
    await controller.stop();
    expect(attempts).toBe(2);
  });

  it('waits on stop for the reconciles under way, and takes no more keys', async () => {
    const gate = deferred();
    const started = deferred();
    const calls: string[] = [];
    const controller = new Controller({
      name: 'test',
      logger: silentLogger,
      reconcile: async key => {
        calls.push(key);
        started.resolve();
        await gate.promise;
      },
    });
    controller.start();
    controller.enqueue('a');
    controller.enqueue('b');
    await started.promise;
    let stopped = false;
    const stopping = controller.stop().then(() => {
      stopped = true;
    });
    await new Promise(resolve => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(calls).toEqual(['a']);
  });

  it("logs a failed reconcile as one JSON line with the controller's name and the object's key", async () => {
    const lines: string[] = [];
    const failed = deferred();
    const controller = new Controller({
      name: 'stone',
      logger: jsonLogger(line => {
        lines.push(line);
        if (line.includes('Reconciler error')) failed.resolve();
      }),
      reconcile: async () => {
        throw new Error('pods "web-a-0" is forbidden');
      },
    });
    controller.start();
    controller.enqueue('shop/web');
    await failed.promise;
    await controller.stop();
    const logged = lines.map(line => JSON.parse(line));
    expect(logged.find(l => l.msg === 'Reconciler error')).toEqual({
      level: 'error',
      ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      msg: 'Reconciler error',
      controller: 'stone',
      key: 'shop/web',
      error: 'pods "web-a-0" is forbidden',
    });
    expect(lines.every(line => line.endsWith('\n'))).toBe(true);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(
      () =>
        new Controller({
          name: 'x',
          concurrency: 0,
          reconcile: async () => {},
        }),
    ).toThrow('controller x: concurrency must be a positive integer, got 0');
  });
});
