/**
 * The kubelet's exponential back-off (client-go's flowcontrol.Backoff without
 * jitter), used for CrashLoopBackOff and ImagePullBackOff: 10s, doubling per
 * failure, capped at 5m; an entry untouched for twice the cap (10 minutes,
 * e.g. a container that ran that long) starts over at 10s.
 */

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface BackoffEntry {
  backoffMs: number;
  lastUpdateMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  /** The current delay for a key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a failure at `nowMs`: the delay doubles, or starts at the initial delay. */
  next(key: string, eventTimeMs: number, nowMs: number): void {
    const entry = this.entries.get(key);
    const backoffMs =
      !entry || this.hasExpired(eventTimeMs, entry.lastUpdateMs)
        ? this.initialMs
        : Math.min(entry.backoffMs * 2, this.maxMs);
    this.entries.set(key, { backoffMs, lastUpdateMs: nowMs });
  }

  /** Whether, at `nowMs`, the key is still backing off from an event at `eventTimeMs`. */
  isInBackOffSince(key: string, eventTimeMs: number, nowMs: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventTimeMs, entry.lastUpdateMs))
      return false;
    return nowMs - eventTimeMs < entry.backoffMs;
  }

  /** Like isInBackOffSince, measured from the last update (the image puller's check). */
  isInBackOffSinceUpdate(key: string, nowMs: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(nowMs, entry.lastUpdateMs)) return false;
    return nowMs - entry.lastUpdateMs < entry.backoffMs;
  }

  /** When the back-off that began at the key's last update ends. */
  endOfBackOffSinceUpdate(key: string): number {
    const entry = this.entries.get(key);
    return entry ? entry.lastUpdateMs + entry.backoffMs : 0;
  }

  /** Forgets a key (the pod is gone, or the image pulled). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  private hasExpired(eventTimeMs: number, lastUpdateMs: number): boolean {
    return eventTimeMs - lastUpdateMs > this.maxMs * 2;
  }
}

/** Formats milliseconds as Go's time.Duration String() does: 100ms, 10s, 1.5s, 1m20s, 5m0s. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = `${(ms % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
