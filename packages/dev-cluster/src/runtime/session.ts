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
}

/**
 * An exec or attach session, independent of its transport: output arrives as
 * `stdout`/`stderr` events (Buffers; a TTY has only stdout), and `end` fires
 * once with a SessionEnd.
 */
export class StreamSession extends EventEmitter {
  private ended?: SessionEnd;

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
    if (!this.ended) this.controls.close();
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
    this.ended = end;
    this.emit('end', end);
  }
}
