/**
 * Group commit: the items submitted while a write is in flight are written
 * together by the next one, so concurrent callers share one statement (one
 * round trip, one commit) instead of queueing a transaction each. An item
 * submitted when nothing is in flight is written at once, alone: no timer,
 * no added wait when traffic is light.
 *
 * Each caller's promise settles once its item's write did. When a write of
 * several items fails, each is written again alone, so one item the
 * database refuses fails its caller only.
 */
export class GroupCommit<T, R> {
  private readonly queue: Array<{
    item: T;
    resolve: (result: R) => void;
    reject: (error: unknown) => void;
  }> = [];
  private writing = false;

  /**
   * @param write - writes items, answering one result per item, in order
   * @param maxItems - at most this many items a write
   */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxItems: number,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxItems);
        try {
          const results = await this.write(batch.map(b => b.item));
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          await Promise.all(
            batch.map(b =>
              this.write([b.item]).then(
                ([result]) => b.resolve(result),
                b.reject,
              ),
            ),
          );
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
