// CPU time of the processes of a benchmark stack, read from /proc/<pid>/stat (Linux): a process's own user+system
// time and that of its children it has waited for, and the same for its live descendants (for the executor: its
// launcher, and the jobs the launcher ran). Used to say where the CPU
// of a run goes (dev server, orchestrator, executor, jobs, CLI), per job, next to the wall time.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuTimes {
  /** The process's own user + system seconds. */
  self: number;
  /** User + system seconds of its waited-for children. */
  children: number;
}

/** CPU times of a process; zeros when it is gone. */
export function cpuTimes(pid: number): CpuTimes {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    const at = (field: number) => Number(fields[field - 3]) / TICKS_PER_SECOND;
    return { self: at(14) + at(15), children: at(16) + at(17) };
  } catch {
    return { self: 0, children: 0 };
  }
}

/** The live descendants of a process (e.g. the executor's launcher and its running jobs). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* ended meanwhile */
    }
  }
  const out: number[] = [];
  for (const p of parentOf.keys()) {
    if (p === pid) continue;
    for (let q = parentOf.get(p); q !== undefined && q > 1; q = parentOf.get(q)) {
      if (q === pid) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}

/** CPU times of the live descendants of a process together: their own, and that of the children they waited for. */
export function descendantsCpuTimes(pid: number): CpuTimes {
  const total = { self: 0, children: 0 };
  for (const p of descendants(pid)) {
    const t = cpuTimes(p);
    total.self += t.self;
    total.children += t.children;
  }
  return total;
}

/** The CPU a set of named processes used between two readings, as `name=ms_per_job` pairs. */
export function cpuPerJob(before: Record<string, CpuTimes>, after: Record<string, CpuTimes>, jobs: number): string {
  const parts: string[] = [];
  for (const name of Object.keys(after)) {
    const b = before[name] ?? { self: 0, children: 0 };
    const a = after[name];
    parts.push(`${name}=${(((a.self - b.self) * 1000) / jobs).toFixed(2)}`);
    if (a.children - b.children > 0) parts.push(`${name}_children=${(((a.children - b.children) * 1000) / jobs).toFixed(2)}`);
  }
  return parts.join(' ');
}
