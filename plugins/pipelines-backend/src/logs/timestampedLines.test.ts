import { TimestampedLineSplitter, timestampNanos } from './timestampedLines';

const feed = (splitter: TimestampedLineSplitter, ...parts: string[]) =>
  parts.map(p => splitter.push(Buffer.from(p)).toString()).join('');

describe('timestampNanos', () => {
  it('reads RFC 3339 with up to nanoseconds and offsets', () => {
    expect(timestampNanos('2026-01-01T00:00:00Z')).toBe(
      BigInt(Date.parse('2026-01-01T00:00:00Z')) * 1_000_000n,
    );
    expect(
      timestampNanos('2026-01-01T00:00:00.000000001Z')! -
        timestampNanos('2026-01-01T00:00:00Z')!,
    ).toBe(1n);
    expect(timestampNanos('2026-01-01T01:00:00.5+01:00')).toBe(
      timestampNanos('2026-01-01T00:00:00.5Z'),
    );
    expect(timestampNanos('yesterday')).toBeUndefined();
  });
});

describe('TimestampedLineSplitter', () => {
  it('strips the timestamps and gives whole lines, however the bytes are split', () => {
    const text =
      '2026-01-01T00:00:01.1Z one\n2026-01-01T00:00:01.2Z two words\n2026-01-01T00:00:02Z \n';
    for (let cut = 0; cut <= text.length; cut++) {
      const splitter = new TimestampedLineSplitter();
      const out = feed(splitter, text.slice(0, cut), text.slice(cut));
      expect(out).toBe('one\ntwo words\n\n');
      expect(splitter.resume).toEqual({
        time: '2026-01-01T00:00:02Z',
        lines: 1,
      });
    }
  });

  it('holds an unfinished line until it ends, and counts it only then', () => {
    const splitter = new TimestampedLineSplitter();
    expect(
      feed(splitter, '2026-01-01T00:00:01Z done\n2026-01-01T00:00:02Z hal'),
    ).toBe('done\n');
    expect(splitter.resume).toEqual({ time: '2026-01-01T00:00:01Z', lines: 1 });
    expect(feed(splitter, 'f\n')).toBe('half\n');
    expect(splitter.resume).toEqual({ time: '2026-01-01T00:00:02Z', lines: 1 });
  });

  it('gives a last line without a newline at the end of the log', () => {
    const splitter = new TimestampedLineSplitter();
    expect(feed(splitter, '2026-01-01T00:00:01Z no newline')).toBe('');
    expect(splitter.end().toString()).toBe('no newline');
    expect(splitter.resume).toEqual({ time: '2026-01-01T00:00:01Z', lines: 1 });
  });

  it('counts the lines that share a timestamp', () => {
    const splitter = new TimestampedLineSplitter();
    feed(splitter, '2026-01-01T00:00:01Z a\n2026-01-01T00:00:01Z b\n');
    expect(splitter.resume).toEqual({ time: '2026-01-01T00:00:01Z', lines: 2 });
  });

  it('resumes without gap or duplicate: earlier lines and the counted ones at the resume time are skipped', () => {
    // Kubernetes sends from sinceTime rounded down to the second.
    const resent =
      '2026-01-01T00:00:01Z a\n' +
      '2026-01-01T00:00:01.5Z b\n' +
      '2026-01-01T00:00:01.5Z c\n' +
      '2026-01-01T00:00:01.5Z d\n' +
      '2026-01-01T00:00:02Z e\n';
    const splitter = new TimestampedLineSplitter({
      time: '2026-01-01T00:00:01.5Z',
      lines: 2,
    });
    expect(feed(splitter, resent)).toBe('d\ne\n');
    expect(splitter.resume).toEqual({ time: '2026-01-01T00:00:02Z', lines: 1 });
  });

  it('keeps a line without a timestamp as it is', () => {
    const splitter = new TimestampedLineSplitter();
    expect(feed(splitter, 'plain\n', 'not-a-time x\n')).toBe(
      'plain\nnot-a-time x\n',
    );
  });

  it('passes a line longer than 1 MiB through instead of holding it', () => {
    const splitter = new TimestampedLineSplitter();
    const long = 'x'.repeat(1024 * 1024 + 10);
    const first = feed(splitter, `2026-01-01T00:00:01Z ${long}`);
    expect(first).toBe(long);
    expect(splitter.resume).toEqual({ time: '2026-01-01T00:00:01Z', lines: 1 });
    expect(feed(splitter, 'yz\n2026-01-01T00:00:02Z next\n')).toBe(
      'yz\nnext\n',
    );
  });

  it('keeps bytes that are not UTF-8 as they are', () => {
    const splitter = new TimestampedLineSplitter();
    const out = splitter.push(
      Buffer.concat([
        Buffer.from('2026-01-01T00:00:01Z '),
        Buffer.from([0xff, 0x00, 0xfe]),
        Buffer.from('\n'),
      ]),
    );
    expect([...out]).toEqual([0xff, 0x00, 0xfe, 0x0a]);
  });
});
