/*
 * The controller's work queue, as client-go's: a key is reconciled by one
 * worker at a time, a key added while it runs is reconciled once more
 * afterwards, failures are retried with exponential back-off, and at most
 * `concurrency` keys run at once.
 */

const RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;

export interface WorkQueueOptions {
  /** Reconciles a key; resolves with when to look again (ms), if ever. */
  reconcile: (key: string) => Promise<number | undefined>;
  concurrency: number;
  /** Receives failures (the key is retried). */
  onError: (error: unknown) => void;
}

export class WorkQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.waiting.push(key);
    this.pump();
  }

  /** Adds the key after a delay (replacing an earlier delayed add of it). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
    this.queued.clear();
  }

  private pump(): void {
    while (
      !this.stopped &&
      this.running.size < this.options.concurrency &&
      this.waiting.length > 0
    ) {
      const key = this.waiting.shift()!;
      this.queued.delete(key);
      this.running.add(key);
      setImmediate(() => this.run(key));
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const requeueAfter = await this.options.reconcile(key);
      this.failures.delete(key);
      if (requeueAfter !== undefined) this.addAfter(key, requeueAfter);
    } catch (error) {
      if (!this.stopped) {
        const failures = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, failures);
        this.options.onError(error);
        this.addAfter(
          key,
          Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** (failures - 1)),
        );
      }
    } finally {
      this.running.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
