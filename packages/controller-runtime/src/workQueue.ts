import { ItemExponentialFailureRateLimiter, RateLimiter } from './rateLimiter';

/*
 * A rate-limited, delaying work queue with client-go's workqueue semantics:
 * a key is in the queue at most once (`dirty`), is handed to one worker at a
 * time (`processing`), and a key added while it is processed goes back in
 * the queue when its worker calls done, so it is processed once more
 * afterwards, never twice at once.
 */

/** What a queue reports, as client-go's workqueue metrics provider. */
export interface WorkQueueMetrics {
  /** A key entered the queue. */
  added(): void;
  /** A worker took a key that waited `seconds` in the queue. */
  taken(seconds: number): void;
  /** A worker finished a key after `seconds` of work. */
  finished(seconds: number): void;
  /** A key was added back rate-limited (a retry). */
  retried(): void;
}

export interface WorkQueueOptions {
  rateLimiter?: RateLimiter;
  metrics?: WorkQueueMetrics;
}

export class WorkQueue {
  /** Keys waiting for a worker, in order; `head` is the next. */
  private queue: string[] = [];
  private head = 0;
  /** Keys that need processing: queued, or added again while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** When each queued key was added (for the queue-duration metric). */
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly delayed = new Map<
    string,
    { readyAt: number; timer: NodeJS.Timeout }
  >();
  /** Workers blocked in get(), waiting for a key. */
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private readonly rateLimiter: RateLimiter;
  private readonly metrics?: WorkQueueMetrics;

  constructor(options: WorkQueueOptions = {}) {
    this.rateLimiter =
      options.rateLimiter ?? new ItemExponentialFailureRateLimiter();
    this.metrics = options.metrics;
  }

  /** Keys that need processing, queued or added again while processing (workqueue_depth). */
  depth(): number {
    return this.dirty.size;
  }

  /** Keys waiting for a worker. */
  len(): number {
    return this.queue.length - this.head;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.added();
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /**
   * Adds the key once `ms` have passed. A key already waiting keeps the
   * earlier of its two times, as client-go's delaying queue does.
   */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = performance.now() + ms;
    const waiting = this.delayed.get(key);
    if (waiting && waiting.readyAt <= readyAt) return;
    if (waiting) clearTimeout(waiting.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds the key after its rate limiter's back-off (a retry after a failure). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Ends the key's back-off: its next failure waits the base delay again. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to process, once there is one; undefined once the queue is
   * shut down and drained. The caller must call done(key) when finished.
   */
  get(): Promise<string | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise(resolve => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined)
      this.metrics?.finished((performance.now() - started) / 1000);
    if (this.dirty.has(key)) this.push(key);
  }

  /**
   * Stops taking keys: delayed adds are dropped, queued keys are forgotten,
   * and every worker waiting in get() gets undefined. Keys being processed
   * finish normally.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const key of this.queue.slice(this.head)) {
      this.dirty.delete(key);
      this.addedAt.delete(key);
    }
    this.queue = [];
    this.head = 0;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queue.push(key);
      waiter(this.take());
      return;
    }
    this.queue.push(key);
  }

  private take(): string {
    const key = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    const now = performance.now();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics?.taken((now - added) / 1000);
    this.startedAt.set(key, now);
    return key;
  }
}
