/**
 * Where a followed log stopped: the timestamp of the last line stored and how
 * many stored lines carry that very timestamp (many lines can share one).
 * Kubernetes resends from `sinceTime` on, and the API server forwards it to
 * the kubelet in whole seconds, so the lines before the point come again
 * and are skipped by timestamp and count.
 * @public
 */
export interface ResumePoint {
  time: string;
  lines: number;
}

const RFC3339 =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp (with up to nanoseconds) as nanoseconds since the epoch. */
export function timestampNanos(timestamp: string): bigint | undefined {
  const match = RFC3339.exec(timestamp);
  if (!match) return undefined;
  const millis = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(millis)) return undefined;
  return BigInt(millis) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** A line longer than this is stored as it arrives rather than held whole. */
const MAX_HELD_LINE = 1024 * 1024;
/** The longest timestamp prefix looked for (RFC3339Nano with an offset is 35). */
const MAX_TIMESTAMP = 40;

const NEWLINE = 0x0a;
const SPACE = 0x20;

/**
 * Turns a pod log read with `timestamps=true` back into the log as written:
 * strips each line's timestamp and drops the lines already stored before
 * `resume`. Output is given per whole line, so that what is stored always
 * ends where {@link TimestampedLineSplitter.resume} says; only a line longer
 * than 1 MiB is given in pieces (counted as stored from its first piece).
 * @public
 */
export class TimestampedLineSplitter {
  private point: ResumePoint | undefined;
  private pointNanos: bigint | undefined;
  /** Lines at the resume time still to skip. */
  private toSkip: number;
  /** The unfinished line: its timestamp bytes, or its content so far. */
  private prefix: Buffer[] = [];
  private prefixLength = 0;
  private line: 'timestamp' | 'keep' | 'skip' | 'passing' = 'timestamp';
  private lineTime = '';
  private held: Buffer[] = [];
  private heldLength = 0;

  constructor(resume?: ResumePoint) {
    this.point = resume;
    this.pointNanos = resume ? timestampNanos(resume.time) : undefined;
    this.toSkip = resume?.lines ?? 0;
  }

  /** The point after the last line given out. */
  get resume(): ResumePoint | undefined {
    return this.point;
  }

  /** The content of the lines this chunk completes (empty if none). */
  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.line === 'timestamp') {
        const space = chunk.indexOf(SPACE, at);
        const newline = chunk.indexOf(NEWLINE, at);
        const end = space >= 0 && (newline < 0 || space < newline) ? space : -1;
        if (end < 0 && newline < 0) {
          this.addPrefix(chunk.subarray(at));
          if (this.prefixLength > MAX_TIMESTAMP) this.startLine(undefined);
          break;
        }
        if (end < 0) {
          // A line without a timestamp (not what the kubelet sends): kept.
          this.startLine(undefined);
          continue;
        }
        this.addPrefix(chunk.subarray(at, end));
        at = end + 1;
        const time = Buffer.concat(this.prefix).toString('latin1');
        this.prefix = [];
        this.prefixLength = 0;
        this.startLine(time);
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, at);
      const end = newline < 0 ? chunk.length : newline + 1;
      const piece = chunk.subarray(at, end);
      at = end;
      if (this.line === 'passing') out.push(piece);
      else if (this.line === 'keep') {
        this.held.push(piece);
        this.heldLength += piece.length;
        if (newline < 0 && this.heldLength > MAX_HELD_LINE) {
          // Too long to hold: counted as stored now, the rest passes through.
          this.count();
          out.push(...this.held);
          this.clearHeld();
          this.line = 'passing';
        }
      }
      if (newline >= 0) {
        if (this.line === 'keep') {
          this.count();
          out.push(...this.held);
          this.clearHeld();
        }
        this.line = 'timestamp';
      }
    }
    return Buffer.concat(out);
  }

  /** The end of the log: an unfinished last line is given as it is. */
  end(): Buffer {
    const out: Buffer[] = [];
    if (this.line === 'timestamp' && this.prefixLength > 0) {
      this.startLine(undefined);
    }
    if (this.line === 'keep' && this.heldLength > 0) {
      this.count();
      out.push(...this.held);
    }
    this.clearHeld();
    this.line = 'timestamp';
    return Buffer.concat(out);
  }

  private addPrefix(bytes: Buffer) {
    this.prefix.push(bytes);
    this.prefixLength += bytes.length;
  }

  private clearHeld() {
    this.held = [];
    this.heldLength = 0;
  }

  /** Starts a line: decides whether it was stored before. */
  private startLine(time: string | undefined): void {
    const nanos = time === undefined ? undefined : timestampNanos(time);
    if (nanos === undefined) {
      // Not a timestamp (not what the kubelet sends): the bytes are content.
      const content =
        time === undefined
          ? Buffer.concat(this.prefix)
          : Buffer.from(`${time} `, 'latin1');
      this.prefix = [];
      this.prefixLength = 0;
      this.lineTime = this.point?.time ?? '';
      this.line = 'keep';
      if (content.length) {
        this.held.push(content);
        this.heldLength += content.length;
      }
      return;
    }
    this.lineTime = time!;
    if (this.pointNanos !== undefined && nanos < this.pointNanos) {
      this.line = 'skip';
    } else if (nanos === this.pointNanos && this.toSkip > 0) {
      this.toSkip -= 1;
      this.line = 'skip';
    } else {
      this.line = 'keep';
    }
  }

  /** Counts the current line as stored. */
  private count(): void {
    const nanos = timestampNanos(this.lineTime);
    if (nanos === undefined) return;
    if (this.point && this.pointNanos === nanos) {
      this.point = { time: this.point.time, lines: this.point.lines + 1 };
    } else {
      this.point = { time: this.lineTime, lines: 1 };
      this.pointNanos = nanos;
    }
    this.toSkip = 0;
  }
}
