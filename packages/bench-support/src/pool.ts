/** Runs `task(0)` … `task(count - 1)` with at most `concurrency` in flight. */
export async function pool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from(
    { length: Math.min(concurrency, count) },
    async () => {
      while (next < count) await task(next++);
    },
  );
  await Promise.all(workers);
}
