// Cost estimate of campaign groups from the history of past runs (pure): CPU-hours from the seconds per quantum of
// each pipeline task, peak memory from each job label's largest peak, wall time from the runs' overhead (graph,
// init, merge: their duration outside the payload jobs) plus the payload seconds over the parallelism those runs
// reached. `tbps campaign plan` and the dashboard's ETA both use it.

/** A group's planned work: per job label, its jobs, quanta and quanta per pipeline task. */
export interface PlannedLabel {
  label: string;
  kind: 'payload' | 'init' | 'final';
  jobs: number;
  quanta: number;
  tasks: Record<string, number>;
  /** CPUs a job of this label asks for (requestCpus). */
  cpus: number;
}

/** What past runs of the same labels say. */
export interface CostHistory {
  /** Seconds per quantum of each pipeline task label. */
  taskSecondsPerQuantum: Record<string, number>;
  /** Largest peak memory (MiB) of each job label. */
  labelPeakMemoryMb: Record<string, number>;
  /** Past runs: their duration, the span and seconds of their payload jobs. */
  runs: Array<{ durationSeconds: number; payloadSeconds: number; payloadSpanSeconds: number }>;
}

export interface GroupEstimate {
  cpuHours: number | null;
  peakMemoryMb: number | null;
  wallSeconds: number | null;
  /** Plain notes where history is missing. */
  notes: string[];
}

/** Overhead (seconds outside the payload jobs) and parallelism (payload seconds per second of their span) of past runs. */
export function runShape(runs: CostHistory['runs']): { overheadSeconds: number; parallelism: number } | null {
  const usable = runs.filter((r) => r.durationSeconds > 0);
  if (usable.length === 0) return null;
  const overhead = usable.reduce((a, r) => a + Math.max(0, r.durationSeconds - r.payloadSpanSeconds), 0) / usable.length;
  const spans = usable.filter((r) => r.payloadSpanSeconds > 0 && r.payloadSeconds > 0);
  const parallelism = spans.length ? Math.max(1, spans.reduce((a, r) => a + r.payloadSeconds / r.payloadSpanSeconds, 0) / spans.length) : 1;
  return { overheadSeconds: overhead, parallelism };
}

/** Seconds of payload work a group's labels should take (null when some task has no history), and the tasks without it. */
export function payloadSeconds(labels: readonly PlannedLabel[], history: CostHistory): { seconds: number | null; cpuSeconds: number | null; missing: string[] } {
  let seconds = 0;
  let cpuSeconds = 0;
  const missing: string[] = [];
  for (const l of labels) {
    if (l.kind !== 'payload') continue;
    for (const [task, quanta] of Object.entries(l.tasks)) {
      const perQuantum = history.taskSecondsPerQuantum[task];
      if (perQuantum === undefined) missing.push(task);
      else {
        seconds += perQuantum * quanta;
        cpuSeconds += perQuantum * quanta * Math.max(1, l.cpus);
      }
    }
  }
  return missing.length ? { seconds: null, cpuSeconds: null, missing } : { seconds, cpuSeconds, missing };
}

export function estimateGroup(labels: readonly PlannedLabel[], history: CostHistory): GroupEstimate {
  const notes: string[] = [];
  const work = payloadSeconds(labels, history);
  if (work.missing.length) notes.push(`no history for task(s) ${[...new Set(work.missing)].join(', ')}`);
  const memories = labels.map((l) => history.labelPeakMemoryMb[l.label]).filter((m): m is number => m !== undefined);
  const withoutMemory = labels.filter((l) => history.labelPeakMemoryMb[l.label] === undefined).map((l) => l.label);
  if (withoutMemory.length) notes.push(`no peak memory recorded for ${withoutMemory.join(', ')}`);
  const shape = runShape(history.runs);
  if (!shape) notes.push('no past run of these labels: no wall time');
  const wallSeconds = shape && work.seconds !== null ? shape.overheadSeconds + work.seconds / shape.parallelism : null;
  return {
    cpuHours: work.cpuSeconds === null ? null : work.cpuSeconds / 3600,
    peakMemoryMb: memories.length ? Math.max(...memories) : null,
    wallSeconds,
    notes,
  };
}

/** Wall seconds of a step whose groups (in order) run `concurrency` at a time, each as soon as a slot frees. */
export function stepWallSeconds(groupSeconds: readonly number[], concurrency: number): number {
  const lanes = new Array<number>(Math.max(1, Math.min(concurrency, groupSeconds.length || 1))).fill(0);
  for (const s of groupSeconds) {
    let first = 0;
    for (let i = 1; i < lanes.length; i++) if (lanes[i] < lanes[first]) first = i;
    lanes[first] += s;
  }
  return Math.max(0, ...lanes);
}

/**
 * Seconds left for a running campaign from history: the groups not yet started pay the runs' overhead (`concurrency`
 * at a time), the jobs not yet done their mean seconds over the parallelism past runs reached. Null without history.
 */
export function historyEtaSeconds(p: {
  jobsLeft: number;
  meanJobSeconds: number | null;
  groupsLeft: number;
  concurrency: number;
  runs: CostHistory['runs'];
}): number | null {
  const shape = runShape(p.runs);
  if (!shape || p.meanJobSeconds === null) return null;
  if (p.jobsLeft <= 0 && p.groupsLeft <= 0) return null;
  return (p.groupsLeft * shape.overheadSeconds) / Math.max(1, p.concurrency) + (p.jobsLeft * p.meanJobSeconds) / shape.parallelism;
}
