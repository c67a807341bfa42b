// Measures the resident memory of running jobs. Each job runs in its own process group; one shared timer sums RSS
// per watched process group, so a job's children (e.g. python under sh) count too. Most ticks read only the group
// leaders and their descendants (/proc/<pid>/task/<tid>/children); every FULL_SCAN_EVERY-th tick scans all of /proc,
// which also finds members that left the leader's tree (orphans re-parented to init). A full scan reads every
// process on the machine, which on a busy host cost more than the short jobs it watched.
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_KB = 4;

type Listener = (rssMb: number) => void;

const watched = new Map<number, Listener>();
let timer: NodeJS.Timeout | undefined;

/** Sum RSS (MiB) per process group for the given groups, from /proc/<pid>/stat. */
export function rssByProcessGroup(groups: Set<number>): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'latin1');
    } catch {
      continue; // process ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    if (!groups.has(pgrp)) continue;
    const rssPages = Number(fields[21]);
    out.set(pgrp, (out.get(pgrp) ?? 0) + (rssPages * PAGE_KB) / 1024);
  }
  return out;
}

/** Ticks between two full scans of /proc (every 5 s at the default 200 ms; the others read only the leaders' trees). */
const FULL_SCAN_EVERY = 25;

/** The stat fields after the command (field 3 on), or undefined when the process is gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The children of a process, over all its threads. */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (child) out.push(Number(child));
    } catch {
      /* thread or process ended meanwhile */
    }
  }
  return out;
}

/** Sum RSS (MiB) per process group, over each group leader and those of its descendants still in its group. */
export function rssByProcessTree(groups: Set<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const leader of groups) {
    let pages = 0;
    let found = false;
    const todo = [leader];
    const seen = new Set<number>();
    while (todo.length > 0) {
      const pid = todo.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const fields = statFields(pid);
      if (!fields || Number(fields[2]) !== leader) continue; // gone, or in a group of its own (not this job's)
      pages += Number(fields[21]);
      found = true;
      todo.push(...childrenOf(pid));
    }
    if (found) out.set(leader, (pages * PAGE_KB) / 1024);
  }
  return out;
}

let ticks = 0;

function tick(): void {
  const groups = new Set(watched.keys());
  const sums = ++ticks % FULL_SCAN_EVERY === 0 ? rssByProcessGroup(groups) : rssByProcessTree(groups);
  for (const [pgid, fn] of watched) fn(sums.get(pgid) ?? 0);
}

/** Calls `fn` with the group's RSS every `intervalMs` until the returned function is called. */
export function watchProcessGroup(pgid: number, fn: Listener, intervalMs = 200): () => void {
  watched.set(pgid, fn);
  if (!timer) {
    timer = setInterval(tick, intervalMs);
    timer.unref();
  }
  return () => {
    watched.delete(pgid);
    if (watched.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
