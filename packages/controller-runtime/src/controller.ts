import { jsonLogger, Logger } from './logger';
import type { ControllerMetrics, ReconcileOutcome } from './metrics';
import type { RateLimiter } from './rateLimiter';
import { WorkQueue } from './workQueue';

/*
 * One controller's reconcile loop, as controller-runtime's: `concurrency`
 * workers take keys from the controller's own rate-limited queue (so one
 * key is reconciled by one worker at a time), and the result decides what
 * happens next: an error or `requeue` retries with the key's exponential
 * back-off, `requeueAfterMs` looks again after that long (back-off
 * forgotten), and success forgets the back-off.
 */

/** What a reconcile asks for; nothing means done until the next event. */
export interface ReconcileResult {
  /** Reconcile again with back-off, though nothing failed. */
  requeue?: boolean;
  /** Reconcile again after this many milliseconds. */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconcile;
  /** Workers, i.e. keys reconciled at once (controller-runtime's MaxConcurrentReconciles); 1 by default. */
  concurrency?: number;
  rateLimiter?: RateLimiter;
  metrics?: ControllerMetrics;
  logger?: Logger;
  /** Receives reconcile errors (the key is retried); logged by default. */
  onError?: (error: unknown, key: string) => void;
}

export class Controller {
  readonly name: string;
  private readonly queue: WorkQueue;
  private readonly concurrency: number;
  private readonly logger: Logger;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: ControllerOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(
        `controller ${options.name}: concurrency must be a positive integer, got ${concurrency}`,
      );
    this.name = options.name;
    this.concurrency = concurrency;
    this.logger = (options.logger ?? jsonLogger()).child({
      controller: options.name,
    });
    this.queue = new WorkQueue({
      rateLimiter: options.rateLimiter,
      metrics: options.metrics?.workQueue(options.name, () =>
        this.queue.depth(),
      ),
    });
  }

  /** Queues a key (`namespace/name`, or whatever the reconcile understands). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /** Starts the workers; keys enqueued before are reconciled now. */
  start(): void {
    if (this.workers.length) return;
    this.options.metrics?.controllerStarted(this.name, this.concurrency);
    this.logger.info('Starting workers', {
      'worker count': this.concurrency,
    });
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.work());
  }

  /** Stops taking keys and waits for the reconciles under way to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const { metrics } = this.options;
    metrics?.reconcileStarted(this.name);
    const started = performance.now();
    let outcome: ReconcileOutcome;
    try {
      const result = (await this.options.reconcile(key)) ?? {};
      if (result.requeueAfterMs !== undefined) {
        this.queue.forget(key);
        this.queue.addAfter(key, result.requeueAfterMs);
        outcome = 'requeue_after';
      } else if (result.requeue) {
        this.queue.addRateLimited(key);
        outcome = 'requeue';
      } else {
        this.queue.forget(key);
        outcome = 'success';
      }
    } catch (error) {
      outcome = 'error';
      if (!this.queue.isShuttingDown()) {
        this.queue.addRateLimited(key);
        if (this.options.onError) this.options.onError(error, key);
        else this.logger.error('Reconciler error', error, { key });
      }
    }
    metrics?.reconciled(
      this.name,
      outcome,
      (performance.now() - started) / 1000,
    );
  }
}
