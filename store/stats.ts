// Statistics of runs, computed with SQL from the jobs and job_attempts tables: per job label (jobs, succeeded, failed,
// retries, failed attempts, wall time min/mean/max/total, peak memory min/mean/max, mean queue wait), and per
// pipeline task label, where a clustered job's time is split over its tasks by the seconds pipetask logged for each
// (when every task of the job has them) or else by its quanta.

import { sql } from 'kysely';
import type { LabelStats, TaskStats } from '../core/report/stats-table.js';
import type { Backend } from './backend.js';
import { num } from './convert.js';

export type { LabelStats, TaskStats };

const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/** Per job label, in no particular order (callers order by the run's label order). */
export async function labelStats(b: Backend, runIds: readonly string[]): Promise<LabelStats[]> {
  if (runIds.length === 0) return [];
  const jobRows = await b.db
    .selectFrom('jobs')
    .select((eb) => [
      'label',
      eb.fn.countAll().as('jobs'),
      eb.fn.sum(eb.case().when('state', '=', 'SUCCEEDED').then(1).else(0).end()).as('succeeded'),
      eb.fn.sum(eb.case().when('state', '=', 'FAILED').then(1).else(0).end()).as('failed'),
      eb.fn.sum(eb.case().when('attempts', '>', 1).then(sql<number>`attempts - 1`).else(0).end()).as('retries'),
    ])
    .where('run_id', 'in', [...runIds])
    .groupBy('label')
    .execute();
  const attemptRows = await b.db
    .selectFrom('job_attempts')
    .select((eb) => [
      'label',
      eb.fn.countAll().as('attempts'),
      eb.fn.sum(eb.case().when('state', 'not in', ['SUCCEEDED', 'RUNNING', 'DELETED']).then(1).else(0).end()).as('failed_attempts'),
      eb.fn.min('wall_s').as('wall_min'),
      eb.fn.avg('wall_s').as('wall_mean'),
      eb.fn.max('wall_s').as('wall_max'),
      eb.fn.sum('wall_s').as('wall_total'),
      eb.fn.min('peak_rss_mb').as('mem_min'),
      eb.fn.avg('peak_rss_mb').as('mem_mean'),
      eb.fn.max('peak_rss_mb').as('mem_max'),
      eb.fn.avg('wait_s').as('wait_mean'),
    ])
    .where('run_id', 'in', [...runIds])
    .groupBy('label')
    .execute();
  const byLabel = new Map(attemptRows.map((r) => [r.label ?? '', r]));
  return jobRows.map((j) => {
    const a = byLabel.get(j.label);
    return {
      label: j.label,
      jobs: num(j.jobs),
      succeeded: num(j.succeeded ?? 0),
      failed: num(j.failed ?? 0),
      retries: num(j.retries ?? 0),
      attempts: a ? num(a.attempts) : 0,
      failedAttempts: a ? num(a.failed_attempts ?? 0) : 0,
      wallMin: optNum(a?.wall_min),
      wallMean: optNum(a?.wall_mean),
      wallMax: optNum(a?.wall_max),
      wallTotal: optNum(a?.wall_total) ?? 0,
      memMin: optNum(a?.mem_min),
      memMean: optNum(a?.mem_mean),
      memMax: optNum(a?.mem_max),
      waitMean: optNum(a?.wait_mean),
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
