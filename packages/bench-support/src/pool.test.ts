import { pool } from './pool';

describe('pool', () => {
  it('runs every index once with at most `concurrency` in flight', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    await pool(10, 3, async index => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise(resolve => setImmediate(resolve));
      seen.push(index);
      inFlight -= 1;
    });
    expect([...seen].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(most).toBe(3);
  });

  it('does nothing for no tasks', async () => {
    const task = jest.fn(async () => {});
    await pool(0, 4, task);
    expect(task).not.toHaveBeenCalled();
  });
});
