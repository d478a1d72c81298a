import type { StoneAction } from '@cairn/operators-api';
import { inParallel, writeBatches } from './writes';

const patch = (name: string): StoneAction => ({
  type: 'patchPod',
  name,
  patch: [],
});
const gate = (name: string): StoneAction => ({
  type: 'patchPodStatus',
  name,
  patch: {},
});
const status: StoneAction = {
  type: 'updateStatus',
  status: {} as Extract<StoneAction, { type: 'updateStatus' }>['status'],
};
const claim = (name: string): StoneAction => ({
  type: 'createClaim',
  claim: { metadata: { name } },
});

describe('writeBatches', () => {
  it('batches runs of one kind of pod write and keeps the order between kinds', () => {
    const batches = writeBatches([
      claim('data-web-a-0'),
      claim('data-web-a-1'),
      gate('web-a-0'),
      gate('web-a-1'),
      patch('web-a-2'),
      patch('web-a-3'),
      gate('web-a-4'),
      status,
    ]);
    expect(
      batches.map(b =>
        b.map(a => ('name' in a ? `${a.type} ${a.name}` : a.type)),
      ),
    ).toEqual([
      ['createClaim'],
      ['createClaim'],
      ['patchPodStatus web-a-0', 'patchPodStatus web-a-1'],
      ['patchPod web-a-2', 'patchPod web-a-3'],
      ['patchPodStatus web-a-4'],
      ['updateStatus'],
    ]);
  });

  it('has nothing to batch in no writes', () => {
    expect(writeBatches([])).toEqual([]);
  });
});

describe('inParallel', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await inParallel([1, 2, 3, 4, 5, 6, 7], 3, async n => {
      running++;
      most = Math.max(most, running);
      await new Promise(resolve => setImmediate(resolve));
      running--;
      done.push(n);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('finishes the others, then rejects with the first failure', async () => {
    const done: number[] = [];
    await expect(
      inParallel([1, 2, 3, 4], 2, async n => {
        await new Promise(resolve => setImmediate(resolve));
        if (n === 2) throw new Error('two failed');
        if (n === 3) throw new Error('three failed');
        done.push(n);
      }),
    ).rejects.toThrow('two failed');
    expect(done.sort()).toEqual([1, 4]);
  });
});
