// Statistics of runs: per job label (jobs, succeeded, failed and retries from the jobs table; attempts, failed attempts,
// wall time min/mean/max/total, peak memory min/mean/max and mean queue wait from the per-label aggregates kept with
// the attempts, label_attempt_stats, so a run of millions of attempts reads a few rows), and per
// pipeline task label, where a clustered job's time is split over its tasks by the seconds pipetask logged for each
// (when every task of the job has them) or else by its quanta.

import { sql } from 'kysely';
import type { LabelStats, TaskStats } from '../core/report/stats-table.js';
import type { Backend } from './backend.js';
import { num } from './convert.js';
import { kbnAdd, type LabelAggregate } from './labelAggregates.js';

export type { LabelStats, TaskStats };

const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/** One label's aggregates over two runs (counts add up, sums add as compensated sums, extremes of both). */
function mergeAggregates(x: LabelAggregate, y: LabelAggregate): LabelAggregate {
  const m = { ...x };
  m.attempts = num(x.attempts) + num(y.attempts);
  m.failed_attempts = num(x.failed_attempts) + num(y.failed_attempts);
  const lo = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.min(p, q));
  const hi = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.max(p, q));
  for (const k of ['wall', 'mem', 'wait'] as const) {
    m[`${k}_n`] = num(x[`${k}_n`]) + num(y[`${k}_n`]);
    const [sum, err] = kbnAdd(x[`${k}_sum`], x[`${k}_err`], y[`${k}_sum`]);
    m[`${k}_sum`] = sum;
    m[`${k}_err`] = err + y[`${k}_err`];
  }
  m.wall_min = lo(x.wall_min, y.wall_min);
  m.wall_max = hi(x.wall_max, y.wall_max);
  m.mem_min = lo(x.mem_min, y.mem_min);
  m.mem_max = hi(x.mem_max, y.mem_max);
  return m;
}

/**
 * Per job label, in no particular order (callers order by the run's label order). Job counts come from the jobs
 * (covering index jobs_label_stats), attempt figures from label_attempt_stats.
 */
export async function labelStats(b: Backend, runIds: readonly string[]): Promise<LabelStats[]> {
  if (runIds.length === 0) return [];
  // Jobs per (label, state) with their retries, added up per label here (integers: exact in any order). Grouping by
  // the index's own order (label, state) costs less than per-row CASE sums.
  const jobRows = new Map<string, { label: string; jobs: number; succeeded: number; failed: number; retries: number }>();
  const byState = await b.db
    .selectFrom('jobs')
    .select((eb) => [
      'label',
      'state',
      eb.fn.countAll().as('n'),
      eb.fn.sum(eb.case().when('attempts', '>', 1).then(sql<number>`attempts - 1`).else(eb.lit(0)).end()).as('retries'),
    ])
    .where('run_id', 'in', [...runIds])
    .groupBy(['label', 'state'])
    .execute();
  for (const r of byState) {
    const j = jobRows.get(r.label) ?? { label: r.label, jobs: 0, succeeded: 0, failed: 0, retries: 0 };
    const n = num(r.n);
    j.jobs += n;
    if (r.state === 'SUCCEEDED') j.succeeded += n;
    if (r.state === 'FAILED') j.failed += n;
    j.retries += num(r.retries ?? 0);
    jobRows.set(r.label, j);
  }
  // Attempts: the per-label aggregates kept with the attempts (a few rows, whatever the number of attempts).
  const byLabel = new Map<string, LabelAggregate>();
  const aggs = await b.db.selectFrom('label_attempt_stats').selectAll().where('run_id', 'in', [...runIds]).orderBy('run_id').execute();
  for (const r of aggs) byLabel.set(r.label, byLabel.has(r.label) ? mergeAggregates(byLabel.get(r.label)!, r) : r);
  return [...jobRows.values()].map((j) => {
    const a = byLabel.get(j.label);
    // As SQL's sum() and avg() over the attempts: null without values, compensated sum, sum / count.
    const total = (n: number, sum: number, err: number) => (n > 0 ? sum + err : null);
    const mean = (n: number, sum: number, err: number) => (n > 0 ? (sum + err) / n : null);
    return {
      label: j.label,
      jobs: j.jobs,
      succeeded: j.succeeded,
      failed: j.failed,
      retries: j.retries,
      attempts: a ? num(a.attempts) : 0,
      failedAttempts: a ? num(a.failed_attempts) : 0,
      wallMin: optNum(a?.wall_min),
      wallMean: a ? mean(num(a.wall_n), a.wall_sum, a.wall_err) : null,
      wallMax: optNum(a?.wall_max),
      wallTotal: (a ? total(num(a.wall_n), a.wall_sum, a.wall_err) : null) ?? 0,
      memMin: optNum(a?.mem_min),
      memMean: a ? mean(num(a.mem_n), a.mem_sum, a.mem_err) : null,
      memMax: optNum(a?.mem_max),
      waitMean: a ? mean(num(a.wait_n), a.wait_sum, a.wait_err) : null,
    };
  });
}

/**
 * Per pipeline task label. Labels whose jobs hold one task each count as that task ('job'); clustered jobs'
 * attempt seconds are split over their tasks ('measured' when pipetask's timings cover every task of the job,
 * 'even' by quanta otherwise).
 */
export async function taskStats(b: Backend, runIds: readonly string[], byLabel: readonly LabelStats[]): Promise<TaskStats[]> {
  if (runIds.length === 0) return [];
  const ids = [...runIds];
  const labelQuanta = new Map(
    (
      await b.db
        .selectFrom('run_labels')
        .select((eb) => ['label', eb.fn.sum('quanta').as('q')])
        .where('run_id', 'in', ids)
        .groupBy('label')
        .execute()
    ).map((r) => [r.label, num(r.q)]),
  );
  const clusteredLabels = new Set(
    (await b.db.selectFrom('job_tasks').select('label').distinct().where('run_id', 'in', ids).execute()).map((r) => r.label),
  );
  const out = new Map<string, TaskStats>();
  const add = (task: string, quanta: number, jobs: number, seconds: number, split: TaskStats['split']) => {
    const t = out.get(task) ?? { task, quanta: 0, jobs: 0, wallTotal: 0, wallPerQuantum: null, split };
    t.quanta += quanta;
    t.jobs += jobs;
    t.wallTotal += seconds;
    if (t.split !== split) t.split = 'mixed';
    out.set(task, t);
  };
  for (const l of byLabel) if (!clusteredLabels.has(l.label)) add(l.label, labelQuanta.get(l.label) || l.jobs, l.jobs, l.wallTotal, 'job');

  if (clusteredLabels.size > 0) {
    // Per (job, task): the job's attempt seconds times the task's share (measured seconds when the job has them for
    // every task, else quanta).
    const rows = await sql<{ task_label: string; quanta: number; jobs: number; seconds: number | null; measured_jobs: number }>`
      with jw as (
        select run_id, job_name, sum(wall_s) as wall from job_attempts where run_id in (${sql.join(ids)}) group by run_id, job_name
      ), jt as (
        select run_id, job_name, sum(quanta) as q, sum(seconds) as s, count(seconds) as n_s, count(*) as n
        from job_tasks where run_id in (${sql.join(ids)}) group by run_id, job_name
      )
      select t.task_label as task_label,
             sum(t.quanta) as quanta,
             count(*) as jobs,
             sum(coalesce(jw.wall, 0) * (case when jt.n_s = jt.n and jt.s > 0 then t.seconds / jt.s else 1.0 * t.quanta / jt.q end)) as seconds,
             sum(case when jt.n_s = jt.n and jt.s > 0 then 1 else 0 end) as measured_jobs
      from job_tasks t
      join jt on jt.run_id = t.run_id and jt.job_name = t.job_name
      left join jw on jw.run_id = t.run_id and jw.job_name = t.job_name
      where t.run_id in (${sql.join(ids)})
      group by t.task_label`.execute(b.db);
    for (const r of rows.rows) {
      const jobs = num(r.jobs);
      const measured = num(r.measured_jobs);
      add(r.task_label, num(r.quanta), jobs, optNum(r.seconds) ?? 0, measured === jobs ? 'measured' : measured === 0 ? 'even' : 'mixed');
    }
  }
  const list = [...out.values()];
  for (const t of list) t.wallPerQuantum = t.quanta > 0 ? t.wallTotal / t.quanta : null;
  return list;
}
