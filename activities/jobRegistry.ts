// The executor process's job registry (wms/local/jobGroups) under the data directory, its launcher (the small
// process that spawns its jobs; TBPS_EXECUTOR_LAUNCHER=0 spawns them from the executor itself), and whether the
// executor is stopping (then a job cancelled by the worker's shutdown is a lost attempt, retried elsewhere, not a
// cancel).
import path from 'node:path';
import { JobGroups } from '../wms/local/jobGroups.js';
import { Launcher } from '../processes/launcher.js';
import { dataDir } from '../paths/index.js';

let groups: JobGroups | undefined;
let launcher: Launcher | undefined;
let stopping = false;

/** Where this host's executors register their running jobs. */
export function registryRoot(): string {
  return process.env.TBPS_EXECUTOR_REGISTRY ?? path.join(dataDir(), 'executors');
}

/** This process's registry; started (directory and watchdog) on first use. */
export function jobGroups(): JobGroups {
  if (!groups) {
    groups = new JobGroups(registryRoot());
    groups.start();
  }
  return groups;
}

/** This process's launcher (started on first use), or undefined when jobs are spawned from this process. */
export function jobLauncher(): Launcher | undefined {
  if (process.env.TBPS_EXECUTOR_LAUNCHER === '0') return undefined;
  launcher ??= new Launcher();
  return launcher;
}

/** Stops the launcher (after the jobs are killed: at the executor's shutdown). */
export function stopLauncher(): void {
  launcher?.stop();
  launcher = undefined;
}

/** Aborted when the executor stops: running and waiting jobs are killed at once and handed back. */
const stopNow = new AbortController();

export function markStopping(): void {
  stopping = true;
  stopNow.abort();
}

/** The executor-wide stop, for a job's cancellation next to its activity's own (a pilot's shutdown keeps a grace). */
export function stopSignal(): AbortSignal {
  return stopNow.signal;
}

export function isStopping(): boolean {
  return stopping;
}
