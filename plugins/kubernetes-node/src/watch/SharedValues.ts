import { createHash } from 'node:crypto';

/**
 * Keeps one copy of equal JSON values across the objects of a cache
 * (hash-consing). Kubernetes objects repeat large parts of each other: every
 * PipelineRun of a Pipeline carries the same resolved `pipelineSpec`, every
 * TaskRun of an inline Task the same `taskSpec`, so a cache of thousands of
 * runs holds thousands of equal copies. Passing such a part through
 * {@link SharedValues.share} gives back the one copy already held, if any.
 *
 * Shared values are deep-frozen: a reader that tried to change one would
 * change every object holding it, so it throws instead. A value is kept
 * only while some object holds it (a `WeakRef`); what the table keeps per
 * distinct value is its SHA-256, so values that turn out to be unique cost
 * little more than themselves.
 * @public
 */
export class SharedValues {
  private readonly byHash = new Map<string, WeakRef<object>>();
  private readonly cleanup = new FinalizationRegistry<string>(hash => {
    if (this.byHash.get(hash)?.deref() === undefined) this.byHash.delete(hash);
  });

  /** The copy of `value` already held, or `value` itself (then frozen). */
  share<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    const hash = createHash('sha256')
      .update(JSON.stringify(value))
      .digest('base64');
    const held = this.byHash.get(hash)?.deref();
    if (held) return held as T;
    deepFreeze(value);
    this.byHash.set(hash, new WeakRef(value));
    this.cleanup.register(value, hash);
    return value;
  }

  /** Distinct values held now (tests). */
  get size(): number {
    return this.byHash.size;
  }
}

function deepFreeze(value: object): void {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child);
  }
  Object.freeze(value);
}
