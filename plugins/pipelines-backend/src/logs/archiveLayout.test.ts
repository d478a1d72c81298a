import {
  archiveCap,
  cutMarker,
  planAppend,
  readSegments,
  tailStart,
} from './archiveLayout';

const cap = archiveCap(100); // head 50, tail 50

/** The archive after appending `sizes` bytes, as a map offset → byte, by planAppend. */
function simulate(sizes: number[]) {
  const stored = new Map<number, number>();
  let written = 0;
  for (const size of sizes) {
    const first = written;
    const data = Array.from({ length: size }, (_, i) => (first + i) % 251);
    const { pieces, dropBefore } = planAppend(written, size, cap);
    for (const piece of pieces) {
      for (let i = piece.from; i < piece.to; i++) {
        stored.set(piece.offset + (i - piece.from), data[i]);
      }
    }
    for (const offset of [...stored.keys()]) {
      if (offset >= cap.headBytes && offset < dropBefore) stored.delete(offset);
    }
    written += size;
  }
  return { stored, written };
}

describe('archive cap', () => {
  it('splits the cap into head and tail', () => {
    expect(archiveCap(101)).toEqual({
      maxBytes: 101,
      headBytes: 50,
      tailBytes: 51,
    });
  });

  it('stores everything while under the cap', () => {
    const { stored, written } = simulate([30, 40, 30]);
    expect(written).toBe(100);
    expect(stored.size).toBe(100);
    expect(readSegments(0, 1000, written, cap)).toEqual([
      { kind: 'bytes', start: 0, end: 50 },
      { kind: 'bytes', start: 50, end: 100 },
    ]);
  });

  it('keeps the first and the last half of a longer log, whatever the appends', () => {
    for (const sizes of [
      [250],
      [10, 200, 40],
      [49, 1, 1, 199],
      [60, 60, 60, 70],
    ]) {
      const { stored, written } = simulate(sizes);
      expect(written).toBe(250);
      const kept = [...stored.keys()].sort((a, b) => a - b);
      expect(kept).toEqual([
        ...Array.from({ length: 50 }, (_, i) => i),
        ...Array.from({ length: 50 }, (_, i) => 200 + i),
      ]);
      // Every byte kept is the byte written at that offset.
      for (const offset of kept) expect(stored.get(offset)).toBe(offset % 251);
    }
  });

  it('reads a capped log as head, a cut, and tail, for any range', () => {
    expect(tailStart(250, cap)).toBe(200);
    expect(readSegments(0, 250, 250, cap)).toEqual([
      { kind: 'bytes', start: 0, end: 50 },
      { kind: 'cut', start: 50, end: 200 },
      { kind: 'bytes', start: 200, end: 250 },
    ]);
    expect(readSegments(120, 220, 250, cap)).toEqual([
      { kind: 'cut', start: 120, end: 200 },
      { kind: 'bytes', start: 200, end: 220 },
    ]);
    expect(readSegments(10, 20, 250, cap)).toEqual([
      { kind: 'bytes', start: 10, end: 20 },
    ]);
    expect(readSegments(230, 400, 250, cap)).toEqual([
      { kind: 'bytes', start: 230, end: 250 },
    ]);
    expect(readSegments(250, 400, 250, cap)).toEqual([]);
  });

  it('says in the marker how much was cut and why', () => {
    expect(cutMarker(50, 200, archiveCap(20 * 1024 * 1024))).toBe(
      "\n[cairn: 150 bytes of this log cut here (bytes 50–200); the archive keeps the first 10 MiB and the last 10 MiB of a step's log (pipelines.logs.maxStepBytes)]\n",
    );
  });
});
