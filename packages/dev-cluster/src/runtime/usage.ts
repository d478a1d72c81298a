import { readdirSync, readFileSync } from 'node:fs';

/*
 * What a container's processes use, read from /proc as the kubelet's cAdvisor
 * reads cgroups: the CPU time and resident memory of every process in the
 * container's process group (its main process leads the group, so children
 * such as a shell's count too).
 */

/** Linux's USER_HZ (`getconf CLK_TCK`) and page size, the units of /proc/<pid>/stat and statm. */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface ProcessGroupUsage {
  /** CPU time used so far, user and system, in seconds. */
  cpuSeconds: number;
  /** Resident memory, in bytes. */
  memoryBytes: number;
}

/** The fields of /proc/<pid>/stat after the command name: state is [0], pgrp [2], utime [11], stime [12]. */
export function parseStat(text: string): {
  pgrp: number;
  cpuTicks: number;
} {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pgrp: Number(rest[2]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
  };
}

/** The processes of a process group (its leader among them while it lives). */
export function processGroupMembers(group: number): number[] {
  const members: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter(name => /^\d+$/.test(name));
  } catch {
    return members;
  }
  for (const pid of pids) {
    try {
      if (parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).pgrp === group)
        members.push(Number(pid));
    } catch {
      // The process ended while we read it.
    }
  }
  return members;
}

/** The usage of each process group in `groups` (absent when none of its processes remain). */
export function processGroupUsage(
  groups: Iterable<number>,
): Map<number, ProcessGroupUsage> {
  const wanted = new Set(groups);
  const usage = new Map<number, ProcessGroupUsage>();
  if (!wanted.size) return usage;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter(name => /^\d+$/.test(name));
  } catch {
    return usage; // no procfs: nothing to report
  }
  for (const pid of pids) {
    try {
      const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (!wanted.has(stat.pgrp)) continue;
      const resident = Number(
        readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1],
      );
      const total = usage.get(stat.pgrp) ?? { cpuSeconds: 0, memoryBytes: 0 };
      total.cpuSeconds += stat.cpuTicks / CLOCK_TICKS_PER_SECOND;
      total.memoryBytes += resident * PAGE_SIZE;
      usage.set(stat.pgrp, total);
    } catch {
      // The process ended while we read it.
    }
  }
  return usage;
}
