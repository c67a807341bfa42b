// Measures the resident memory of running jobs. Each job runs in its own process group; one shared timer scans
// /proc and sums RSS per watched process group, so a job's children (e.g. python under sh) count too.
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

function tick(): void {
  const sums = rssByProcessGroup(new Set(watched.keys()));
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
