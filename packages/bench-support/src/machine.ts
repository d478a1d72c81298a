import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** The repository's root (this package lives in packages/bench-support/src). */
// Benchmarks run from source, never from a build, so __dirname is this folder.
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** What the report says a run was measured on. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(
    os.totalmem() /
    1024 ** 3
  ).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/**
 * The commit measured, and which of `sources` (paths from the repository's
 * root) had uncommitted changes, as they make the commit an approximation.
 */
export function codeVersion(sources: string[]): string {
  try {
    const git = (...a: string[]) =>
      execFileSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = sources.filter(source =>
      git('status', '--porcelain', '--', source),
    );
    return `commit ${commit}${
      changed.length
        ? `, with uncommitted changes in ${changed.join(' and ')}`
        : ''
    }`;
  } catch {
    return 'unknown commit';
  }
}

/** The machine's load average over 1, 5 and 15 minutes, as a report writes it: `3.2 / 2.9 / 2.5`. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' / ');
}

/**
 * The report's sentence on the machine's load around a run (`before` and
 * `after` as {@link loadAverage} writes them): whether other work already
 * kept the cores busy when it began, which makes its rates lower bounds and
 * its latencies upper bounds.
 */
export function describeLoad(
  before: string,
  after: string,
  cores: number = os.cpus().length,
): string {
  const startedBusy = Number.parseFloat(before) >= cores / 2;
  return `Load average (1 / 5 / 15 min) ${before} before, ${after} after: ${
    startedBusy
      ? `other work already kept the ${cores} cores busy when it began, so rates are lower bounds and latencies upper bounds`
      : `the ${cores} cores were nearly idle when it began`
  }.`;
}
