// Per-(run, label) attempt statistics, kept up to date in the write transaction of every attempt record, so label
// statistics read a few rows instead of scanning millions of attempts. They hold what labelStats reports about
// attempts: count, failed attempts, and count/sum/min/max of wall seconds and peak memory, count/sum of queue wait.
//
// Sums are compensated (Kahan-Babuska-Neumaier, as SQLite's own sum() and avg() compute them: running sum plus
// error term, the result is their sum), so they agree with summing the attempts' values in SQL. A value that
// leaves a minimum or maximum (an ended attempt recorded again with other values) makes the minimum and maximum
// be read again from the attempts.

import type { Kysely, Selectable } from 'kysely';
import type { Database, LabelAttemptStatsTable } from './schema.js';

/** The columns of an attempt that the statistics use. */
export interface AttemptFacts {
  state: string;
  wall_s: number | null;
  peak_rss_mb: number | null;
  wait_s: number | null;
}

export type LabelAggregate = Selectable<LabelAttemptStatsTable>;

/** Attempts in these states did not fail (the rest: FAILED, READY = failed and retried, HELD, ...). */
const NOT_FAILED = new Set(['SUCCEEDED', 'RUNNING', 'DELETED']);
const failedOf = (f: AttemptFacts | undefined) => (f && !NOT_FAILED.has(f.state) ? 1 : 0);

export function emptyAggregate(runId: string, label: string): LabelAggregate {
  return {
    run_id: runId,
    label,
    attempts: 0,
    failed_attempts: 0,
    wall_n: 0,
    wall_sum: 0,
    wall_err: 0,
    wall_min: null,
    wall_max: null,
    mem_n: 0,
    mem_sum: 0,
    mem_err: 0,
    mem_min: null,
    mem_max: null,
    wait_n: 0,
    wait_sum: 0,
    wait_err: 0,
  };
}

/** One Kahan-Babuska-Neumaier step (SQLite's kahanBabuskaNeumaierStep): returns the new [sum, err]. */
export function kbnAdd(sum: number, err: number, r: number): [number, number] {
  const t = sum + r;
  return [t, Math.abs(sum) > Math.abs(r) ? err + (sum - t + r) : err + (r - t + sum)];
}

type Metric = 'wall' | 'mem' | 'wait';
const COLUMN: Record<Metric, keyof AttemptFacts> = { wall: 'wall_s', mem: 'peak_rss_mb', wait: 'wait_s' };

/**
 * The aggregate after one attempt changed from `before` (undefined: the attempt is new) to `after`. `rescan` is true
 * when a value left the minimum or maximum of its metric: only the attempts themselves tell the new one.
 */
export function applyAttemptChange(agg: LabelAggregate, before: AttemptFacts | undefined, after: AttemptFacts): { agg: LabelAggregate; rescan: boolean } {
  const a = { ...agg };
  let rescan = false;
  if (!before) a.attempts += 1;
  a.failed_attempts += failedOf(after) - failedOf(before);
  for (const m of ['wall', 'mem', 'wait'] as const) {
    const old = before ? (before[COLUMN[m]] as number | null) : null;
    const now = after[COLUMN[m]] as number | null;
    if (old === now) continue;
    const n = `${m}_n` as const;
    const sum = `${m}_sum` as const;
    const err = `${m}_err` as const;
    if (old !== null) {
      a[n] -= 1;
      [a[sum], a[err]] = kbnAdd(a[sum], a[err], -old);
      if (m !== 'wait' && (old === a[`${m}_min`] || old === a[`${m}_max`])) rescan = true;
    }
    if (now !== null) {
      a[n] += 1;
      [a[sum], a[err]] = kbnAdd(a[sum], a[err], now);
      if (m !== 'wait') {
        const lo = a[`${m}_min`];
        const hi = a[`${m}_max`];
        a[`${m}_min`] = lo === null || now < lo ? now : lo;
        a[`${m}_max`] = hi === null || now > hi ? now : hi;
      }
    }
    if (a[n] === 0) {
      a[sum] = 0;
      a[err] = 0;
      if (m !== 'wait') a[`${m}_min`] = a[`${m}_max`] = null;
    }
  }
  return { agg: a, rescan };
}

const same = (x: AttemptFacts, y: AttemptFacts) => x.state === y.state && x.wall_s === y.wall_s && x.peak_rss_mb === y.peak_rss_mb && x.wait_s === y.wait_s;

/** Applies one attempt's change to its label's aggregate (inside the write transaction that changed the attempt). */
export async function updateLabelAggregate(
  trx: Kysely<Database>,
  runId: string,
  label: string | null,
  before: AttemptFacts | undefined,
  after: AttemptFacts,
): Promise<void> {
  // Attempts stored before labels were recorded have none; statistics never counted them.
  if (label === null || (before && same(before, after))) return;
  const row = await trx.selectFrom('label_attempt_stats').selectAll().where('run_id', '=', runId).where('label', '=', label).executeTakeFirst();
  const { agg, rescan } = applyAttemptChange(row ?? emptyAggregate(runId, label), before, after);
  if (rescan) {
    const mm = await trx
      .selectFrom('job_attempts')
      .select((eb) => [
        eb.fn.min('wall_s').as('wall_min'),
        eb.fn.max('wall_s').as('wall_max'),
        eb.fn.min('peak_rss_mb').as('mem_min'),
        eb.fn.max('peak_rss_mb').as('mem_max'),
      ])
      .where('run_id', '=', runId)
      .where('label', '=', label)
      .executeTakeFirstOrThrow();
    Object.assign(agg, mm);
  }
  const { run_id: _run, label: _label, ...vals } = agg;
  void _run;
  void _label;
  if (row) await trx.updateTable('label_attempt_stats').set(vals).where('run_id', '=', runId).where('label', '=', label).execute();
  else await trx.insertInto('label_attempt_stats').values(agg).execute();
}
