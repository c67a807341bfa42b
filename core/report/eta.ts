// Progress and ETA of a campaign or run from its counts and the recent completion rate (pure).

export interface ProgressInput {
  /** Jobs that reached a terminal state. */
  doneJobs: number;
  /** Jobs known so far (of started groups). */
  knownJobs: number;
  groupsTotal: number;
  /** Groups whose jobs are in the store (started). */
  groupsStarted: number;
  /** Jobs finished in the recent window, and the window's length in seconds. */
  recentDone: number;
  windowSeconds: number;
}

export interface ProgressEstimate {
  /** Estimated jobs of the whole campaign (known jobs scaled to every group). */
  estimatedJobs: number;
  /** 0..1 */
  fraction: number;
  /** Jobs per second over the recent window. */
  rate: number;
  /** Seconds left at that rate; null when nothing finished recently or nothing is left. */
  etaSeconds: number | null;
}

export function estimateProgress(p: ProgressInput): ProgressEstimate {
  const scale = p.groupsStarted > 0 && p.groupsTotal > p.groupsStarted ? p.groupsTotal / p.groupsStarted : 1;
  const estimatedJobs = Math.max(p.knownJobs, Math.round(p.knownJobs * scale));
  const fraction = estimatedJobs > 0 ? Math.min(1, p.doneJobs / estimatedJobs) : 0;
  const rate = p.windowSeconds > 0 ? p.recentDone / p.windowSeconds : 0;
  const left = estimatedJobs - p.doneJobs;
  const etaSeconds = rate > 0 && left > 0 ? left / rate : null;
  return { estimatedJobs, fraction, rate, etaSeconds };
}

/** "1h 05m", "4m 10s", "12s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
