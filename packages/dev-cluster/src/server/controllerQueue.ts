import {
  ItemExponentialFailureRateLimiter,
  WorkQueue,
} from '@cairn/controller-runtime';
import { ApiError } from './status';

/** What a reconcile asks for besides success: to look at the key again later. */
export type ReconcileResult = void | { requeueAfterMs: number };

/**
 * The queue and worker of one control loop inside the API server. Each loop
 * has its own, as each of kube-controller-manager's controllers has, so one
 * loop's retries (a namespace waiting for its pods to go) never hold up
 * another's work (a new namespace's ServiceAccount). A key is reconciled by
 * one worker at a time; a reconcile that fails with an API error (a
 * conflict, a race with another writer) is retried after the key's
 * exponential back-off, while the other keys go on.
 *
 * Keys are taken on a later microtask, never inside the store listener that
 * added them: listeners must not write.
 */
export class ControllerQueue {
  private readonly queue = new WorkQueue({
    // client-go's 5 ms base; capped low, as the dev cluster's conflicts are brief.
    rateLimiter: new ItemExponentialFailureRateLimiter(5, 5_000),
  });
  private started = false;

  constructor(private readonly reconcile: (key: string) => ReconcileResult) {}

  add(key: string): void {
    this.queue.add(key);
  }

  addAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.work().catch(error =>
      // A bug, not an API error: fail as loudly as a throw in a timer would.
      setImmediate(() => {
        throw error;
      }),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = this.reconcile(key);
        this.queue.forget(key);
        if (result) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
