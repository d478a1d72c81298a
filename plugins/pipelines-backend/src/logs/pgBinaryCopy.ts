import { Knex } from 'knex';
import { to as copyTo } from 'pg-copy-streams';
import type { LogChunk } from './LogStore';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags, header extension length. */
const FILE_HEADER_BYTES = 11 + 4 + 4;
/** Field count, then byte_offset's length and value, then content's length. */
const ROW_HEADER_BYTES = 2 + 4 + 8 + 4;
/** A field count alone: -1 ends the data. */
const TRAILER_BYTES = 2;

type State =
  | { kind: 'file-header' }
  | { kind: 'skip'; bytes: number }
  | { kind: 'row' }
  | { kind: 'content'; offset: number; bytes: number }
  | { kind: 'done' };

/**
 * Parses a binary COPY of `(bigint, bytea)` rows as its parts arrive,
 * following PostgreSQL's "COPY … Binary Format": an 11-byte signature,
 * 32-bit flags, a header extension, then per row a 16-bit field count and
 * each field as a 32-bit length and its bytes; a field count of -1 ends the
 * data. A row's content comes out as views of the parts it arrived in: a
 * row split across parts gives consecutive chunks (each with its offset in
 * the log), never a copy. Only a header split across parts is copied (at
 * most 18 bytes).
 */
export class BinaryCopyParser {
  private state: State = { kind: 'file-header' };
  /** The start of a header that the last part cut off. */
  private partial: Buffer | undefined;
  private readonly chunks: LogChunk[] = [];

  push(part: Buffer): void {
    let at = 0;
    while (at < part.length) {
      const state = this.state;
      if (state.kind === 'done') {
        throw new Error('data after the end of a binary COPY');
      }
      if (state.kind === 'content' || state.kind === 'skip') {
        const take = Math.min(state.bytes, part.length - at);
        if (state.kind === 'content') {
          this.chunks.push({
            offset: state.offset,
            content: part.subarray(at, at + take),
          });
          state.offset += take;
        }
        state.bytes -= take;
        at += take;
        if (state.bytes === 0) this.state = { kind: 'row' };
        continue;
      }
      // A header: the file's, a row's, or the trailer (known by its first
      // two bytes), read whole even when it is split across parts.
      const header = this.header(part, at);
      if (!header) return;
      at = header.next;
      this.state = this.parseHeader(header.bytes);
    }
  }

  /** The rows read, once the data ended. */
  end(): LogChunk[] {
    if (this.state.kind !== 'done') {
      throw new Error('a binary COPY ended before its trailer');
    }
    return this.chunks;
  }

  /**
   * The header starting at `at` (after what the last part left), and where
   * the part goes on after it; undefined, keeping what there is, if the
   * part ends first.
   */
  private header(
    part: Buffer,
    at: number,
  ): { bytes: Buffer; next: number } | undefined {
    const kept = this.partial?.length ?? 0;
    const available = kept + part.length - at;
    let length: number;
    if (this.state.kind === 'file-header') {
      length = FILE_HEADER_BYTES;
    } else if (available < TRAILER_BYTES) {
      length = TRAILER_BYTES;
    } else {
      const fields = this.partial
        ? Buffer.concat([this.partial, part.subarray(at, at + 2)]).readInt16BE(
            0,
          )
        : part.readInt16BE(at);
      length = fields === -1 ? TRAILER_BYTES : ROW_HEADER_BYTES;
    }
    if (available < length) {
      this.partial = this.partial
        ? Buffer.concat([this.partial, part.subarray(at)])
        : Buffer.from(part.subarray(at));
      return undefined;
    }
    const next = at + length - kept;
    const bytes = this.partial
      ? Buffer.concat([this.partial, part.subarray(at, next)])
      : part.subarray(at, next);
    this.partial = undefined;
    return { bytes, next };
  }

  private parseHeader(bytes: Buffer): State {
    if (this.state.kind === 'file-header') {
      if (!bytes.subarray(0, 11).equals(SIGNATURE)) {
        throw new Error('not a PostgreSQL binary COPY stream');
      }
      const extension = bytes.readUInt32BE(15);
      return extension > 0
        ? { kind: 'skip', bytes: extension }
        : { kind: 'row' };
    }
    const fields = bytes.readInt16BE(0);
    if (fields === -1) return { kind: 'done' };
    if (fields !== 2) {
      throw new Error(`expected 2 fields per row, got ${fields}`);
    }
    if (bytes.readInt32BE(2) !== 8) {
      throw new Error('byte_offset is not a bigint');
    }
    const offset = Number(bytes.readBigInt64BE(6));
    const length = bytes.readInt32BE(14);
    if (length < 0) throw new Error('content is null');
    return length > 0
      ? { kind: 'content', offset, bytes: length }
      : { kind: 'row' };
  }
}

/**
 * Reads `(byte_offset bigint, content bytea)` rows with PostgreSQL's binary
 * COPY. node-pg receives query results only as text, so a `bytea` column
 * comes as hex: the server spends a core spelling out every byte twice and
 * the client decodes it again. COPY in binary format sends the bytes as
 * stored, and {@link BinaryCopyParser} hands them on as views of the
 * buffers they arrived in, so a log's bytes are not copied on their way to
 * the response (each copy of a large Buffer also brings V8's next full GC
 * closer, which in a backend's large heap costs more than the copy).
 *
 * `sql` is a complete SELECT with its values already bound (e.g.
 * `knex.raw(sql, bindings).toQuery()`). The connection is held only while
 * the rows arrive, and released whatever happens.
 */
export async function readChunksByBinaryCopy(
  db: Knex,
  sql: string,
): Promise<LogChunk[]> {
  const client = db.client as Knex.Client as unknown as {
    acquireConnection(): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = (await client.acquireConnection()) as {
    query(stream: NodeJS.ReadableStream): NodeJS.ReadableStream;
  };
  try {
    const parser = new BinaryCopyParser();
    const stream = connection.query(
      copyTo(`COPY (${sql}) TO STDOUT (FORMAT binary)`),
    );
    for await (const part of stream) parser.push(part as Buffer);
    return parser.end();
  } finally {
    await client.releaseConnection(connection);
  }
}
