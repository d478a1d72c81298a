/** The lines only in `before` and the lines only in `after`, by a longest-common-subsequence line diff. */
export function lineDiff(
  before: string,
  after: string,
): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (
      j >= b.length ||
      (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1])
    ) {
      removed.push(a[i++]);
    } else {
      added.push(b[j++]);
    }
  }
  return { removed, added };
}

/**
 * The one contiguous run of lines that differs: what `before` had there and
 * what `after` has instead, found from the common first and last lines.
 */
export function changedBlock(
  before: string,
  after: string,
): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) {
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < Math.min(a.length, b.length) - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  return {
    removed: a.slice(prefix, a.length - suffix),
    added: b.slice(prefix, b.length - suffix),
  };
}
