// Statistics tables (pure): per job label the classic per-task layout `label count failed max mean total(s)`,
// then succeeded, retries, failed attempts, min wall time, peak memory min/mean/max (MiB) and mean queue wait;
// per pipeline task the quanta, jobs and seconds attributed to it, with how they were split. Also CSV.
import { plainTable } from './table.js';

export interface LabelStats {
  label: string;
  jobs: number;
  succeeded: number;
  /** Jobs whose last attempt failed (state FAILED). */
  failed: number;
  /** Attempts beyond the first, over all jobs. */
  retries: number;
  attempts: number;
  /** Attempts that ended in a failure (retried or final). */
  failedAttempts: number;
  wallMin: number | null;
  wallMean: number | null;
  wallMax: number | null;
  wallTotal: number;
  memMin: number | null;
  memMean: number | null;
  memMax: number | null;
  waitMean: number | null;
}

export interface TaskStats {
  task: string;
  quanta: number;
  jobs: number;
  /** Seconds attributed to the task over all attempts. */
  wallTotal: number;
  /** wallTotal / quanta. */
  wallPerQuantum: number | null;
  /** How the seconds were attributed: 'job' (one task per job), 'measured' (pipetask timings), 'even' (by quanta), 'mixed'. */
  split: 'job' | 'measured' | 'even' | 'mixed';
}

export const LABEL_STATS_COLUMNS = [
  'label', 'count', 'failed', 'max', 'mean', 'total(s)',
  'succeeded', 'retries', 'failed_att', 'min', 'mem_min', 'mem_mean', 'mem_max', 'wait_mean',
] as const;

export const TASK_STATS_COLUMNS = ['task', 'quanta', 'jobs', 'total(s)', 'per_quantum(s)', 'split'] as const;

const f1 = (v: number | null) => (v === null ? '-' : v.toFixed(1));
const f0 = (v: number | null) => (v === null ? '-' : v.toFixed(0));

function labelCells(r: LabelStats): string[] {
  return [
    r.label, String(r.jobs), String(r.failed), f1(r.wallMax), f1(r.wallMean), f1(r.wallTotal),
    String(r.succeeded), String(r.retries), String(r.failedAttempts), f1(r.wallMin), f0(r.memMin), f0(r.memMean), f0(r.memMax), f1(r.waitMean),
  ];
}

function taskCells(t: TaskStats): string[] {
  return [t.task, String(t.quanta), String(t.jobs), f1(t.wallTotal), t.wallPerQuantum === null ? '-' : t.wallPerQuantum.toFixed(2), t.split];
}

/** Label rows, a rule, then the TOTAL row (wall times in seconds, memory in MiB). */
export function formatLabelStats(rows: readonly LabelStats[], total: LabelStats): string {
  const aligns = LABEL_STATS_COLUMNS.map((_, i) => (i === 0 ? 'left' : 'right') as 'left' | 'right');
  const lines = plainTable([...LABEL_STATS_COLUMNS], [...rows.map(labelCells), labelCells(total)], aligns);
  if (rows.length > 0) lines.splice(lines.length - 1, 0, lines[1]);
  return lines.join('\n');
}

export function formatTaskStats(rows: readonly TaskStats[]): string {
  const aligns = TASK_STATS_COLUMNS.map((_, i) => (i === 0 || i === 5 ? 'left' : 'right') as 'left' | 'right');
  return plainTable([...TASK_STATS_COLUMNS], rows.map(taskCells), aligns).join('\n');
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function labelStatsCsv(rows: readonly LabelStats[]): string {
  return [LABEL_STATS_COLUMNS.join(','), ...rows.map((r) => labelCells(r).map((c) => csvCell(c === '-' ? '' : c)).join(','))].join('\n');
}

export function taskStatsCsv(rows: readonly TaskStats[]): string {
  return [TASK_STATS_COLUMNS.join(','), ...rows.map((r) => taskCells(r).map((c) => csvCell(c === '-' ? '' : c)).join(','))].join('\n');
}
