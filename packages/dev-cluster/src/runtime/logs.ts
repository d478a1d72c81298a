import {
  appendFileSync,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Container logs in the CRI format the kubelet reads:
 * `<RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>`, one line per
 * line of output (`P` marks a partial line, `F` the end of one).
 */

export type LogStream = 'stdout' | 'stderr';

const EPOCH_NANOS = BigInt(Date.now()) * 1_000_000n;
const HR_START = process.hrtime.bigint();

/** Nanoseconds since the epoch: wall clock at load plus a monotonic offset, so timestamps never go back. */
export function nowNanos(): bigint {
  return EPOCH_NANOS + (process.hrtime.bigint() - HR_START);
}

/** Go's RFC3339Nano: UTC, fractional seconds without trailing zeros. */
export function formatRfc3339Nano(nanos: bigint): string {
  const millis = Number(nanos / 1_000_000n);
  const fraction = (nanos % 1_000_000_000n)
    .toString()
    .padStart(9, '0')
    .replace(/0+$/, '');
  const seconds = new Date(millis).toISOString().slice(0, 19);
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`;
}

/** Parses an RFC 3339 timestamp to nanoseconds since the epoch. */
export function parseRfc3339Nanos(timestamp: string): bigint | undefined {
  const match =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
      timestamp,
    );
  if (!match) return undefined;
  const millis = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(millis)) return undefined;
  return BigInt(millis) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Turns a process's output into CRI log lines, holding back an unfinished line until it ends. */
export class CriLogWriter {
  private readonly pending: Record<LogStream, string> = {
    stdout: '',
    stderr: '',
  };
  // A character may be split between two reads of a process's output.
  private readonly decoders: Record<LogStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  constructor(
    private readonly path: string,
    private readonly onWrite: () => void = () => {},
  ) {}

  write(stream: LogStream, chunk: Buffer | string): void {
    const text =
      this.pending[stream] +
      (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const lines = text.split('\n');
    this.pending[stream] = lines.pop()!;
    if (lines.length === 0) return;
    const timestamp = formatRfc3339Nano(nowNanos());
    appendFileSync(
      this.path,
      lines.map(line => `${timestamp} ${stream} F ${line}\n`).join(''),
    );
    this.onWrite();
  }

  /** Writes what is left of unfinished lines (the process has exited). */
  flush(): void {
    let out = '';
    for (const stream of ['stdout', 'stderr'] as const) {
      this.pending[stream] += this.decoders[stream].end();
      if (this.pending[stream]) {
        out += `${formatRfc3339Nano(nowNanos())} ${stream} F ${
          this.pending[stream]
        }\n`;
        this.pending[stream] = '';
      }
    }
    if (out) {
      appendFileSync(this.path, out);
      this.onWrite();
    }
  }
}

/** One parsed CRI log line. */
export interface LogEntry {
  timestamp: string;
  nanos: bigint;
  stream: LogStream;
  partial: boolean;
  content: string;
}

/** Parses CRI log text (complete lines only). */
export function parseCriLog(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(' ');
    const second = line.indexOf(' ', first + 1);
    const third = line.indexOf(' ', second + 1);
    if (first < 0 || second < 0 || third < 0) continue;
    const timestamp = line.slice(0, first);
    const nanos = parseRfc3339Nanos(timestamp);
    const stream = line.slice(first + 1, second);
    if (nanos === undefined || (stream !== 'stdout' && stream !== 'stderr'))
      continue;
    entries.push({
      timestamp,
      nanos,
      stream,
      partial: line.slice(second + 1, third) === 'P',
      content: line.slice(third + 1),
    });
  }
  return entries;
}

/** The options of `GET /api/v1/namespaces/{ns}/pods/{name}/log` that shape the output. */
export interface LogOptions {
  tailLines?: number;
  /** Only entries at or after this time (from sinceTime or now − sinceSeconds). */
  sinceTime?: Date | string;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

/** Renders one entry as the API server returns it. */
function renderEntry(entry: LogEntry, timestamps: boolean): string {
  const content = entry.partial ? entry.content : `${entry.content}\n`;
  return timestamps ? `${entry.timestamp} ${content}` : content;
}

function sinceNanos(options: LogOptions, now: bigint): bigint | undefined {
  if (options.sinceSeconds !== undefined) {
    return now - BigInt(options.sinceSeconds) * 1_000_000_000n;
  }
  if (options.sinceTime !== undefined) {
    const text =
      options.sinceTime instanceof Date
        ? options.sinceTime.toISOString()
        : options.sinceTime;
    return parseRfc3339Nanos(text);
  }
  return undefined;
}

/** Selects and renders entries for a log request (without follow). */
export function renderLog(
  entries: LogEntry[],
  options: LogOptions,
  now: bigint = nowNanos(),
): string {
  const since = sinceNanos(options, now);
  let selected =
    since === undefined ? entries : entries.filter(e => e.nanos >= since);
  if (options.tailLines !== undefined) {
    selected = options.tailLines <= 0 ? [] : selected.slice(-options.tailLines);
  }
  return limitBytes(
    selected.map(e => renderEntry(e, options.timestamps ?? false)).join(''),
    options.limitBytes,
  );
}

/** Cuts text to at most `limit` bytes of UTF-8. */
export function limitBytes(text: string, limit: number | undefined): string {
  if (limit === undefined) return text;
  const bytes = Buffer.from(text);
  return bytes.length <= limit ? text : bytes.subarray(0, limit).toString();
}

/** Reads and renders a log file; a missing file reads as empty. */
export function readLogFile(path: string, options: LogOptions = {}): string {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return renderLog(parseCriLog(text), options);
}

/** Renders new entries for a follower that has already sent some output. */
export function renderEntries(
  entries: LogEntry[],
  timestamps: boolean,
): string {
  return entries.map(e => renderEntry(e, timestamps)).join('');
}

/** How much of a log a follower reads at a time, so a long log is never held whole. */
const FOLLOW_CHUNK_BYTES = 256 * 1024;

/**
 * Sends a log file's lines to one follower, from where it has read so far,
 * a chunk at a time: when `onData` returns false (the client's socket is
 * full) it waits for `resume()`.
 */
export class LogFollower {
  readonly done: Promise<void>;
  private finish!: () => void;
  private offset = 0;
  private remaining: number | undefined;
  private stopped = false;
  private paused = false;
  /** The container has exited: stop once everything is sent. */
  private ending = false;

  constructor(
    private readonly path: string,
    private readonly options: LogOptions,
    private readonly onData: (chunk: string) => boolean | void,
  ) {
    this.remaining = options.limitBytes;
    this.done = new Promise(resolvePromise => {
      this.finish = resolvePromise;
    });
  }

  /** Sends what the request selects of the log so far. */
  start(): void {
    const { tailLines, sinceTime, sinceSeconds } = this.options;
    if (
      tailLines === undefined &&
      sinceTime === undefined &&
      sinceSeconds === undefined
    ) {
      // Everything from the start: chunk by chunk, as new lines are sent.
      this.readNew();
      return;
    }
    const initial = readLogFile(this.path, {
      ...this.options,
      limitBytes: undefined,
    });
    this.offset = endOfLastLine(this.path);
    this.send(initial);
  }

  /** Sends the lines written since the last read, unless the client is not taking them. */
  readNew(): void {
    while (!this.stopped && !this.paused) {
      const { text, next } = readFrom(this.path, this.offset);
      if (!text) break;
      this.offset = next;
      this.send(
        renderEntries(parseCriLog(text), this.options.timestamps ?? false),
      );
    }
    if (this.ending && !this.paused) this.stop();
  }

  /** The client took what was sent: send on. */
  resume(): void {
    this.paused = false;
    this.readNew();
  }

  /** The log is complete (its container exited): send the rest, then stop. */
  end(): void {
    this.ending = true;
    this.readNew();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.finish();
  }

  private send(text: string): void {
    if (!text || this.stopped) return;
    let out = text;
    if (this.remaining !== undefined) {
      const bytes = Buffer.from(text);
      out = bytes.subarray(0, this.remaining).toString();
      this.remaining -= Math.min(this.remaining, bytes.length);
    }
    if (out && this.onData(out) === false) this.paused = true;
    if (this.remaining === 0) this.stop();
  }
}

/** The offset just past the file's last whole line. */
function endOfLastLine(path: string): number {
  let offset = 0;
  for (;;) {
    const { next } = readFrom(path, offset);
    if (next === offset) return offset;
    offset = next;
  }
}

/** Whole lines from `offset`, at most about FOLLOW_CHUNK_BYTES (more only for a longer line). */
function readFrom(
  path: string,
  offset: number,
): { text: string; next: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', next: offset };
  }
  try {
    const size = fstatSync(fd).size;
    for (let want = FOLLOW_CHUNK_BYTES; ; want *= 2) {
      const length = Math.min(want, size - offset);
      if (length <= 0) return { text: '', next: offset };
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, offset);
      // Only whole lines: the writer appends whole lines, but be safe at the end.
      const lastNewline = buffer.lastIndexOf(0x0a);
      if (lastNewline >= 0)
        return {
          text: buffer.subarray(0, lastNewline + 1).toString(),
          next: offset + lastNewline + 1,
        };
      if (length === size - offset) return { text: '', next: offset };
    }
  } finally {
    closeSync(fd);
  }
}
