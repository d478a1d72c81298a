import { ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './machine';

/** A free TCP port on loopback, for a backend that takes a fixed one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Progress goes to stderr, so that stdout carries only the report. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Temporary directories and child processes the benchmark removes and kills when it ends. */
export interface ExitCleanup {
  tempDirs: Set<string>;
  children: Set<ChildProcess>;
}

/**
 * Cleanup that also runs when the benchmark dies or is interrupted: the
 * temporary directories added to the returned sets are removed and the child
 * processes killed on exit (children also stop by themselves when their IPC
 * channel closes, see {@link stopWithParent}). Call once, at start-up.
 */
export function cleanUpOnExit(): ExitCleanup {
  // A closed stderr (e.g. piped into `head`) must not stop the cleanup.
  process.stderr.on('error', () => {});
  process.stdout.on('error', () => {});
  const cleanup: ExitCleanup = { tempDirs: new Set(), children: new Set() };
  process.on('exit', () => {
    for (const child of cleanup.children)
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL');
    for (const dir of cleanup.tempDirs)
      rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => process.exit(130));
  return cleanup;
}

/** Backstage's TypeScript transform, for `node --require` of a .ts entry point. */
export const NODE_TRANSFORM = path.join(
  REPO_ROOT,
  'node_modules/@backstage/cli/config/nodeTransform.cjs',
);

export interface BenchChildOptions {
  /** How errors name the process, e.g. "the dev cluster". */
  name: string;
  /** The TypeScript entry point and its arguments. */
  entry: string;
  args: string[];
  /** Node options besides the TypeScript transform. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs: number;
  /** Where the child is registered for {@link cleanUpOnExit}. */
  children: Set<ChildProcess>;
  /** Called when the child exits without being stopped. */
  onUnexpectedExit?: (description: string, stderr: string) => void;
  /**
   * How IPC messages are encoded: `advanced` (structured clone) keeps what
   * JSON would not, such as NaN and undefined. Default `json`.
   */
  serialization?: 'json' | 'advanced';
  /** Also copy the child's stderr (its progress lines) to this process's stderr. */
  echoStderr?: boolean;
}

/**
 * A benchmark's helper process (a dev cluster), started with the TypeScript
 * transform and an IPC channel; it is ready once it prints one JSON line on
 * stdout (see {@link announceReady}), which becomes {@link BenchChild.ready}.
 */
export class BenchChild<Ready> {
  private requests = new Map<number, (reply: unknown) => void>();
  private nextId = 0;
  private stopping = false;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly ready: Ready,
    private readonly name: string,
    private readonly stderrTail: () => string,
  ) {
    child.on('message', (reply: unknown) => {
      const id = (reply as { id?: unknown } | null)?.id;
      if (typeof id !== 'number') return;
      this.requests.get(id)?.(reply);
      this.requests.delete(id);
    });
    this.exited = new Promise(resolve => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', code => resolve(code));
    });
  }

  static async start<Ready>(
    options: BenchChildOptions,
  ): Promise<BenchChild<Ready>> {
    const { name, startTimeoutMs } = options;
    const child = spawn(
      process.execPath,
      [
        '--require',
        NODE_TRANSFORM,
        ...(options.nodeArgs ?? []),
        options.entry,
        ...options.args,
      ],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: options.env ?? process.env,
        serialization: options.serialization ?? 'json',
      },
    );
    options.children.add(child);
    child.once('exit', () => options.children.delete(child));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-32 * 1024);
      if (options.echoStderr) process.stderr.write(chunk);
    });
    const ready = await new Promise<Ready>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `${name} did not start in ${startTimeoutMs / 1000} s:\n${stderr}`,
          ),
        );
      }, startTimeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const newline = out.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, newline)) as Ready);
        } catch {
          reject(
            new Error(`unexpected output from ${name}: ${out}\n${stderr}`),
          );
        }
      });
      child.once('exit', code => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${stderr}`));
      });
    });
    const started = new BenchChild<Ready>(child, ready, name, () => stderr);
    const { onUnexpectedExit } = options;
    if (onUnexpectedExit)
      child.once('exit', (code, signal) => {
        if (!started.stopping)
          onUnexpectedExit(`${name} exited (${code ?? signal})`, stderr);
      });
    return started;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 32 KiB the child wrote to stderr. */
  get stderr(): string {
    return this.stderrTail();
  }

  /** Sends `{type, id, ...}` and resolves with the reply carrying that id. */
  request<Reply>(
    message: { type: string } & Record<string, unknown>,
    timeoutMs = 10_000,
  ): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.alive || !this.child.connected) {
        reject(new Error(`${this.name} is not running`));
        return;
      }
      const timer = setTimeout(() => {
        this.requests.delete(id);
        reject(
          new Error(
            `${this.name} did not answer "${message.type}" in ${
              timeoutMs / 1000
            } s`,
          ),
        );
      }, timeoutMs);
      this.requests.set(id, reply => {
        clearTimeout(timer);
        resolve(reply as Reply);
      });
      this.child.send({ ...message, id });
    });
  }

  /** Sends a message that has no reply, if the child still listens. */
  send(message: { type: string } & Record<string, unknown>): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  /** SIGTERM, then SIGKILL after 30 s; resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.stopping = true;
    if (this.alive) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** In the child: tells {@link BenchChild.start} that it serves, with `ready`. */
export function announceReady(ready: object): void {
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

/**
 * In the child: answers a `{type: 'memory', id}` request with
 * process.memoryUsage(); with `gc`, after a full collection, so the number is
 * what the process keeps alive (needs node's --expose-gc, else it says so).
 */
export function replyWithMemory(id: number, gc = false): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && !collect) {
    throw new Error('a memory reading after GC needs node --expose-gc');
  }
  if (gc) collect!();
  process.send?.({ type: 'memory', id, ...process.memoryUsage() });
}

/**
 * In the child: runs `stop` once, then exits, on SIGTERM, SIGINT or when
 * the IPC channel closes, so that it never outlives the benchmark.
 */
export function stopWithParent(stop: () => Promise<void>): void {
  let stopping = false;
  const stopOnce = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stopOnce());
  process.on('SIGINT', () => void stopOnce());
  process.on('disconnect', () => void stopOnce());
}

/** In the child: runs `main`, and exits with 1 after writing why it failed. */
export function runChildMain(name: string, main: () => Promise<void>): void {
  main().catch(error => {
    process.stderr.write(
      `${name}: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
