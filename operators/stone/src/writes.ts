import type { StoneAction } from '@cairn/operators-api';

/*
 * A wave of an update writes hundreds of pods (maxUnavailable of each
 * group); one after another, a reconcile would take seconds of round trips.
 * Writes to different pods do not depend on each other, so consecutive pod
 * writes of one kind go out a few at a time; every other write, and the
 * order between kinds (claims before pods, status last), stays sequential.
 */
export const POD_WRITE_CONCURRENCY = 16;
const PER_POD_WRITES = new Set<StoneAction['type']>([
  'createPod',
  'deletePod',
  'patchPod',
  'patchPodStatus',
]);

/** The writes in order, as batches: a run of one kind of pod write, or one other write. */
export function writeBatches(actions: StoneAction[]): StoneAction[][] {
  const batches: StoneAction[][] = [];
  for (const action of actions) {
    const last = batches[batches.length - 1];
    if (last && PER_POD_WRITES.has(action.type) && last[0].type === action.type)
      last.push(action);
    else batches.push([action]);
  }
  return batches;
}

/** Runs `work` on every item, at most `limit` at once; rejects with the first failure once all have settled. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  if (failures.length) throw failures[0];
}
