// Process inspection through /proc (Linux): the job processes a soak's workers started, found by a marker
// variable in their environment (every job inherits its executor's environment), and the children of a pid.
import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat } from '../../../processes/procStat.js';

export interface JobProcess {
  pid: number;
  ppid: number;
  /** TBPS_RUN and TBPS_JOB_NAME of the job the process belongs to (absent for tools such as pipetask qgraph). */
  run?: string;
  job?: string;
  /** The worker instance that started it (the soak's TBPS_SOAK_WORKER). */
  worker?: string;
}

function readEnviron(pid: number): Map<string, string> | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return new Map(raw.split('\0').filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
    }));
  } catch {
    return undefined;
  }
}


/**
 * Live (not zombie) processes whose environment has `marker=value`, except the pids in `exclude` (the workers
 * themselves carry the marker too).
 */
export function markedProcesses(marker: string, value: string, exclude: ReadonlySet<number>): JobProcess[] {
  const found: JobProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (exclude.has(pid) || pid === process.pid) continue;
    const env = readEnviron(pid);
    if (env?.get(marker) !== value) continue;
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z') continue;
    found.push({ pid, ppid: stat.ppid, run: env.get('TBPS_RUN'), job: env.get('TBPS_JOB_NAME'), worker: env.get('TBPS_SOAK_WORKER') });
  }
  return found;
}

/** Whether a pid is alive and not a zombie. */
export function isLive(pid: number): boolean {
  const stat = readProcStat(pid);
  return !!stat && stat.state !== 'Z';
}
