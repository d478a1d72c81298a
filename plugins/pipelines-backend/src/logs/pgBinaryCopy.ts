import { Knex } from 'knex';
import { to as copyTo } from 'pg-copy-streams';
import type { LogChunk } from './LogStore';

/**
 * Reads `(byte_offset bigint, content bytea)` rows with PostgreSQL's binary
 * COPY. node-pg receives query results only as text, so a `bytea` column
 * comes as hex: the server spends a core spelling out every byte twice and
 * the client decodes it again. COPY in binary format sends the bytes as
 * stored, which is what makes a log download run at disk speed.
 *
 * `select` is a complete SELECT with its values already bound (use
 * `knex.raw(...).toQuery()` on a query built with bindings).
 */
export async function readChunksByBinaryCopy(
  db: Knex,
  select: string,
): Promise<LogChunk[]> {
  const client = db.client as Knex.Client as unknown as {
    acquireConnection(): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = (await client.acquireConnection()) as {
    query(stream: NodeJS.ReadableStream): NodeJS.ReadableStream;
  };
  try {
    const stream = connection.query(
      copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`),
    );
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    return parseBinaryCopy(Buffer.concat(parts));
  } finally {
    await client.releaseConnection(connection);
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Parses the rows of a binary COPY of `(bigint, bytea)` as documented in
 * PostgreSQL's "COPY … Binary Format": an 11-byte signature, flags, a header
 * extension, then per row a 16-bit field count and each field as a 32-bit
 * length and its bytes; a field count of -1 ends the data.
 */
export function parseBinaryCopy(data: Buffer): LogChunk[] {
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE)) {
    throw new Error('not a PostgreSQL binary COPY stream');
  }
  let at = 15 + 4 + data.readUInt32BE(15);
  const rows: LogChunk[] = [];
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    if (fields !== 2) {
      throw new Error(`expected 2 fields per row, got ${fields}`);
    }
    const offsetLength = data.readInt32BE(at);
    if (offsetLength !== 8) throw new Error('byte_offset is not a bigint');
    const offset = Number(data.readBigInt64BE(at + 4));
    at += 12;
    const contentLength = data.readInt32BE(at);
    at += 4;
    // A view, not a copy: a read's chunks are sent and dropped together.
    const content = data.subarray(at, at + contentLength);
    at += contentLength;
    rows.push({ offset, content });
  }
}
