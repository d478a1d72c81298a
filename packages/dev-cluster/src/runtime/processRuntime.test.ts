import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ContainerConfig,
  ContainerStartError,
  ProcessRuntime,
} from './processRuntime';
import { detectIsolation } from './sandbox';
import { StreamSession } from './session';

let stateDir: string;
let runtime: ProcessRuntime;

/*
 * Every behaviour holds for isolated containers (where bubblewrap works
 * here; scripts/test installs it) and for plain host processes (the
 * fallback without it).
 */
const isolated = detectIsolation().available;
const modes: Array<[string, false | undefined]> = [
  ['plain host processes', false],
  ...(isolated
    ? [['isolated containers', undefined] as [string, undefined]]
    : []),
];

afterEach(async () => {
  await runtime.shutdown();
  rmSync(stateDir, { recursive: true, force: true });
});

function config(overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    podUid: 'uid-1',
    podName: 'web',
    namespace: 'default',
    name: 'main',
    image: 'registry.example/app:1',
    ...overrides,
  };
}

/** Collects a session's output until it ends. */
async function collect(session: StreamSession) {
  let stdout = '';
  let stderr = '';
  session.on('stdout', (d: Buffer) => (stdout += d.toString()));
  session.on('stderr', (d: Buffer) => (stderr += d.toString()));
  const end = await session.finished();
  return { stdout, stderr, end };
}

/** Resolves once the session's stdout contains the text. */
function waitForOutput(session: StreamSession, text: string): Promise<string> {
  let seen = '';
  return new Promise(resolve => {
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) {
        session.off('stdout', onData);
        resolve(seen);
      }
    };
    session.on('stdout', onData);
  });
}

describe.each(modes)('ProcessRuntime with %s', (_mode, isolation) => {
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'runtime-'));
    runtime = new ProcessRuntime({ stateDir, isolation });
  });

  it('runs a command and records its exit code and output in CRI format', async () => {
    const info = await runtime.startContainer(
      config({
        command: ['sh', '-c'],
        args: ['echo one; echo two; echo oops >&2; exit 3'],
      }),
    );
    expect(info).toMatchObject({
      idle: false,
      attempt: 0,
      id: expect.stringMatching(/^cairn:\/\/[0-9a-f]{64}$/),
    });
    expect(info.pid).toBeGreaterThan(0);
    const exit = await runtime.waitForExit(info.id);
    expect(exit.exitCode).toBe(3);
    expect(exit.signal).toBeUndefined();
    const lines = readFileSync(info.logPath, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z (stdout|stderr) F .*$/,
      );
    }
    expect(
      lines.filter(l => l.includes(' stdout F ')).map(l => l.split(' F ')[1]),
    ).toEqual(['one', 'two']);
    expect(lines.find(l => l.includes(' stderr F '))).toMatch(
      / stderr F oops$/,
    );
    expect(info.logPath).toContain(
      join('logs', 'default_web_uid-1', 'main', '0.log'),
    );
  });

  it('serves logs with tailLines, timestamps, limitBytes, sinceTime and previous', async () => {
    const first = await runtime.startContainer(
      config({ command: ['sh', '-c', 'echo first-run'] }),
    );
    await runtime.waitForExit(first.id);
    const second = await runtime.startContainer(
      config({
        command: ['sh', '-c', 'for i in 1 2 3 4; do echo line-$i; done'],
      }),
    );
    await runtime.waitForExit(second.id);
    expect(second.attempt).toBe(1);
    expect(runtime.readLogs('uid-1', 'main')).toBe(
      'line-1\nline-2\nline-3\nline-4\n',
    );
    expect(runtime.readLogs('uid-1', 'main', { previous: true })).toBe(
      'first-run\n',
    );
    expect(runtime.readContainerLogs(first.id)).toBe('first-run\n');
    expect(runtime.readContainerLogs('cairn://unknown')).toBeUndefined();
    expect(runtime.readLogs('uid-1', 'main', { tailLines: 2 })).toBe(
      'line-3\nline-4\n',
    );
    expect(runtime.readLogs('uid-1', 'main', { limitBytes: 9 })).toBe(
      'line-1\nli',
    );
    expect(
      runtime.readLogs('uid-1', 'main', { tailLines: 1, timestamps: true }),
    ).toMatch(/^\d{4}-\S+Z line-4\n$/);
    expect(
      runtime.readLogs('uid-1', 'main', {
        sinceTime: new Date(Date.now() + 60_000),
      }),
    ).toBe('');
    expect(runtime.readLogs('uid-1', 'main', { sinceSeconds: 3600 })).toBe(
      'line-1\nline-2\nline-3\nline-4\n',
    );
    expect(runtime.readLogs('uid-1', 'other')).toBeUndefined();
  });

  it('resolves command, args and $(VAR) references as Kubernetes does', async () => {
    const info = await runtime.startContainer(
      config({
        image: 'busybox:1.36',
        args: ['sh', '-c', "echo '$(GREETING) $$(GREETING) $(MISSING)'; pwd"],
        env: { GREETING: 'hello' },
        workingDir: '/app',
      }),
    );
    await runtime.waitForExit(info.id);
    // Isolated, the working directory is where it says; else under the container's root.
    expect(runtime.readLogs('uid-1', 'main')).toBe(
      `hello $(GREETING) $(MISSING)\n${
        isolation === false
          ? join(runtime.containerRoot('uid-1', 'main'), 'app')
          : '/app'
      }\n`,
    );
  });

  it("gives a container none of the dev cluster's own environment", async () => {
    // The portal's secrets (database password, tokens) live in its environment.
    process.env.CAIRN_TEST_PORTAL_SECRET = 'do-not-leak';
    try {
      const info = await runtime.startContainer(
        config({ command: ['sh', '-c', 'env'], env: { GIVEN: 'yes' } }),
      );
      await runtime.waitForExit(info.id);
      const seen = runtime.readLogs('uid-1', 'main') ?? '';
      expect(seen).toContain('GIVEN=yes');
      expect(seen).not.toContain('CAIRN_TEST_PORTAL_SECRET');
      expect(seen).not.toContain('do-not-leak');
    } finally {
      delete process.env.CAIRN_TEST_PORTAL_SECRET;
    }
  });

  it('fails to start a program that does not exist', async () => {
    await expect(
      runtime.startContainer(config({ command: ['no-such-program-xyz'] })),
    ).rejects.toThrow(ContainerStartError);
    await expect(
      runtime.startContainer(config({ command: ['no-such-program-xyz'] })),
    ).rejects.toThrow(
      'exec: "no-such-program-xyz": executable file not found in $PATH',
    );
  });

  it('keeps a container without a command idle and cheap, and lets exec run in it', async () => {
    const info = await runtime.startContainer(config({ env: { FOO: 'bar' } }));
    expect(info.idle).toBe(true);
    expect(info.pid).toBeUndefined();
    expect(existsSync(join(stateDir, 'pods'))).toBe(false);
    const result = await collect(
      runtime.exec(info.id, {
        command: [
          'sh',
          '-c',
          'echo $FOO; echo $HOSTNAME; echo bad >&2; exit 4',
        ],
      }),
    );
    expect(result).toEqual({
      stdout: 'bar\nweb\n',
      stderr: 'bad\n',
      end: { exitCode: 4 },
    });
    expect(runtime.container(info.id)!.exit).toBeUndefined();
    expect(await runtime.stopContainer(info.id, 30)).toMatchObject({
      exitCode: 0,
    });
    expect(() => runtime.exec(info.id, { command: ['true'] })).toThrow(
      'container not found ("main")',
    );
  });

  it('passes stdin to exec and reports a missing executable', async () => {
    const info = await runtime.startContainer(config());
    const cat = runtime.exec(info.id, { command: ['cat'], stdin: true });
    const output = collect(cat);
    cat.writeStdin(Buffer.from('through stdin\n'));
    cat.closeStdin();
    expect(await output).toEqual({
      stdout: 'through stdin\n',
      stderr: '',
      end: { exitCode: 0 },
    });
    const missing = await collect(
      runtime.exec(info.id, { command: ['nope-not-here'] }),
    );
    expect(missing.end.error).toBe(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope-not-here": executable file not found in $PATH: unknown',
    );
  });

  it('runs exec in a terminal with resize', async () => {
    const info = await runtime.startContainer(config());
    const shell = runtime.exec(info.id, {
      command: ['sh'],
      stdin: true,
      tty: true,
    });
    expect(shell.tty).toBe(true);
    const result = collect(shell);
    shell.resize(123, 45);
    shell.writeStdin(Buffer.from('stty size; exit 5\n'));
    const { stdout, end } = await result;
    expect(stdout).toContain('45 123');
    expect(end).toEqual({ exitCode: 5 });
  });

  it('keeps a paused terminal exec’s last output for its client, though its process has ended', async () => {
    const info = await runtime.startContainer(config());
    // In the exec's working directory, the container's root.
    const marker = join(runtime.containerRoot('uid-1', 'main'), 'printed');
    const exec = runtime.exec(info.id, {
      command: ['sh', '-c', `printf '%03000d' 0; touch printed`],
      tty: true,
    });
    // Paused from the start: the output stays in the terminal.
    exec.pauseOutput();
    const result = collect(exec);
    exec.resize(80, 24);
    while (!existsSync(marker)) await new Promise(r => setTimeout(r, 20));
    // Past the 200 ms after which node-pty drops the unread output of a
    // process that has ended.
    await new Promise(r => setTimeout(r, 600));
    exec.resumeOutput();
    const { stdout, end } = await result;
    expect(stdout).toBe('0'.repeat(3000));
    expect(end).toEqual({ exitCode: 0 });
  });

  it('stops with SIGTERM, then SIGKILL after the grace period', async () => {
    const polite = await runtime.startContainer(
      config({
        name: 'polite',
        command: [
          'sh',
          '-c',
          'trap "exit 7" TERM; echo ready; while true; do sleep 1; done',
        ],
      }),
    );
    const stubborn = await runtime.startContainer(
      config({
        name: 'stubborn',
        command: [
          'sh',
          '-c',
          'trap "" TERM; echo ready; while true; do sleep 1; done',
        ],
      }),
    );
    await Promise.all([polite, stubborn].map(c => waitForLog(c.id, 'ready')));
    expect(await runtime.stopContainer(polite.id, 30)).toMatchObject({
      exitCode: 7,
    });
    expect(await runtime.stopContainer(stubborn.id, 1)).toMatchObject({
      exitCode: 137,
      signal: 'SIGKILL',
    });
  });

  it('attaches to the main process stdin and output, closing stdin after the first client with stdinOnce', async () => {
    const info = await runtime.startContainer(
      config({
        command: [
          'sh',
          '-c',
          'while read line; do echo "got $line"; done; echo eof',
        ],
        stdin: true,
        stdinOnce: true,
      }),
    );
    const session = runtime.attach(info.id, { stdin: true });
    const reply = waitForOutput(session, 'got hello');
    session.writeStdin(Buffer.from('hello\n'));
    expect(await reply).toBe('got hello\n');
    session.close();
    const exit = await runtime.waitForExit(info.id);
    expect(exit.exitCode).toBe(0);
    expect(runtime.readLogs('uid-1', 'main')).toBe('got hello\neof\n');
  });

  it('attaches to a terminal when the container has tty and stdin', async () => {
    const info = await runtime.startContainer(
      config({ image: 'busybox', stdin: true, tty: true }),
    );
    expect(info.idle).toBe(false);
    const session = runtime.attach(info.id, { stdin: true });
    expect(session.tty).toBe(true);
    const ended = session.finished();
    session.writeStdin(Buffer.from('exit 9\n'));
    await ended;
    expect((await runtime.waitForExit(info.id)).exitCode).toBe(9);
  });

  it('follows logs until the container exits', async () => {
    const info = await runtime.startContainer(
      config({
        command: ['sh', '-c', 'echo before; read go; echo after'],
        stdin: true,
      }),
    );
    await waitForLog(info.id, 'before');
    let followed = '';
    const sawBefore = new Promise<void>(resolve => {
      const follower = runtime.followLogs(
        info.id,
        { timestamps: false },
        chunk => {
          followed += chunk;
          if (followed.includes('before')) resolve();
        },
      );
      follower.done.then(() => (followed += '<done>'));
    });
    await sawBefore;
    runtime.attach(info.id, { stdin: true }).writeStdin(Buffer.from('go\n'));
    await runtime.waitForExit(info.id);
    await new Promise(resolve => setImmediate(resolve));
    expect(followed).toBe('before\nafter\n<done>');
  });

  it('shares a pod volume between containers through their mount paths', async () => {
    const mounts = [{ name: 'scratch', mountPath: '/data' }];
    const writer = await runtime.startContainer(
      config({
        name: 'writer',
        command: ['sh', '-c', 'echo shared > data/file'],
        volumeMounts: mounts,
      }),
    );
    expect((await runtime.waitForExit(writer.id)).exitCode).toBe(0);
    const reader = await runtime.startContainer(
      config({ name: 'reader', volumeMounts: mounts }),
    );
    const { stdout } = await collect(
      runtime.exec(reader.id, { command: ['cat', 'data/file'] }),
    );
    expect(stdout).toBe('shared\n');
    expect(
      readFileSync(join(runtime.volumeDir('uid-1', 'scratch'), 'file'), 'utf8'),
    ).toBe('shared\n');
  });

  it('removes a pod with its processes, directories and logs', async () => {
    const info = await runtime.startContainer(
      config({ command: ['sh', '-c', 'echo up; sleep 100'] }),
    );
    await waitForLog(info.id, 'up');
    await runtime.removePod('uid-1');
    expect(runtime.container(info.id)).toBeUndefined();
    expect(existsSync(join(stateDir, 'pods', 'uid-1'))).toBe(false);
    expect(existsSync(info.logPath)).toBe(false);
    expect(() => process.kill(info.pid!, 0)).toThrow();
  });
});

/** Resolves when the container's log contains the text (followLogs stops at exit). */
function waitForLog(id: string, text: string): Promise<void> {
  return new Promise(resolve => {
    let seen = '';
    let found = false;
    let follower: { stop: () => void } | undefined = undefined;
    follower = runtime.followLogs(id, {}, chunk => {
      seen += chunk;
      if (seen.includes(text)) {
        found = true;
        follower?.stop();
        resolve();
      }
    });
    if (found) follower.stop();
  });
}

describe('ProcessRuntime isolation', () => {
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'runtime-'));
  });

  it('reports why containers cannot be isolated where bwrap is missing', () => {
    runtime = new ProcessRuntime({
      stateDir,
      isolation: detectIsolation('/nonexistent/bwrap'),
    });
    expect(runtime.isolation).toMatchObject({
      available: false,
      reason: 'BubblewrapMissing',
    });
  });

  (isolated ? describe : describe.skip)('where bubblewrap works', () => {
    /** A directory the containers must not see, outside /tmp (which they have their own of anyway). */
    let hidden: string;
    afterEach(() => rmSync(hidden, { recursive: true, force: true }));

    it('gives each container its own hostname, /tmp, root and volumes at their paths, and hides the hidden directories', async () => {
      hidden = mkdtempSync(join(__dirname, '.hidden-'));
      writeFileSync(join(hidden, 'key'), 'private');
      runtime = new ProcessRuntime({ stateDir, hiddenPaths: [hidden] });
      const mounts = [
        { name: 'scratch', mountPath: '/data' },
        { name: 'deep', mountPath: '/usr/share/cairn-test/conf' },
      ];
      const pod = (name: string, podUid: string) =>
        config({
          podUid,
          podName: name,
          hostname: name,
          podIP: '127.244.0.9',
          command: ['sh', '-c', 'echo mine > /tmp/own; sleep 100'],
          volumeMounts: mounts,
        });
      const first = await runtime.startContainer(pod('first', 'uid-1'));
      const second = await runtime.startContainer(pod('second', 'uid-2'));
      const run = async (id: string, script: string) =>
        (await collect(runtime.exec(id, { command: ['sh', '-c', script] })))
          .stdout;
      // exec joins the main process's PID namespace: it sees that, not the host's processes.
      const processes = await run(
        first.id,
        'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done',
      );
      expect(processes).toContain('sleep 100');
      expect(processes).not.toContain('jest');
      // The main process's /tmp is exec's too: the container's own, not the host's.
      // (A checkout cloned into /tmp is there too, for its programs.)
      const checkout = join(__dirname, '../../../..');
      const checkoutInTmp =
        checkout.startsWith('/tmp/') && checkout.split('/')[2];
      expect(
        await run(
          first.id,
          `cat /tmp/own; ls /tmp${
            checkoutInTmp ? ` | grep -vx '${checkoutInTmp}'` : ''
          }`,
        ),
      ).toBe('mine\nown\n');
      expect(
        await run(
          first.id,
          'hostname; cat /etc/hostname; grep first /etc/hosts',
        ),
      ).toBe('first\nfirst\n127.244.0.9\tfirst\n');
      expect(await run(second.id, 'hostname')).toBe('second\n');
      await run(
        first.id,
        'echo a > /data/f; echo b > /usr/share/cairn-test/conf/g',
      );
      expect(
        readFileSync(join(runtime.volumeDir('uid-1', 'scratch'), 'f'), 'utf8'),
      ).toBe('a\n');
      expect(
        readFileSync(join(runtime.volumeDir('uid-1', 'deep'), 'g'), 'utf8'),
      ).toBe('b\n');
      // The mount point was made in the sandbox, not on the host.
      expect(existsSync('/usr/share/cairn-test')).toBe(false);
      expect(await run(second.id, 'ls /data; echo end')).toBe('end\n');
      expect(await run(first.id, `ls -A ${hidden}; echo end`)).toBe('end\n');
      // Files made at / stay in the container's root for its next exec.
      await run(first.id, 'echo here > /made-at-root');
      expect(await run(first.id, 'cat /made-at-root')).toBe('here\n');
      expect(existsSync('/made-at-root')).toBe(false);
    });
  });
});
