/*
 * Where a step's bytes go in the archive when its log is longer than the
 * cap: the first half of the cap (the head) and the last half (the tail) are
 * kept, the middle is dropped and a marker stands in for it. Offsets are
 * positions in the log as the step wrote it, so they stay put while the
 * tail moves on.
 */

/** The parts of a capped log that are kept. @public */
export interface ArchiveCap {
  /** Total bytes kept at most (the config's `maxStepBytes`). */
  maxBytes: number;
  headBytes: number;
  tailBytes: number;
}

export function archiveCap(maxBytes: number): ArchiveCap {
  const headBytes = Math.floor(maxBytes / 2);
  return { maxBytes, headBytes, tailBytes: maxBytes - headBytes };
}

/** Where the kept tail starts once `written` bytes were written. */
export function tailStart(written: number, cap: ArchiveCap): number {
  return Math.max(cap.headBytes, written - cap.tailBytes);
}

/** A piece of appended data to store: `data[from, to)` at log offset `offset`. */
export interface StoredPiece {
  offset: number;
  from: number;
  to: number;
}

/**
 * What to store of `length` bytes appended after `written` bytes: the part
 * that falls in the head, and the part of the rest that stays in the tail;
 * chunks of the tail ending at or before `dropBefore` can be deleted.
 */
export function planAppend(
  written: number,
  length: number,
  cap: ArchiveCap,
): { pieces: StoredPiece[]; dropBefore: number } {
  const end = written + length;
  const pieces: StoredPiece[] = [];
  const headEnd = Math.min(end, Math.max(written, cap.headBytes));
  if (headEnd > written) {
    pieces.push({ offset: written, from: 0, to: headEnd - written });
  }
  const keepFrom = Math.max(headEnd, tailStart(end, cap));
  if (end > keepFrom) {
    pieces.push({ offset: keepFrom, from: keepFrom - written, to: length });
  }
  return { pieces, dropBefore: tailStart(end, cap) };
}

/** Part of a read: stored bytes, or a cut standing for dropped ones. */
export type ReadSegment =
  | { kind: 'bytes'; start: number; end: number }
  | { kind: 'cut'; start: number; end: number };

/** The segments of the log range `[start, end)` once `written` bytes were written. */
export function readSegments(
  start: number,
  end: number,
  written: number,
  cap: ArchiveCap,
): ReadSegment[] {
  const to = Math.min(end, written);
  const segments: ReadSegment[] = [];
  const keepFrom = tailStart(written, cap);
  const headEnd = Math.min(cap.headBytes, written);
  if (start < headEnd && to > start) {
    segments.push({ kind: 'bytes', start, end: Math.min(to, headEnd) });
  }
  if (keepFrom > cap.headBytes && start < keepFrom && to > cap.headBytes) {
    segments.push({
      kind: 'cut',
      start: Math.max(start, cap.headBytes),
      end: Math.min(to, keepFrom),
    });
  }
  const tailFrom = Math.max(start, keepFrom, headEnd);
  if (to > tailFrom) segments.push({ kind: 'bytes', start: tailFrom, end: to });
  return segments;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes % 1048576 === 0 ? 0 : 1)} MiB`;
}

/** The line that stands for dropped bytes `[start, end)` of a capped log. */
export function cutMarker(start: number, end: number, cap: ArchiveCap): string {
  return `\n[cairn: ${(end - start).toLocaleString(
    'en-US',
  )} bytes of this log cut here (bytes ${start}–${end}); the archive keeps the first ${mib(
    cap.headBytes,
  )} and the last ${mib(
    cap.tailBytes,
  )} of a step's log (pipelines.logs.maxStepBytes)]\n`;
}
