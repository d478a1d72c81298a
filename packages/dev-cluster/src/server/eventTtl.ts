import type { ObjectStore } from '../store/objectStore';
import type { StoreEvent } from '../store/types';

/*
 * Events expire, as kube-apiserver's `--event-ttl` (default 1 h) makes them
 * do: each write of an Event gives it a lease of the TTL in etcd, and when the
 * lease runs out the Event is deleted (watchers see DELETED). Without it the
 * store would grow without bound, at four or more Events per pod.
 */

/** kube-apiserver's default `--event-ttl`. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

const RESOURCE = '/events';

/** The longest delay setTimeout accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Expiry {
  at: number;
  key: string;
  namespace: string;
  resourceVersion: string;
}

export interface EventTtlOptions {
  ttlMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Deletes each Event `ttlMs` after its last write. The TTL is the same for
 * every Event, so expiries are queued in the order of the writes; a write
 * after the one queued makes that entry stale (its resourceVersion differs)
 * and queues a new one.
 */
export class EventTtlController {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private queue: Expiry[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly store: ObjectStore,
    options: EventTtlOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_EVENT_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const watch = this.store.watch(RESOURCE, {}, e => this.onEvent(e));
    // Events already stored (a restore) get a full TTL from now, as leases
    // granted again would.
    for (const event of watch.initial) this.onEvent(event);
    this.stopWatch = watch.stop;
  }

  stop(): void {
    this.stopWatch?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  private onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED') return;
    this.queue.push({
      at: this.now() + this.ttlMs,
      key: event.key,
      namespace: event.namespace,
      resourceVersion: event.object.metadata.resourceVersion ?? '',
    });
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.head >= this.queue.length) return;
    const delay = Math.min(
      MAX_TIMER_MS,
      Math.max(0, this.queue[this.head].at - this.now()),
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, delay);
    this.timer.unref?.();
  }

  /** Deletes every Event whose TTL has run out; returns how many. */
  expire(): number {
    const now = this.now();
    let deleted = 0;
    while (this.head < this.queue.length && this.queue[this.head].at <= now) {
      const { key, namespace, resourceVersion } = this.queue[this.head++];
      const current = this.store.get(RESOURCE, key);
      // A later write renewed it (a newer entry is queued) or it is gone.
      if (!current || current.metadata.resourceVersion !== resourceVersion)
        continue;
      this.store.delete(RESOURCE, key, namespace, resourceVersion);
      deleted++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.arm();
    return deleted;
  }
}
