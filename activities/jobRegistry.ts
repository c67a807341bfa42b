// The executor process's job registry (wms/local/jobGroups) under the data directory, and whether the executor is
// stopping (then a job cancelled by the worker's shutdown is a lost attempt, retried elsewhere, not a cancel).
import path from 'node:path';
import { JobGroups } from '../wms/local/jobGroups.js';
import { dataDir } from '../paths/index.js';

let groups: JobGroups | undefined;
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

export function markStopping(): void {
  stopping = true;
}

export function isStopping(): boolean {
  return stopping;
}
