// Job lists for watching: filtered (label, state, compute site, data id, error class) and paginated in workflow
// order, and the summary of final failures by error class. Every filter is an indexed column of one run.

import { sql } from 'kysely';
import type { State } from '../core/states.js';
import type { Backend } from './backend.js';
import { jobFromRow, num } from './convert.js';
import { JOB_COLUMNS } from './jobs.js';
import type { JobRecord } from './types.js';

export interface JobFilter {
  label?: string;
  states?: readonly State[];
  computeSite?: string;
  /** key=value pairs that must all be in the job's data id. */
  dataId?: Record<string, string>;
  errorClass?: string;
  /** Exact job name. */
  name?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  /** Jobs matching the filter. */
  total: number;
}

function filtered(b: Backend, runId: string, f: JobFilter) {
  let q = b.db.selectFrom('jobs').where('run_id', '=', runId);
  if (f.name !== undefined) q = q.where('name', '=', f.name);
  if (f.label !== undefined) q = q.where('label', '=', f.label);
  if (f.states && f.states.length > 0) q = q.where('state', 'in', [...f.states]);
  if (f.computeSite !== undefined) q = q.where('compute_site', '=', f.computeSite);
  if (f.errorClass !== undefined) q = q.where('error_class', '=', f.errorClass);
  for (const [k, v] of Object.entries(f.dataId ?? {})) {
    q = q.where(sql<boolean>`data_id like ${`% ${escapeLike(k)}=${escapeLike(v)} %`} escape '!'`);
  }
  return q;
}

/** LIKE wildcards in a filter value match themselves. */
function escapeLike(s: string): string {
  return s.replace(/[!%_]/g, (c) => `!${c}`);
}

/** One page of jobs in workflow order, and how many match. */
export async function listJobs(b: Backend, runId: string, f: JobFilter, offset: number, limit: number): Promise<JobPage> {
  const [rows, count] = await Promise.all([
    filtered(b, runId, f).select(JOB_COLUMNS).orderBy('seq').offset(Math.max(0, offset)).limit(Math.max(0, limit)).execute(),
    filtered(b, runId, f).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { jobs: rows.map(jobFromRow), total: num(count.n) };
}

export interface ErrorClassCount {
  errorClass: string;
  count: number;
  /** One job of the class (the first in workflow order), its root cause and the matched line. */
  exampleRun: string;
  exampleJob: string;
  exampleLabel: string;
  exampleLine: string | null;
  exampleCause: string | null;
}

/** Final failures (jobs FAILED) of the given runs grouped by error class, most frequent first. */
export async function errorSummary(b: Backend, runIds: readonly string[]): Promise<ErrorClassCount[]> {
  if (runIds.length === 0) return [];
  const groups = await b.db
    .selectFrom('jobs')
    .select((eb) => ['error_class', eb.fn.countAll().as('n'), eb.fn.min('seq').as('first')])
    .where('run_id', 'in', [...runIds])
    .where('state', '=', 'FAILED')
    .groupBy('error_class')
    .execute();
  const out: ErrorClassCount[] = [];
  for (const g of groups) {
    let q = b.db
      .selectFrom('jobs')
      .select(['run_id', 'name', 'label', 'error_line', 'error_summary'])
      .where('run_id', 'in', [...runIds])
      .where('state', '=', 'FAILED');
    q = g.error_class === null ? q.where('error_class', 'is', null) : q.where('error_class', '=', g.error_class);
    const ex = await q.orderBy('seq').limit(1).executeTakeFirst();
    out.push({
      errorClass: g.error_class ?? 'unknown',
      count: num(g.n),
      exampleRun: ex?.run_id ?? '',
      exampleJob: ex?.name ?? '',
      exampleLabel: ex?.label ?? '',
      exampleLine: ex?.error_line ?? null,
      exampleCause: ex?.error_summary ?? null,
    });
  }
  return out.sort((a, c) => c.count - a.count || a.errorClass.localeCompare(c.errorClass));
}

/** Runs of a campaign (all steps), newest first. */
export async function campaignRunIds(b: Backend, campaign: string): Promise<string[]> {
  const rows = await b.db.selectFrom('runs').select('run_id').where('campaign', '=', campaign).orderBy('created_at', 'desc').execute();
  return rows.map((r) => r.run_id);
}

/** Compute sites seen in the store (runs' default sites and jobs' own), with their run counts. */
export async function listSites(b: Backend): Promise<{ site: string; runs: number }[]> {
  const rows = await b.db
    .selectFrom('runs')
    .select((eb) => ['compute_site', eb.fn.countAll().as('n')])
    .groupBy('compute_site')
    .execute();
  return rows.filter((r) => r.compute_site).map((r) => ({ site: r.compute_site, runs: num(r.n) })).sort((a, c) => a.site.localeCompare(c.site));
}

/** Job counts by state over the given runs, and how many jobs ended at or after `since` (for completion rates). */
export async function runsStateCounts(b: Backend, runIds: readonly string[], since: string): Promise<{ counts: Record<string, number>; recentDone: number }> {
  const counts: Record<string, number> = {};
  if (runIds.length === 0) return { counts, recentDone: 0 };
  const rows = await b.db
    .selectFrom('jobs')
    .select((eb) => ['state', eb.fn.countAll().as('n')])
    .where('run_id', 'in', [...runIds])
    .groupBy('state')
    .execute();
  for (const r of rows) counts[r.state] = num(r.n);
  const recent = await b.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('run_id', 'in', [...runIds])
    .where('state', 'in', ['SUCCEEDED', 'FAILED'])
    .where('ended_at', '>=', since)
    .executeTakeFirstOrThrow();
  return { counts, recentDone: num(recent.n) };
}
