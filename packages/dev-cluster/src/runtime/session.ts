import { EventEmitter } from 'node:events';

/** How an exec or attach session ended. */
export interface SessionEnd {
  /** The exec'd command's exit code; absent for attach and for failures to start. */
  exitCode?: number;
  /** Why the command could not run (for example, executable not found). */
  error?: string;
}

/** What a session does with input from its client. */
export interface SessionControls {
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  resize(columns: number, rows: number): void;
  /** The client went away: stop an exec'd command, detach an attachment. */
  close(): void;
  /** Stop reading the process's output (it blocks once its pipe or terminal is full). */
  pauseOutput(): void;
  /** Read the process's output again. */
  resumeOutput(): void;
}

/**
 * An exec or attach session, independent of its transport: output arrives as
 * `stdout`/`stderr` events (Buffers; a TTY has only stdout), and `end` fires
 * once with a SessionEnd.
 */
export class StreamSession extends EventEmitter {
  private ended?: SessionEnd;
  private paused = false;

  constructor(
    /** Whether output comes from a terminal (stdout only, resize applies). */
    readonly tty: boolean,
    /** Whether the session accepts stdin. */
    readonly stdin: boolean,
    private readonly controls: SessionControls,
  ) {
    super();
  }

  writeStdin(data: Buffer): void {
    if (this.stdin && !this.ended) this.controls.writeStdin(data);
  }

  closeStdin(): void {
    if (this.stdin && !this.ended) this.controls.closeStdin();
  }

  resize(columns: number, rows: number): void {
    if (this.tty && !this.ended) this.controls.resize(columns, rows);
  }

  close(): void {
    // A paused process's last output must be read for its end to be seen.
    this.resumeOutput();
    if (!this.ended) this.controls.close();
  }

  /**
   * Flow control, as the kubelet's streams have it: the transport cannot
   * send more now, so the process's output is not read until
   * `resumeOutput()` — a client that stops reading holds the process back
   * instead of filling the server's memory.
   */
  pauseOutput(): void {
    if (this.paused || this.ended) return;
    this.paused = true;
    this.controls.pauseOutput();
  }

  /** The transport has sent what it held: read the process's output again. */
  resumeOutput(): void {
    if (!this.paused) return;
    this.paused = false;
    this.controls.resumeOutput();
  }

  /** Whether the output is paused for a client that is not reading. */
  get outputPaused(): boolean {
    return this.paused;
  }

  /** How the session ended, once it has. */
  get end(): SessionEnd | undefined {
    return this.ended;
  }

  /** Resolves when the session ends. */
  finished(): Promise<SessionEnd> {
    if (this.ended) return Promise.resolve(this.ended);
    return new Promise(resolve => this.once('end', resolve));
  }

  /** @internal Called by the runtime. */
  emitOutput(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (!this.ended) this.emit(stream, data);
  }

  /** @internal Called by the runtime. */
  finish(end: SessionEnd): void {
    if (this.ended) return;
    this.resumeOutput();
    this.ended = end;
    this.emit('end', end);
  }
}
