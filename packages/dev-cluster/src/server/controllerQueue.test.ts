import { ControllerQueue } from './controllerQueue';
import { conflict } from './status';

/** Resolves once `condition` holds, checking after each reconcile. */
function when(
  waiters: Array<() => void>,
  condition: () => boolean,
): Promise<void> {
  return new Promise(resolve => {
    const check = () => {
      if (!condition()) return;
      waiters.splice(waiters.indexOf(check), 1);
      resolve();
    };
    waiters.push(check);
    check();
  });
}

describe('ControllerQueue', () => {
  let queue: ControllerQueue | undefined;
  afterEach(() => queue?.stop());

  it('retries a key that failed with an API error while the other keys go on', async () => {
    const done: string[] = [];
    const waiters: Array<() => void> = [];
    let failures = 0;
    queue = new ControllerQueue(key => {
      if (key === 'stuck' && failures < 3) {
        failures++;
        waiters.forEach(w => w());
        throw conflict({ group: '', resource: 'configmaps' }, key, 'retry');
      }
      done.push(key);
      waiters.forEach(w => w());
    });
    queue.start();
    queue.add('stuck');
    await when(waiters, () => failures === 1);
    queue.add('fresh');
    await when(waiters, () => done.includes('fresh'));
    // The fresh key did not wait for the stuck key's retries.
    expect(failures).toBeLessThan(3);
    await when(waiters, () => done.includes('stuck'));
    expect(failures).toBe(3);
    expect(done).toEqual(['fresh', 'stuck']);
  });

  it('reconciles a key that asks for it again later, and a key added during its reconcile once more afterwards', async () => {
    const seen: string[] = [];
    const waiters: Array<() => void> = [];
    let again = true;
    queue = new ControllerQueue(key => {
      seen.push(key);
      waiters.forEach(w => w());
      if (key === 'later' && again) {
        again = false;
        return { requeueAfterMs: 20 };
      }
      if (key === 'self' && seen.length === 1) queue!.add('self');
      return undefined;
    });
    queue.start();
    queue.add('self');
    await when(waiters, () => seen.filter(k => k === 'self').length === 2);
    queue.add('later');
    await when(waiters, () => seen.filter(k => k === 'later').length === 2);
    expect(seen).toEqual(['self', 'self', 'later', 'later']);
  });
});
