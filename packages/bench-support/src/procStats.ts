import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process's resident set size in bytes, from /proc (Linux); 0 once it has exited. */
export function residentSetBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Samples a process's resident set every `intervalMs` until the returned
 * function is called, which gives the peak seen (a last sample included).
 */
export function sampleResidentPeak(pid: number, intervalMs = 20): () => number {
  let peak = residentSetBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentSetBytes(pid));
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, residentSetBytes(pid));
  };
}

let clockTicksPerSecond: number | undefined;

/**
 * The CPU time (user + system, seconds) a process has used so far, from
 * /proc (Linux); NaN once it has exited. The difference of two readings over
 * a wall-clock interval is the share of a core it had.
 */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return NaN;
  }
  clockTicksPerSecond ??=
    Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  // The command name (field 2) may hold spaces; fields count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}
