import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * A killed dev cluster (SIGKILL, then started again on the same state) does
 * what a node reboot does: the containers that were running are gone and
 * reported so (exit 137, ContainerStatusUnknown), restarted only as their
 * pod's restartPolicy says with restartCount + 1, and their logs from
 * before are kept. A Tekton step that was running fails its TaskRun.
 */

jest.setTimeout(180_000);

const ENTRY = resolve(__dirname, '../bin/devCluster.ts');

/** Polls `read` until it returns something, for at most a minute. */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise(r => setTimeout(r, 200));
  }
}

/** Starts the standalone dev cluster on `dir` and resolves once it prints `ready`. */
function startProcess(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ENTRY,
      '--state-dir',
      dir,
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--persist',
      join(dir, 'state.json'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolvePromise, reject) => {
    let output = '';
    child.stdout!.on('data', chunk => {
      output += chunk;
      if (output.includes('ready\n')) resolvePromise(child);
    });
    child.stderr!.resume();
    child.once('exit', code =>
      reject(new Error(`dev cluster exited with ${code}`)),
    );
  });
}

const pod = (name: string, restartPolicy: string, script: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy,
      containers: [
        { name: 'app', image: 'busybox:1.36', command: ['sh', '-c', script] },
      ],
    },
  });

const taskRun = JSON.stringify({
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  metadata: { name: 'long' },
  spec: {
    taskSpec: {
      steps: [
        {
          name: 'wait',
          image: 'busybox:1.36',
          script: 'echo waiting\nsleep 1000',
        },
      ],
    },
  },
});

describe('a dev cluster killed and started again', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  const kubectl = (
    args: string[],
    input?: string,
  ): Promise<{ stdout: string; stderr: string; code: number }> =>
    new Promise(resolvePromise => {
      const run = execFile(
        'kubectl',
        ['--kubeconfig', join(dir, 'kubeconfig'), ...args],
        { env: { ...process.env, KUBECACHEDIR: join(dir, 'kubecache') } },
        (error, stdout, stderr) =>
          resolvePromise({
            stdout,
            stderr,
            code: error ? (error as any).code ?? 1 : 0,
          }),
      );
      if (input !== undefined) run.stdin!.end(input);
    });
  const getJson = async (...args: string[]) =>
    JSON.parse((await kubectl(['get', ...args, '-o', 'json'])).stdout);
  const appStatus = (p: any) =>
    p.status.containerStatuses?.find((c: any) => c.name === 'app');
  /** The pods and TaskRuns as the persist file holds them. */
  const persisted = () => {
    try {
      return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    } catch {
      return undefined; // not written yet, or being replaced
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dev-cluster-crash-'));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise(r => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports running containers as lost, restarts them only per restartPolicy and keeps their logs', async () => {
    child = await startProcess(dir);
    for (const manifest of [
      pod('always', 'Always', 'echo started; sleep 1000'),
      pod('never', 'Never', 'echo ran; sleep 1000'),
      pod('done', 'Never', 'echo finished'),
      taskRun,
    ]) {
      const created = await kubectl(['create', '-f', '-'], manifest);
      expect(created.stderr).toBe('');
    }
    const before = await eventually(async () => {
      const pods = await getJson('pods');
      const byName = Object.fromEntries(
        pods.items.map((p: any) => [p.metadata.name, p]),
      );
      const ready =
        appStatus(byName.always ?? {})?.state?.running &&
        appStatus(byName.never ?? {})?.state?.running &&
        byName.done?.status.phase === 'Succeeded' &&
        byName['long-pod']?.status.containerStatuses?.[0]?.state?.running;
      return ready ? byName : undefined;
    });
    // The kill comes once the persist file holds what the API answered.
    await eventually(async () => {
      const state = JSON.stringify(persisted() ?? {});
      return [
        appStatus(before.always).containerID,
        appStatus(before.never).containerID,
        before['long-pod'].status.containerStatuses[0].containerID,
      ].every(id => state.includes(id))
        ? true
        : undefined;
    });
    const killed = new Promise(r => child!.once('exit', r));
    child.kill('SIGKILL');
    await killed;

    child = await startProcess(dir);

    const always = await eventually(async () => {
      const p = await getJson('pod', 'always');
      return appStatus(p)?.restartCount === 1 && appStatus(p).state.running
        ? p
        : undefined;
    });
    expect(always.metadata.uid).toBe(before.always.metadata.uid);
    expect(appStatus(always).lastState.terminated).toMatchObject({
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      containerID: appStatus(before.always).containerID,
    });
    expect((await kubectl(['logs', 'always', '--previous'])).stdout).toBe(
      'started\n',
    );
    const current = await eventually(async () => {
      const read = await kubectl(['logs', 'always']);
      return read.stdout || undefined;
    });
    expect(current).toBe('started\n');

    const never = await eventually(async () => {
      const p = await getJson('pod', 'never');
      return p.status.phase === 'Failed' ? p : undefined;
    });
    expect(appStatus(never)).toMatchObject({
      restartCount: 0,
      containerID: appStatus(before.never).containerID,
      state: {
        terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' },
      },
    });
    expect((await kubectl(['logs', 'never'])).stdout).toBe('ran\n');

    const done = await getJson('pod', 'done');
    expect(done.status.phase).toBe('Succeeded');
    expect(appStatus(done)).toEqual(appStatus(before.done));
    expect((await kubectl(['logs', 'done'])).stdout).toBe('finished\n');
    // Following the log of a container that ended before the restart gives
    // the whole log and ends, as for any ended container.
    expect((await kubectl(['logs', '--follow', 'done'])).stdout).toBe(
      'finished\n',
    );

    // Its step's pod failed, so the TaskRun fails rather than run it again.
    const run = await eventually(async () => {
      const r = await getJson('taskrun', 'long');
      const succeeded = r.status?.conditions?.find(
        (c: any) => c.type === 'Succeeded',
      );
      return succeeded?.status === 'False' ? r : undefined;
    });
    expect(run.status.steps[0].terminated).toMatchObject({ exitCode: 137 });
  });
});
