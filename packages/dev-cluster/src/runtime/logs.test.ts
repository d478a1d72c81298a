import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CriLogWriter,
  formatRfc3339Nano,
  LogFollower,
  parseCriLog,
  parseRfc3339Nanos,
  renderLog,
} from './logs';

describe('CRI logs', () => {
  it('formats and parses RFC3339Nano timestamps', () => {
    const nanos = 1_767_225_600_123_456_789n;
    expect(formatRfc3339Nano(nanos)).toBe('2026-01-01T00:00:00.123456789Z');
    expect(formatRfc3339Nano(1_767_225_600_100_000_000n)).toBe(
      '2026-01-01T00:00:00.1Z',
    );
    expect(formatRfc3339Nano(1_767_225_600_000_000_000n)).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(parseRfc3339Nanos('2026-01-01T00:00:00.123456789Z')).toBe(nanos);
    expect(parseRfc3339Nanos('2026-01-01T01:00:00.1+01:00')).toBe(
      1_767_225_600_100_000_000n,
    );
    expect(parseRfc3339Nanos('yesterday')).toBeUndefined();
  });

  const text = [
    '2026-01-01T00:00:01Z stdout F one',
    '2026-01-01T00:00:02Z stderr F two',
    '2026-01-01T00:00:03Z stdout P thr',
    '2026-01-01T00:00:03.5Z stdout F ee',
    'garbage',
    '',
  ].join('\n');

  it('renders entries with since, tail and timestamps', () => {
    const entries = parseCriLog(text);
    expect(entries).toHaveLength(4);
    expect(renderLog(entries, {})).toBe('one\ntwo\nthree\n');
    expect(renderLog(entries, { sinceTime: '2026-01-01T00:00:02Z' })).toBe(
      'two\nthree\n',
    );
    expect(renderLog(entries, { tailLines: 1, timestamps: true })).toBe(
      '2026-01-01T00:00:03.5Z ee\n',
    );
    expect(renderLog(entries, { tailLines: 0 })).toBe('');
    const now = parseRfc3339Nanos('2026-01-01T00:00:04Z')!;
    expect(renderLog(entries, { sinceSeconds: 1 }, now)).toBe('three\n');
  });
});

describe('CriLogWriter', () => {
  it('keeps a character that two reads of the output split', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cri-writer-'));
    try {
      const path = join(dir, 'log');
      const writer = new CriLogWriter(path);
      const bytes = Buffer.from('é€😀\nlast 😀');
      // Every byte its own read: each character is cut.
      for (let i = 0; i < bytes.length; i++) {
        writer.write('stdout', bytes.subarray(i, i + 1));
      }
      writer.flush();
      expect(
        parseCriLog(readFileSync(path, 'utf8')).map(e => e.content),
      ).toEqual(['é€😀', 'last 😀']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LogFollower', () => {
  it('sends a long log a chunk at a time, waiting while the client is not taking it, and ends after the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'follow-'));
    const path = join(dir, '0.log');
    const line = 'x'.repeat(1000);
    appendFileSync(
      path,
      `2026-01-01T00:00:01Z stdout F ${line}\n`.repeat(2000),
    );
    const chunks: string[] = [];
    let full = true;
    const follower = new LogFollower(path, {}, chunk => {
      chunks.push(chunk);
      return !full;
    });
    follower.start();
    // The client is full after the first chunk: nothing more until it drains.
    expect(chunks).toHaveLength(1);
    expect(chunks[0].length).toBeLessThan(2000 * 1001);
    appendFileSync(path, '2026-01-01T00:00:02Z stdout F last\n');
    follower.end();
    follower.readNew();
    expect(chunks).toHaveLength(1);
    full = false;
    follower.resume();
    await follower.done;
    expect(chunks.join('')).toBe(`${`${line}\n`.repeat(2000)}last\n`);
    rmSync(dir, { recursive: true, force: true });
  });
});
