/*
 * Go's time.Duration text, which Tekton's timeouts use: "1h30m", "90s",
 * "500ms"; written back as Go prints them ("1h0m0s").
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (
    let match = pattern.exec(trimmed);
    match;
    match = pattern.exec(trimmed)
  ) {
    total += Number(match[1]) * UNITS[match[2]];
    consumed = pattern.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) return undefined;
  return total;
}

/** A duration as Go's Duration.String() prints it. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

/** Tekton's default timeout of runs (config-defaults default-timeout-minutes). */
export const DEFAULT_TIMEOUT_MS = 60 * 60_000;
