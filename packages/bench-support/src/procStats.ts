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

/** The machine's CPU time so far, all cores, in clock ticks (/proc/stat). */
export interface MachineCpuTimes {
  /** Time in the kernel (system, interrupts). */
  kernel: number;
  /** Time neither idle nor in the kernel (user, nice, guests). */
  user: number;
  total: number;
}

export function machineCpuTimes(): MachineCpuTimes {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  // user nice system idle iowait irq softirq steal …
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks;
  return {
    kernel: system + irq + softirq,
    user: user + nice,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

/** How busy the machine's cores were between two readings: shares (0–1) of all CPU time. */
export function machineCpuBusy(
  before: MachineCpuTimes,
  after: MachineCpuTimes,
): { busy: number; kernel: number } {
  const total = after.total - before.total;
  if (total <= 0) return { busy: NaN, kernel: NaN };
  const kernel = (after.kernel - before.kernel) / total;
  return { busy: (after.user - before.user) / total + kernel, kernel };
}
