// How many ready jobs the local executor's batch workflow puts into one activity. A Temporal activity costs tens of
// ms of CPU (dev server, workflow task, worker) whatever it runs: nothing next to a pipetask job, most of the cost
// of a job that takes milliseconds. So short jobs go in groups, sized from the jobs' measured wall time so that a
// group holds about GROUP_TARGET_SECONDS of job time (children of a group's jobs wait for the whole group), and
// jobs of unknown or long duration go one per activity, as before. Pure: used by workflows/batch.ts.

/** Job seconds one group should hold: bounds how long a finished job's children wait for the rest of its group. */
export const GROUP_TARGET_SECONDS = 2;
/** Default most jobs per group (config `jobGroupMax`; 1 = one job per activity). */
export const DEFAULT_GROUP_MAX = 64;
/** Until the first jobs' durations are known, at most this many jobs of a batch run (one per activity) ... */
export const PROBE_JOBS = 4;
/** ... until they all ended or for at most this long; then jobs of unknown duration run one per activity. */
export const PROBE_SECONDS = 5;
/** Durations kept for the estimate: the median of the latest ones (robust to a first job slowed by a cold start). */
export const RECENT_SAMPLES = 15;

/** Jobs per activity for jobs of typically `jobSeconds` (undefined: not known yet), at most `max`. */
export function groupSize(jobSeconds: number | undefined, max: number): number {
  if (jobSeconds === undefined || !(max > 1)) return 1;
  const fit = Math.floor(GROUP_TARGET_SECONDS / Math.max(jobSeconds, 1e-3));
  return Math.max(1, Math.min(Math.floor(max), fit));
}

/** The latest RECENT_SAMPLES durations after adding `samples` (jobs' process wall seconds; unknown ones skipped). */
export function withSamples(recent: readonly number[], samples: ReadonlyArray<number | undefined>): number[] {
  const known = samples.filter((s): s is number => typeof s === 'number' && Number.isFinite(s) && s >= 0);
  return [...recent, ...known].slice(-RECENT_SAMPLES);
}

/** The typical job duration: the median of the recent ones (undefined when there are none). */
export function typicalSeconds(recent: readonly number[]): number | undefined {
  if (recent.length === 0) return undefined;
  const sorted = [...recent].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
