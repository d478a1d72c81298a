import { GroupCommit } from './groupCommit';

/** A write that records its batches and waits until released. */
function heldWrites() {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const write = async (items: string[]) => {
    batches.push(items);
    await new Promise<void>(resolve => releases.push(resolve));
    if (items.includes('bad')) throw new Error('refused bad');
    return items.map(i => i.toUpperCase());
  };
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise(resolve => setImmediate(resolve));
    }
  };
  return { batches, write, releaseAll };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, and the items submitted meanwhile together in the next write', async () => {
    const { batches, write, releaseAll } = heldWrites();
    const group = new GroupCommit(write, 10);
    const first = group.submit('a');
    expect(batches).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map(i => group.submit(i));
    expect(batches).toEqual([['a']]);
    await releaseAll();
    expect(await first).toBe('A');
    expect(await Promise.all(later)).toEqual(['B', 'C', 'D']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('writes at most maxItems a write', async () => {
    const { batches, write, releaseAll } = heldWrites();
    const group = new GroupCommit(write, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map(i => group.submit(i));
    await releaseAll();
    expect(await Promise.all(all)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('fails only the item that failed: a failed write of several writes each alone', async () => {
    const { batches, write, releaseAll } = heldWrites();
    const group = new GroupCommit(write, 10);
    const first = group.submit('a');
    const others = ['b', 'bad', 'c'].map(i =>
      group.submit(i).then(
        r => r,
        (e: Error) => e.message,
      ),
    );
    await releaseAll();
    await first;
    expect(await Promise.all(others)).toEqual(['B', 'refused bad', 'C']);
    expect(batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
    // It keeps writing after a failure.
    const after = group.submit('e');
    await releaseAll();
    expect(await after).toBe('E');
  });
});
