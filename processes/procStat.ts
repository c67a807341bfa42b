// Reading /proc/<pid>/stat: a process's state letter, parent, process group and start time (Linux). The command
// name (field 2) may hold spaces and parentheses, so the fields are those after the last ')'.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z, ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Start time in clock ticks since boot (with the pid, identifies a process across pid reuse). */
  startTicks: string;
}

/** The process's stat fields, or undefined when it does not exist (or ended meanwhile). */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]), startTicks: rest[19] };
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}
