import { BinaryCopyParser } from './pgBinaryCopy';
import type { LogChunk } from './LogStore';

/** A binary COPY of `(bigint, bytea)` rows, as PostgreSQL writes it. */
function binaryCopy(
  rows: Array<{ offset: number; content: Buffer }>,
  extension = Buffer.alloc(0),
): Buffer {
  const header = Buffer.alloc(19);
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(header);
  header.writeUInt32BE(extension.length, 15);
  const parts: Buffer[] = [header, extension];
  for (const row of rows) {
    const fields = Buffer.alloc(18);
    fields.writeInt16BE(2, 0);
    fields.writeInt32BE(8, 2);
    fields.writeBigInt64BE(BigInt(row.offset), 6);
    fields.writeInt32BE(row.content.length, 14);
    parts.push(fields, row.content);
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

/** The stored rows again, from the pieces the parser gave. */
function joined(chunks: LogChunk[]): Array<{ offset: number; text: string }> {
  const rows: Array<{ offset: number; parts: Buffer[]; end: number }> = [];
  for (const chunk of chunks) {
    const last = rows[rows.length - 1];
    if (last && last.end === chunk.offset) {
      last.parts.push(chunk.content);
      last.end += chunk.content.length;
    } else {
      rows.push({
        offset: chunk.offset,
        parts: [chunk.content],
        end: chunk.offset + chunk.content.length,
      });
    }
  }
  return rows.map(r => ({
    offset: r.offset,
    text: Buffer.concat(r.parts).toString('utf8'),
  }));
}

describe('BinaryCopyParser', () => {
  // Multi-byte characters, so a split inside one would show.
  const rows = [
    { offset: 0, content: Buffer.from('é€😀 first\n') },
    { offset: 17, content: Buffer.from('日本語 second\n') },
    { offset: 1_000_000, content: Buffer.from('x') },
  ];
  const expected = rows.map(r => ({
    offset: r.offset,
    text: r.content.toString('utf8'),
  }));

  it('reads the rows of one buffer as views of it', () => {
    const data = binaryCopy(rows);
    const parser = new BinaryCopyParser();
    parser.push(data);
    const chunks = parser.end();
    expect(joined(chunks)).toEqual(expected);
    expect(chunks.every(c => c.content.buffer === data.buffer)).toBe(true);
  });

  it('reads the same rows however the stream is cut into parts', () => {
    const data = binaryCopy(rows, Buffer.from('ext'));
    for (let first = 0; first <= data.length; first++) {
      for (const second of [first, first + 1, first + 7, first + 19]) {
        const parser = new BinaryCopyParser();
        parser.push(data.subarray(0, first));
        parser.push(data.subarray(first, Math.max(first, second)));
        parser.push(data.subarray(Math.max(first, second)));
        expect(joined(parser.end())).toEqual(expected);
      }
    }
    // One byte at a time.
    const parser = new BinaryCopyParser();
    for (let i = 0; i < data.length; i++) parser.push(data.subarray(i, i + 1));
    expect(joined(parser.end())).toEqual(expected);
  });

  it('refuses what is not a complete binary COPY of two fields', () => {
    const truncated = new BinaryCopyParser();
    truncated.push(binaryCopy(rows).subarray(0, 40));
    expect(() => truncated.end()).toThrow(
      'a binary COPY ended before its trailer',
    );
    expect(() =>
      new BinaryCopyParser().push(Buffer.from('COPY text, not binary')),
    ).toThrow('not a PostgreSQL binary COPY stream');
    const threeFields = binaryCopy([]);
    threeFields.writeInt16BE(3, 19);
    expect(() =>
      new BinaryCopyParser().push(
        Buffer.concat([threeFields, Buffer.alloc(20)]),
      ),
    ).toThrow('expected 2 fields per row, got 3');
  });
});
