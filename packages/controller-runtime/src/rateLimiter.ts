/*
 * How long a key waits before its next try after failures, as client-go's
 * workqueue.ItemExponentialFailureRateLimiter: base × 2^failures, capped.
 */

export interface RateLimiter {
  /** How long `key` should wait before it is added again (and counts a failure). */
  when(key: string): number;
  /** Forgets the key's failures (it succeeded). */
  forget(key: string): void;
  /** The failures counted for `key` since it was last forgotten. */
  numRequeues(key: string): number;
}

export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  /** client-go's controller default is 5 ms doubling up to 1000 s. */
  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 1_000_000,
  ) {
    if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs))
      throw new Error(
        `rate limiter needs 0 < baseDelayMs <= maxDelayMs, got ${baseDelayMs} and ${maxDelayMs}`,
      );
  }

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** failures);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
