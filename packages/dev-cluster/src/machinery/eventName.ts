let lastNanos = 0n;

/**
 * The name of a new core/v1 Event, as client-go's event recorder makes it:
 * `<involved object>.<UnixNano in hex>`. Kept strictly increasing within the
 * process, so events of the same millisecond (Pulling, Pulled, Created,
 * Started) list — and `kubectl describe` shows them — in the order they
 * happened.
 */
export function eventName(
  involvedName: string,
  now: Date = new Date(),
): string {
  let nanos = BigInt(now.getTime()) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return `${involvedName}.${nanos.toString(16)}`;
}
