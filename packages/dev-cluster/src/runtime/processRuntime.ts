/**
 * The dev cluster's container runtime: containers are local processes, each
 * in its own mount, UTS, IPC and PID namespaces where bubblewrap can make
 * them (see sandbox.ts), else plain host processes.
 *
 * SECURITY: every container, exec and attach runs as the local user who
 * started the dev cluster, with that user's network and, through the host
 * directories bound into its sandbox, its files (all but the dev cluster's
 * state and the user's home). The sandbox keeps pods apart; it is no
 * security boundary. Anyone who can create a pod or exec into one can run
 * arbitrary code as that user. This is why the dev cluster only ever listens
 * on loopback and refuses other addresses: it must never be reachable by
 * anyone but the local user.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  accessSync,
  constants as fsConstants,
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, constants as osConstants } from 'node:os';
import { getSystemErrorMessage } from 'node:util';
import {
  delimiter,
  dirname,
  isAbsolute,
  join,
  posix,
  resolve,
} from 'node:path';
import * as pty from 'node-pty';
import { ImageCatalog } from '../kubelet/imageCatalog';
import { ContainerProgram, resolveProgram } from './command';
import { CriLogWriter, LogFollower, LogOptions, readLogFile } from './logs';
import { processGroups } from './reaper';
import {
  detectIsolation,
  hostPathOf,
  IsolationSupport,
  memoizedHostFileSystem,
  planSandbox,
  SandboxSpec,
} from './sandbox';
import { StreamSession } from './session';
import { processGroupMembers } from './usage';

/** A volume mount as the runtime applies it: the volume's directory appears at mountPath in the container's root. */
export interface RuntimeVolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  /** The volume's directory when it lives outside the pod (a persistent volume's); by default the pod's own. */
  hostPath?: string;
  /** Read-only in the container (when isolated). */
  readOnly?: boolean;
}

/** Everything the runtime needs to start one container of a pod. */
export interface ContainerConfig {
  podUid: string;
  podName: string;
  namespace: string;
  /** The pod's hostname (spec.hostname, else its name) and address, for its /etc/hostname and /etc/hosts. */
  hostname?: string;
  podIP?: string;
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  /** The resolved environment (env, envFrom and fieldRefs already evaluated). */
  env?: Record<string, string>;
  workingDir?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  volumeMounts?: RuntimeVolumeMount[];
}

/** How a container's main process ended. */
export interface ContainerExit {
  exitCode: number;
  /** The signal that killed it, if any (exitCode is then 128 + its number). */
  signal?: string;
  finishedAt: Date;
}

/** A container the runtime has started. */
export interface ContainerInfo {
  /** `cairn://<64 hex>`, as containerStatuses[].containerID. */
  id: string;
  podUid: string;
  name: string;
  /** How many times this pod's container was started before: the restartCount of this instance. */
  attempt: number;
  /** The OS process id, or undefined for an idle container. */
  pid?: number;
  idle: boolean;
  startedAt: Date;
  exit?: ContainerExit;
  logPath: string;
}

/** The container could not start: its instance exists and has exited with 128, as containerd's StartError. */
export class ContainerStartError extends Error {
  readonly exitCode = 128;
  constructor(
    message: string,
    /** The instance that failed (its attempt counts toward restarts). */
    readonly container: ContainerInfo,
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

/** How containerd words a container that runc could not start; the cause follows. */
const RUNC_START_FAILED =
  'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';

/** The OS's words for a failed system call ("argument list too long"), as Go prints an errno. */
function systemMessage(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException).errno;
  return typeof errno === 'number'
    ? getSystemErrorMessage(errno)
    : (error as Error).message;
}

/** How long a terminal exec waits for the client's terminal size before starting at 80x24. */
const TERMINAL_SIZE_WAIT_MS = 250;

/** exec or attach to a container that is not running; the kubelet's message. */
export class ContainerNotRunningError extends Error {
  constructor(containerName: string) {
    super(`container not found ("${containerName}")`);
    this.name = 'ContainerNotRunningError';
  }
}

export interface ProcessRuntimeOptions {
  /** Directory for pods' working directories, volumes and logs. */
  stateDir: string;
  /** Where images' ENTRYPOINT and CMD come from (default: the catalog shipped with the package). */
  images?: ImageCatalog;
  /** Whether containers run isolated (default: detected, see sandbox.ts); `false` runs plain host processes. */
  isolation?: IsolationSupport | false;
  /** Host directories isolated containers see empty (default: stateDir and the user's home). */
  hiddenPaths?: string[];
}

/** This checkout, which programs of this host (and tools under it) run from: visible even inside a hidden home. */
const CHECKOUT = resolve(
  dirname(require.resolve('@cairn/dev-cluster/package.json')),
  '../..',
);

interface RunningContainer {
  info: ContainerInfo;
  config: ContainerConfig;
  /** The working directory: the host's path, or the sandbox's when `sandbox` is set. */
  workingDir: string;
  /** How the container is isolated; undefined for a plain host process. */
  sandbox?: SandboxSpec;
  env: Record<string, string>;
  child?: ChildProcess;
  terminal?: pty.IPty;
  log?: CriLogWriter;
  exited: Promise<ContainerExit>;
  markExited: (exit: ContainerExit) => void;
  attachments: Set<StreamSession>;
  /** Attachments whose clients are not reading: the main process's output waits for them. */
  pausedAttachments: Set<StreamSession>;
  /** Resumes the main process's terminal while it is paused (see pauseTerminal). */
  resumeTerminal?: () => void;
  execs: Set<StreamSession>;
  stdinClosed: boolean;
}

const noControls = {
  writeStdin: () => {},
  closeStdin: () => {},
  resize: () => {},
  close: () => {},
  pauseOutput: () => {},
  resumeOutput: () => {},
};

/** How often a paused terminal's process is looked for, well within node-pty's 200 ms. */
const PAUSED_TERMINAL_POLL_MS = 50;

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops reading a terminal's output; returns what reads it again. node-pty
 * destroys the terminal of an exited process 200 ms after the exit if its
 * output has not been read to the end, and that output with it, so while
 * paused the process is looked for, and once it has gone the rest (a
 * terminal's buffer at most) is read.
 */
function pauseTerminal(terminal: pty.IPty): () => void {
  terminal.pause();
  const watch = setInterval(() => {
    if (!processExists(terminal.pid)) resume();
  }, PAUSED_TERMINAL_POLL_MS).unref();
  function resume() {
    clearInterval(watch);
    terminal.resume();
  }
  return resume;
}

/** Sends a signal to a process group (a container's or an exec's processes). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * An exec in a terminal. It starts once the client has said how big its
 * terminal is (its first resize), so the command sees the right size from
 * the start; a client that never says starts at 80x24 after a short wait.
 * Input sent before the start is kept for it.
 */
class TerminalExec {
  readonly session: StreamSession;
  private terminal?: pty.IPty;
  private readonly pendingInput: string[] = [];
  private inputEnded = false;
  private closed = false;
  private outputPaused = false;
  private resumeTerminal?: () => void;
  private readonly fallback: NodeJS.Timeout;

  constructor(
    private readonly executable: string,
    private readonly args: string[],
    private readonly cwd: string,
    private readonly env: Record<string, string>,
    stdin: boolean,
  ) {
    this.session = new StreamSession(true, stdin, {
      writeStdin: data => this.write(data.toString()),
      closeStdin: () => this.endInput(),
      resize: (columns, rows) => this.resize(columns, rows),
      close: () => this.close(),
      pauseOutput: () => this.pauseOutput(true),
      resumeOutput: () => this.pauseOutput(false),
    });
    this.fallback = setTimeout(
      () => this.launch(80, 24),
      TERMINAL_SIZE_WAIT_MS,
    );
  }

  private launch(columns: number, rows: number): void {
    if (this.terminal || this.closed) return;
    clearTimeout(this.fallback);
    const terminal = pty.spawn(this.executable, this.args, {
      cwd: this.cwd,
      env: this.env,
      cols: Math.max(1, columns),
      rows: Math.max(1, rows),
    });
    this.terminal = terminal;
    processGroups.started(terminal.pid);
    terminal.onData(data =>
      this.session.emitOutput('stdout', Buffer.from(data)),
    );
    terminal.onExit(({ exitCode, signal }) => {
      processGroups.ended(terminal.pid);
      this.session.finish({ exitCode: signal ? 128 + signal : exitCode });
    });
    for (const input of this.pendingInput.splice(0)) terminal.write(input);
    if (this.inputEnded) terminal.write('\x04');
    if (this.outputPaused) this.resumeTerminal = pauseTerminal(terminal);
  }

  private pauseOutput(paused: boolean): void {
    this.outputPaused = paused;
    if (paused && this.terminal) {
      this.resumeTerminal ??= pauseTerminal(this.terminal);
    } else if (!paused) {
      this.resumeTerminal?.();
      this.resumeTerminal = undefined;
    }
  }

  private write(input: string): void {
    if (this.terminal) this.terminal.write(input);
    else this.pendingInput.push(input);
  }

  private endInput(): void {
    if (this.terminal) this.terminal.write('\x04');
    else this.inputEnded = true;
  }

  private resize(columns: number, rows: number): void {
    if (this.terminal)
      this.terminal.resize(Math.max(1, columns), Math.max(1, rows));
    else this.launch(columns, rows);
  }

  private close(): void {
    this.closed = true;
    clearTimeout(this.fallback);
    if (this.terminal) signalGroup(this.terminal.pid, 'SIGKILL');
    else this.session.finish({});
  }
}

/** Starts, stops, logs, execs into and attaches to containers run as local processes. */
export class ProcessRuntime extends EventEmitter {
  private readonly stateDir: string;
  private readonly images: ImageCatalog;
  private readonly containers = new Map<string, RunningContainer>();
  /** Each pod's instances, and the latest one per container name. */
  private readonly pods = new Map<
    string,
    { instances: RunningContainer[]; latest: Map<string, RunningContainer> }
  >();
  private readonly attempts = new Map<string, number>();
  private readonly logEvents = new EventEmitter();
  /** Whether containers run isolated here, and if not, why (false: not asked for). */
  readonly isolation: IsolationSupport | false;
  private readonly hiddenPaths: string[];

  constructor(options: ProcessRuntimeOptions) {
    super();
    this.stateDir = resolve(options.stateDir);
    this.images = options.images ?? ImageCatalog.load();
    this.isolation = options.isolation ?? detectIsolation();
    this.hiddenPaths = (options.hiddenPaths ?? [this.stateDir, homedir()]).map(
      path => resolve(path),
    );
    this.logEvents.setMaxListeners(0);
    // One runtime may serve the kubelets of every node.
    this.setMaxListeners(0);
  }

  /** The directory holding a pod's volume (emptyDir and the files of configMap/secret volumes). */
  volumeDir(podUid: string, volumeName: string): string {
    return join(this.stateDir, 'pods', podUid, 'volumes', volumeName);
  }

  /** The directory a container sees as its root. */
  containerRoot(podUid: string, containerName: string): string {
    return join(this.stateDir, 'pods', podUid, 'containers', containerName);
  }

  /** Where the kubelet keeps a container instance's log: `<ns>_<pod>_<uid>/<container>/<restartCount>.log`. */
  logPath(
    config: Pick<ContainerConfig, 'namespace' | 'podName' | 'podUid' | 'name'>,
    attempt: number,
  ): string {
    return join(
      this.stateDir,
      'logs',
      `${config.namespace}_${config.podName}_${config.podUid}`,
      config.name,
      `${attempt}.log`,
    );
  }

  /** The runtime's record of a container. */
  container(id: string): ContainerInfo | undefined {
    return this.containers.get(id)?.info;
  }

  /** The latest instance of a pod's container. */
  latest(podUid: string, containerName: string): ContainerInfo | undefined {
    return this.pods.get(podUid)?.latest.get(containerName)?.info;
  }

  /**
   * Starts a new instance of a container. Its attempt number counts the
   * instances started before for the same pod and container name.
   * Throws ContainerStartError when the program cannot be run.
   */
  async startContainer(config: ContainerConfig): Promise<ContainerInfo> {
    const key = `${config.podUid}/${config.name}`;
    const attempt = this.attempts.get(key) ?? 0;
    this.attempts.set(key, attempt + 1);
    const imageConfig = this.images.config(config.image);
    // A program of this host (the catalog's entrypointOnHost, such as Cairn's
    // operators) runs in the sandbox as any other: the checkout is shown there.
    const sandbox = this.sandboxOf(config);
    const env = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOSTNAME: config.hostname ?? config.podName,
      // An isolated container's home is its root, as an image's root user's /root would be its own.
      HOME: sandbox ? '/' : this.containerRoot(config.podUid, config.name),
      ...(config.tty ? { TERM: 'xterm' } : {}),
      ...config.env,
    };
    const program = resolveProgram({
      imageConfig,
      command: config.command,
      args: config.args,
      stdin: config.stdin,
      env,
    });
    const root = this.containerRoot(config.podUid, config.name);
    let workingDir = sandbox?.workingDir ?? root;
    if (!sandbox && config.workingDir)
      workingDir = join(root, config.workingDir);
    const info: ContainerInfo = {
      id: `cairn://${randomBytes(32).toString('hex')}`,
      podUid: config.podUid,
      name: config.name,
      attempt,
      idle: program.kind === 'idle',
      startedAt: new Date(),
      logPath: this.logPath(config, attempt),
    };
    let markExited!: (exit: ContainerExit) => void;
    const exited = new Promise<ContainerExit>(resolvePromise => {
      markExited = resolvePromise;
    });
    const container: RunningContainer = {
      info,
      config,
      workingDir,
      sandbox,
      env,
      exited,
      markExited,
      attachments: new Set(),
      pausedAttachments: new Set(),
      execs: new Set(),
      stdinClosed: false,
    };
    this.containers.set(info.id, container);
    let pod = this.pods.get(config.podUid);
    if (!pod) {
      pod = { instances: [], latest: new Map() };
      this.pods.set(config.podUid, pod);
    }
    pod.instances.push(container);
    pod.latest.set(config.name, container);
    if (program.kind === 'process') {
      try {
        this.prepareDirectories(container);
        await this.spawnMain(container, program);
        // Started means the program runs: in a sandbox, once bwrap has set it up.
        if (sandbox) await sandboxReady(container);
      } catch (error) {
        const exit = { exitCode: 128, finishedAt: new Date() };
        info.exit = exit;
        markExited(exit);
        throw new ContainerStartError((error as Error).message, info);
      }
    }
    return info;
  }

  /**
   * Records an instance a previous run of the runtime started and lost (the
   * dev cluster was killed, as a node reboots): it has exited with `exit`,
   * its log stays readable, and the container's next instance takes the
   * next attempt number (restartCount + 1), so no log is overwritten.
   */
  recordLostContainer(
    config: Pick<
      ContainerConfig,
      'podUid' | 'podName' | 'namespace' | 'name' | 'image'
    >,
    lost: { id: string; attempt: number; startedAt: Date; exit: ContainerExit },
  ): ContainerInfo {
    const info: ContainerInfo = {
      id: lost.id,
      podUid: config.podUid,
      name: config.name,
      attempt: lost.attempt,
      idle: true,
      startedAt: lost.startedAt,
      exit: lost.exit,
      logPath: this.logPath(config, lost.attempt),
    };
    const container: RunningContainer = {
      info,
      config,
      workingDir: this.containerRoot(config.podUid, config.name),
      env: {},
      exited: Promise.resolve(lost.exit),
      markExited: () => {},
      attachments: new Set(),
      pausedAttachments: new Set(),
      execs: new Set(),
      stdinClosed: true,
    };
    this.containers.set(info.id, container);
    let pod = this.pods.get(config.podUid);
    if (!pod) {
      pod = { instances: [], latest: new Map() };
      this.pods.set(config.podUid, pod);
    }
    pod.instances.push(container);
    pod.latest.set(config.name, container);
    const key = `${config.podUid}/${config.name}`;
    this.attempts.set(
      key,
      Math.max(this.attempts.get(key) ?? 0, lost.attempt + 1),
    );
    return info;
  }

  /** Resolves when the container's main process has exited (never, for a running idle container until stopped). */
  waitForExit(id: string): Promise<ContainerExit> {
    const container = this.containers.get(id);
    if (!container)
      return Promise.reject(new Error(`container ${id} not found`));
    return container.exited;
  }

  /**
   * Stops a container as the kubelet does: SIGTERM to its processes, SIGKILL
   * after the grace period. An idle container exits 0 at once.
   */
  async stopContainer(
    id: string,
    gracePeriodSeconds: number,
  ): Promise<ContainerExit> {
    const container = this.containers.get(id);
    if (!container) throw new Error(`container ${id} not found`);
    if (container.info.exit) return container.info.exit;
    if (container.info.idle) {
      this.recordExit(container, { exitCode: 0, finishedAt: new Date() });
      return container.exited;
    }
    if (container.sandbox) terminateSandboxed(container.info.pid!);
    else signalGroup(container.info.pid!, 'SIGTERM');
    const timer = setTimeout(
      () => signalGroup(container.info.pid!, 'SIGKILL'),
      Math.max(0, gracePeriodSeconds) * 1000,
    );
    try {
      return await container.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every container of a pod at once and deletes its directories (not its logs' parent, which goes too). */
  async removePod(podUid: string, gracePeriodSeconds = 0): Promise<void> {
    const pod = this.pods.get(podUid);
    if (pod) {
      await Promise.all(
        pod.instances.map(c =>
          this.stopContainer(c.info.id, gracePeriodSeconds),
        ),
      );
      for (const container of pod.instances) {
        rmSync(dirname(dirname(container.info.logPath)), {
          recursive: true,
          force: true,
        });
        this.containers.delete(container.info.id);
      }
      for (const name of pod.latest.keys()) {
        this.attempts.delete(`${podUid}/${name}`);
      }
      this.pods.delete(podUid);
    }
    rmSync(join(this.stateDir, 'pods', podUid), {
      recursive: true,
      force: true,
    });
  }

  /** Stops everything the runtime runs. */
  async shutdown(gracePeriodSeconds = 0): Promise<void> {
    await Promise.all(
      [...this.pods.keys()].map(uid => this.removePod(uid, gracePeriodSeconds)),
    );
  }

  /**
   * A container's log as `GET …/pods/{name}/log` returns it; `previous` reads
   * the instance before the latest one. Undefined when there is no such instance.
   */
  readLogs(
    podUid: string,
    containerName: string,
    options: LogOptions & { previous?: boolean } = {},
  ): string | undefined {
    const latest = this.latest(podUid, containerName);
    if (!latest) return undefined;
    const attempt = options.previous ? latest.attempt - 1 : latest.attempt;
    if (attempt < 0) return undefined;
    return readLogFile(
      join(dirname(latest.logPath), `${attempt}.log`),
      options,
    );
  }

  /**
   * A log by where the kubelet keeps it (the pod, container and restart
   * count), for instances this runtime did not start: those of pods that
   * ended before the dev cluster was last started.
   */
  readLogsByAttempt(
    config: Pick<ContainerConfig, 'namespace' | 'podName' | 'podUid' | 'name'>,
    attempt: number,
    options: LogOptions = {},
  ): string {
    return readLogFile(this.logPath(config, attempt), options);
  }

  /** One container instance's log (by its containerID), shaped by the request's options. */
  readContainerLogs(id: string, options: LogOptions = {}): string | undefined {
    const container = this.containers.get(id);
    return container ? readLogFile(container.info.logPath, options) : undefined;
  }

  /**
   * Follows a container instance's log: sends what `readLogs` would, then each
   * new line, until the container exits or `stop` is called. `limitBytes`
   * counts across the whole stream. The log is read a chunk at a time; when
   * `onData` returns false it waits for `resume()` (a socket's 'drain').
   */
  followLogs(
    id: string,
    options: LogOptions,
    onData: (chunk: string) => boolean | void,
  ): { done: Promise<void>; stop: () => void; resume: () => void } {
    const container = this.containers.get(id);
    if (!container) throw new Error(`container ${id} not found`);
    const follower = new LogFollower(container.info.logPath, options, onData);
    const onLog = () => follower.readNew();
    this.logEvents.on(id, onLog);
    follower.done.then(() => this.logEvents.off(id, onLog));
    follower.start();
    container.exited.then(() => follower.end());
    return {
      done: follower.done,
      stop: () => follower.stop(),
      resume: () => follower.resume(),
    };
  }

  /**
   * Runs a command in a container's working directory and environment, as
   * `kubectl exec` does. The session ends with the command's exit code, or an
   * error when it cannot start.
   */
  exec(
    id: string,
    options: { command: string[]; stdin?: boolean; tty?: boolean },
  ): StreamSession {
    const container = this.containers.get(id);
    if (!container || container.info.exit) {
      throw new ContainerNotRunningError(container?.config.name ?? id);
    }
    this.prepareDirectories(container);
    const tty = options.tty ?? false;
    const wantsStdin = options.stdin ?? false;
    const executable = this.findProgram(container, options.command[0] ?? '');
    if (!executable) {
      const session = new StreamSession(tty, wantsStdin, noControls);
      const message = `OCI runtime exec failed: exec failed: unable to start container process: exec: "${
        options.command[0] ?? ''
      }": executable file not found in $PATH: unknown`;
      setImmediate(() => session.finish({ error: message }));
      return session;
    }
    const launch = this.launchOf(
      container,
      executable,
      options.command.slice(1),
      tty,
      true,
    );
    let session: StreamSession;
    if (tty) {
      session = new TerminalExec(
        launch.file,
        launch.args,
        launch.cwd,
        container.env,
        wantsStdin,
      ).session;
    } else {
      const child = spawn(launch.file, launch.args, {
        cwd: launch.cwd,
        env: container.env,
        argv0: launch.sandboxed ? undefined : options.command[0],
        detached: true,
        stdio: [wantsStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      processGroups.started(child.pid);
      session = new StreamSession(false, wantsStdin, {
        writeStdin: data => child.stdin?.write(data),
        closeStdin: () => child.stdin?.end(),
        resize: () => {},
        close: () =>
          child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'),
        pauseOutput: () => {
          child.stdout!.pause();
          child.stderr!.pause();
        },
        resumeOutput: () => {
          child.stdout!.resume();
          child.stderr!.resume();
        },
      });
      child.stdin?.on('error', () => {});
      child.stdout!.on('data', data => session.emitOutput('stdout', data));
      child.stderr!.on('data', data => session.emitOutput('stderr', data));
      child.on('error', error => session.finish({ error: error.message }));
      child.once('exit', (code, signal) => {
        signalGroup(child.pid!, 'SIGKILL');
        processGroups.ended(child.pid);
        child.once('close', () =>
          session.finish({ exitCode: exitCodeOf(code, signal) }),
        );
      });
    }
    container.execs.add(session);
    session.once('end', () => container.execs.delete(session));
    return session;
  }

  /**
   * Attaches to a container's main process, as `kubectl attach` does: its
   * output from now on, and its stdin when the container has `stdin: true`.
   * The session ends when the container exits or the client detaches.
   */
  attach(id: string, options: { stdin?: boolean } = {}): StreamSession {
    const container = this.containers.get(id);
    if (!container || container.info.exit) {
      throw new ContainerNotRunningError(container?.config.name ?? id);
    }
    const tty = (container.config.tty ?? false) && Boolean(container.terminal);
    const wantsStdin =
      (options.stdin ?? false) &&
      (container.config.stdin ?? false) &&
      !container.stdinClosed;
    const closeContainerStdin = () => {
      if (container.stdinClosed) return;
      container.stdinClosed = true;
      if (container.terminal) container.terminal.write('\x04');
      else container.child?.stdin?.end();
    };
    let sessionStdinOpen = wantsStdin;
    const session: StreamSession = new StreamSession(tty, wantsStdin, {
      writeStdin: data => {
        if (container.stdinClosed || !sessionStdinOpen) return;
        if (container.terminal) container.terminal.write(data.toString());
        else container.child?.stdin?.write(data);
      },
      // The client's end of input ends the container's only with stdinOnce;
      // otherwise the container's stdin stays open for the next client.
      closeStdin: () => {
        sessionStdinOpen = false;
        if (container.config.stdinOnce) closeContainerStdin();
      },
      resize: (columns, rows) =>
        container.terminal?.resize(Math.max(1, columns), Math.max(1, rows)),
      close: () => session.finish({}),
      pauseOutput: () => {
        container.pausedAttachments.add(session);
        this.pauseMainOutput(container);
      },
      resumeOutput: () => {
        container.pausedAttachments.delete(session);
        this.pauseMainOutput(container);
      },
    });
    container.attachments.add(session);
    session.once('end', () => {
      container.attachments.delete(session);
      // stdinOnce: the first client's stdin is the container's whole stdin.
      if (wantsStdin && container.config.stdinOnce) closeContainerStdin();
    });
    return session;
  }

  /**
   * Pauses the main process's output while an attachment's client is not
   * reading, and resumes it when none is paused: its output is one stream
   * (containerd's writes to its log and attachments block on a slow one
   * too), and holding it back keeps the server's buffers bounded.
   */
  private pauseMainOutput(container: RunningContainer): void {
    const { child, terminal } = container;
    // Once it has exited, what is left in its pipes (a pipe's worth at
    // most) is read regardless, so that its end is seen.
    const exited =
      child !== undefined &&
      (child.exitCode !== null || child.signalCode !== null);
    const paused = container.pausedAttachments.size > 0 && !exited;
    if (terminal) {
      if (paused) container.resumeTerminal ??= pauseTerminal(terminal);
      else {
        container.resumeTerminal?.();
        container.resumeTerminal = undefined;
      }
      return;
    }
    for (const stream of [child?.stdout, child?.stderr]) {
      if (paused) stream?.pause();
      else stream?.resume();
    }
  }

  /**
   * How a container is isolated: its root directory as `/`, its volumes at
   * their mountPaths, the pod's /etc/hosts and /etc/hostname, nothing of the
   * hidden directories. Undefined where containers run as host processes.
   */
  private sandboxOf(config: ContainerConfig): SandboxSpec | undefined {
    if (!this.isolation || !this.isolation.available) return undefined;
    const rootDir = this.containerRoot(config.podUid, config.name);
    const podDir = join(this.stateDir, 'pods', config.podUid);
    const mounts: SandboxSpec['mounts'] = (config.volumeMounts ?? []).map(
      mount => ({
        source: join(
          mount.hostPath ?? this.volumeDir(config.podUid, mount.name),
          mount.subPath ?? '',
        ),
        target: posix.resolve('/', mount.mountPath),
        readOnly: mount.readOnly,
      }),
    );
    for (const file of ['hosts', 'hostname']) {
      if (exists(`/etc/${file}`))
        mounts.push({
          source: join(podDir, `etc-${file}`),
          target: `/etc/${file}`,
          readOnly: true,
        });
    }
    const spec: SandboxSpec = {
      rootDir,
      hostname: config.hostname ?? config.podName,
      workingDir: config.workingDir
        ? posix.resolve('/', config.workingDir)
        : '/',
      mounts,
      hidden: this.hiddenPaths,
      shown: [CHECKOUT],
    };
    // A working directory the host lacks is made in the container's root, not on the host.
    const workingDir = hostPathOf(spec, spec.workingDir);
    if (
      spec.workingDir !== '/' &&
      workingDir !== undefined &&
      !workingDir.startsWith(`${rootDir}/`) &&
      !mounts.some(m => within(spec.workingDir, m.target)) &&
      !exists(workingDir)
    ) {
      mounts.push({
        source: join(rootDir, spec.workingDir),
        target: spec.workingDir,
      });
    }
    return spec;
  }

  /** Makes what a sandboxed container's mounts need on the host: its root, /tmp, volumes, the pod's /etc files. */
  private prepareSandbox(container: RunningContainer, sandbox: SandboxSpec) {
    const { config } = container;
    const tmp = join(sandbox.rootDir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    chmodSync(tmp, 0o1777);
    const podDir = join(this.stateDir, 'pods', config.podUid);
    const hostname = sandbox.hostname;
    writeFileSync(join(podDir, 'etc-hostname'), `${hostname}\n`);
    writeFileSync(
      join(podDir, 'etc-hosts'),
      [
        '# Kubernetes-managed hosts file.',
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        ...(config.podIP ? [`${config.podIP}\t${hostname}`] : []),
        '',
      ].join('\n'),
    );
    for (const mount of sandbox.mounts) {
      if (!exists(mount.source)) mkdirSync(mount.source, { recursive: true });
    }
    const fs = memoizedHostFileSystem();
    for (const link of planSandbox(sandbox, undefined, fs).rootSymlinks) {
      const path = join(sandbox.rootDir, link.path);
      if (!exists(path)) symlinkSync(link.target, path);
    }
    const workingDir = hostPathOf(sandbox, sandbox.workingDir, fs);
    const chdirFailed = (reason: string) =>
      new Error(
        `${RUNC_START_FAILED}error during container init: chdir to cwd ("${config.workingDir}") set in config.json failed: ${reason}: unknown`,
      );
    // In a hidden directory: the sandbox has it empty.
    if (workingDir === undefined)
      throw chdirFailed('no such file or directory');
    try {
      mkdirSync(workingDir, { recursive: true });
    } catch (error) {
      throw chdirFailed(systemMessage(error));
    }
  }

  /** A program by name, as the container's PATH finds it; in a sandbox, the sandbox's path. */
  private findProgram(
    container: RunningContainer,
    file: string,
  ): string | undefined {
    const { sandbox } = container;
    const fs = memoizedHostFileSystem();
    return findExecutable(
      file,
      container.env.PATH,
      container.workingDir,
      sandbox ? path => hostPathOf(sandbox, path, fs) : undefined,
    );
  }

  /**
   * What to spawn for a program of the container: itself, or bwrap running
   * it in the sandbox. An exec (`joining`) enters the namespaces of the
   * container's running main process, as an exec into a container does, so
   * it sees its processes (PID namespace), mounts, hostname and IPC. On a
   * terminal it runs under util-linux's `script`, which gives it a terminal
   * of the sandbox's own and a session inside the PID namespace, as runc's
   * console for `exec -t` does: a shell on the outer terminal could not hand
   * it back on exit (its parent's process group is outside the namespace;
   * dash then exits 2).
   */
  private launchOf(
    container: RunningContainer,
    executable: string,
    args: string[],
    onTerminal: boolean,
    joining = false,
  ): { file: string; args: string[]; cwd: string; sandboxed: boolean } {
    const { sandbox } = container;
    if (!sandbox || !this.isolation || !this.isolation.available)
      return {
        file: executable,
        args,
        cwd: container.workingDir,
        sandboxed: false,
      };
    const member =
      joining && container.info.pid && !container.info.exit
        ? sandboxMember(container.info.pid)
        : undefined;
    if (member !== undefined)
      return {
        file: 'nsenter',
        args: [
          `--target=${member}`,
          ...joinedNamespaces(member),
          '--root',
          '--wd',
          '--',
          ...(onTerminal
            ? [
                'script',
                '--quiet',
                '--return',
                '--command',
                [executable, ...args].map(shellQuoted).join(' '),
                '/dev/null',
              ]
            : [executable, ...args]),
        ],
        cwd: sandbox.rootDir,
        sandboxed: true,
      };
    return {
      file: this.isolation.program,
      args: [
        ...planSandbox(sandbox, { pidNamespace: !onTerminal }).args,
        '--',
        executable,
        ...args,
      ],
      cwd: sandbox.rootDir,
      sandboxed: true,
    };
  }

  private prepareDirectories(container: RunningContainer): void {
    const { config, sandbox } = container;
    const root = this.containerRoot(config.podUid, config.name);
    mkdirSync(root, { recursive: true });
    mkdirSync(dirname(container.info.logPath), { recursive: true });
    if (sandbox) {
      this.prepareSandbox(container, sandbox);
      return;
    }
    for (const mount of config.volumeMounts ?? []) {
      const target = join(
        mount.hostPath ?? this.volumeDir(config.podUid, mount.name),
        mount.subPath ?? '',
      );
      mkdirSync(target, { recursive: true });
      const link = join(root, mount.mountPath);
      if (!exists(link)) {
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(target, link, 'dir');
      }
    }
    // After the mounts, as runc makes the cwd inside the mounted rootfs.
    try {
      mkdirSync(container.workingDir, { recursive: true });
    } catch (error) {
      throw new Error(
        `${RUNC_START_FAILED}error during container init: chdir to cwd ("${
          config.workingDir
        }") set in config.json failed: ${systemMessage(error)}: unknown`,
      );
    }
  }

  private async spawnMain(
    container: RunningContainer,
    program: Extract<ContainerProgram, { kind: 'process' }>,
  ): Promise<void> {
    const { config, info } = container;
    const [file, ...args] = program.argv;
    const executable = this.findProgram(container, file);
    if (!executable) {
      throw new Error(
        `${RUNC_START_FAILED}exec: "${file}": executable file not found in $PATH: unknown`,
      );
    }
    const execFailure = (error: unknown) =>
      new Error(
        `${RUNC_START_FAILED}exec: "${file}": ${systemMessage(error)}: unknown`,
      );
    const log = new CriLogWriter(info.logPath, () =>
      this.logEvents.emit(info.id),
    );
    container.log = log;
    const launch = this.launchOf(
      container,
      executable,
      args,
      config.tty ?? false,
    );
    if (config.tty) {
      let terminal: pty.IPty;
      try {
        terminal = pty.spawn(launch.file, launch.args, {
          cwd: launch.cwd,
          env: container.env,
          cols: 80,
          rows: 24,
        });
      } catch (error) {
        throw execFailure(error);
      }
      container.terminal = terminal;
      info.pid = terminal.pid;
      processGroups.started(terminal.pid);
      terminal.onData(data => {
        log.write('stdout', data);
        for (const session of container.attachments)
          session.emitOutput('stdout', Buffer.from(data));
      });
      terminal.onExit(({ exitCode, signal }) => {
        this.recordExit(container, {
          exitCode: signal ? 128 + signal : exitCode,
          signal: signal ? signalName(signal) : undefined,
          finishedAt: new Date(),
        });
      });
      return;
    }
    let child: ChildProcess;
    try {
      // E2BIG and the like are thrown at once; others come as an 'error' event.
      child = spawn(launch.file, launch.args, {
        cwd: launch.cwd,
        env: container.env,
        argv0: launch.sandboxed ? undefined : file,
        detached: true,
        stdio: [config.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      throw execFailure(error);
    }
    container.child = child;
    await new Promise<void>((resolvePromise, reject) => {
      child.once('spawn', resolvePromise);
      child.once('error', error => reject(execFailure(error)));
    });
    info.pid = child.pid;
    processGroups.started(child.pid);
    child.stdin?.on('error', () => {});
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.on('data', (data: Buffer) => {
        log.write(stream, data);
        for (const session of container.attachments)
          session.emitOutput(stream, data);
      });
    }
    // Background processes may hold the pipes open after the main process
    // exits; end them as a container's end would, then wait for the output.
    child.once('exit', (code, signal) => {
      const exit = {
        exitCode: exitCodeOf(code, signal),
        signal: signal ?? undefined,
        finishedAt: new Date(),
      };
      signalGroup(child.pid!, 'SIGKILL');
      this.pauseMainOutput(container);
      child.once('close', () => this.recordExit(container, exit));
    });
  }

  private recordExit(container: RunningContainer, exit: ContainerExit): void {
    if (container.info.exit) return;
    container.log?.flush();
    container.info.exit = exit;
    // Like a container's PID namespace ending: nothing it started outlives it.
    if (container.info.pid !== undefined) {
      signalGroup(container.info.pid, 'SIGKILL');
      processGroups.ended(container.info.pid);
    }
    for (const session of container.execs) session.close();
    for (const session of container.attachments) session.finish({});
    container.markExited(exit);
    this.emit('exit', container.info, exit);
  }
}

function exitCodeOf(
  code: number | null,
  signal: NodeJS.Signals | null,
): number {
  if (code !== null) return code;
  return 128 + (signal ? osConstants.signals[signal] ?? 0 : 0);
}

function signalName(number: number): string | undefined {
  return Object.entries(osConstants.signals).find(([, n]) => n === number)?.[0];
}

/** How often, and how long at most, a start waits for bwrap to have set its sandbox up. */
const SANDBOX_POLL_MS = 5;
const SANDBOX_SETUP_MAX_MS = 5_000;

/** Resolves once the container's sandbox runs its program (or the container has ended, or setup takes too long). */
async function sandboxReady(container: RunningContainer): Promise<void> {
  const pid = container.info.pid;
  if (pid === undefined) return;
  for (
    let waited = 0;
    waited < SANDBOX_SETUP_MAX_MS &&
    !container.info.exit &&
    sandboxMember(pid) === undefined;
    waited += SANDBOX_POLL_MS
  )
    await new Promise(resolvePromise =>
      setTimeout(resolvePromise, SANDBOX_POLL_MS),
    );
}

/** A process's children (Linux's /proc/<pid>/task/<pid>/children). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The process to join in a running sandbox: bwrap's child (the sandbox's
 * init, or the program itself when it has no PID namespace) once the
 * sandbox is set up — the init has started the program, or the program has
 * replaced bwrap; undefined before.
 */
function sandboxMember(bwrap: number): number | undefined {
  const [child] = childrenOf(bwrap);
  if (child === undefined) return undefined;
  try {
    const started =
      childrenOf(child).length > 0 ||
      readlinkSync(`/proc/${child}/exe`) !== readlinkSync(`/proc/${bwrap}/exe`);
    return started ? child : undefined;
  } catch {
    return undefined;
  }
}

/** `word` quoted for sh, which `script --command` runs. */
export function shellQuoted(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** nsenter's options for the namespaces of `pid`: mount, UTS and IPC always; user, PID and cgroup where they are its own. */
function joinedNamespaces(pid: number): string[] {
  const own = (kind: string) => {
    try {
      return (
        readlinkSync(`/proc/${pid}/ns/${kind}`) !==
        readlinkSync(`/proc/self/ns/${kind}`)
      );
    } catch {
      return false;
    }
  };
  return [
    ...(own('user') ? ['--user', '--preserve-credentials'] : []),
    '--mount',
    '--uts',
    '--ipc',
    ...(own('pid') ? ['--pid'] : []),
    ...(own('cgroup') ? ['--cgroup'] : []),
  ];
}

function within(path: string, directory: string): boolean {
  return path === directory || path.startsWith(`${directory}/`);
}

/**
 * SIGTERM to a sandboxed container's processes but not to bwrap, which would
 * die of it and take the sandbox with it before the grace period ends (the
 * sandbox's init ignores it: PID 1 takes from outside only signals it handles).
 */
function terminateSandboxed(leader: number): void {
  for (const pid of processGroupMembers(leader)) {
    if (pid === leader) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Gone already.
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a program as execve with PATH lookup would, so a missing one fails
 * before spawning. `toHost` maps a path of the container's to the host's
 * (undefined: not there), for a sandboxed one.
 */
export function findExecutable(
  file: string,
  searchPath: string | undefined,
  cwd: string,
  toHost: (path: string) => string | undefined = path => path,
): string | undefined {
  if (!file) return undefined;
  const candidates = file.includes('/')
    ? [isAbsolute(file) ? file : join(cwd, file)]
    : (searchPath ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map(dir => join(dir, file));
  return candidates.find(candidate => {
    const onHost = toHost(candidate);
    if (onHost === undefined) return false;
    try {
      accessSync(onHost, fsConstants.X_OK);
      return statSync(onHost).isFile();
    } catch {
      return false;
    }
  });
}
