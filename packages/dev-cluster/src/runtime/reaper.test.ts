import { spawn } from 'node:child_process';
import { REAPER_SCRIPT } from './reaper';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise(r => setTimeout(r, 50));
}

describe('the process-group reaper', () => {
  it('kills the groups still listed when its input ends, and spares the ones that ended', async () => {
    const sleeper = () =>
      spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const kept = sleeper();
    const ended = sleeper();
    const watcher = spawn('/bin/sh', ['-c', REAPER_SCRIPT], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    try {
      watcher.stdin.write(`+${kept.pid}\n+${ended.pid}\n-${ended.pid}\n`);
      // The dev cluster's process is gone: the pipe closes.
      watcher.stdin.end();
      await new Promise(r => watcher.once('exit', r));
      await until(() => kept.exitCode !== null || kept.signalCode !== null);
      expect(kept.signalCode).toBe('SIGKILL');
      expect(alive(ended.pid!)).toBe(true);
    } finally {
      process.kill(-ended.pid!, 'SIGKILL');
      if (alive(kept.pid!)) process.kill(-kept.pid!, 'SIGKILL');
    }
  });
});
