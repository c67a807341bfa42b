// Jobs of a run: bulk idempotent insert from the generic workflow, spec lookup, single rows and bulk state changes.

import type { Insertable } from 'kysely';
import type { State } from '../core/states.js';
import type { JobSpec } from '../core/workflow/model.js';
import type { Backend } from './backend.js';
import { IN_CHUNK, chunks, jobFromRow } from './convert.js';
import type { JobTasksTable, JobsTable, RunLabelsTable } from './schema.js';
import type { InsertJobsResult, JobRecord } from './types.js';

/** Columns written by insertJobs (the rest take their defaults). */
const INSERT_COLUMNS = 13;
/** Rows per write transaction. */
export const JOBS_PER_TX = 1000;

export interface InsertJobsOptions {
  /** Rows per transaction (default 1000). */
  rowsPerTx?: number;
}

function jobRow(runId: string, j: JobSpec, seq: number): Insertable<JobsTable> {
  if (!j || typeof j.name !== 'string' || j.name === '') throw new Error(`job #${seq} of run ${runId} has no name`);
  return {
    run_id: runId,
    name: j.name,
    seq,
    label: j.label,
    kind: j.kind,
    batch: j.batch,
    quanta: j.quanta ?? 0,
    state: j.kind === 'init' ? 'READY' : 'UNREADY',
    max_attempts: (j.numberOfRetries ?? 0) + 1,
    data_id: dataIdText(j.tags ?? j.dataId),
    compute_site: j.computeSite ?? null,
    parents: JSON.stringify(j.parents ?? []),
    spec: JSON.stringify(j),
  };
}

/** A data id as stored for filters: " key=value key=value " (keys sorted), so `LIKE '% visit=903334 %'` finds it. */
export function dataIdText(d: Record<string, string | number> | undefined): string | null {
  if (!d) return null;
  const keys = Object.keys(d).sort();
  return keys.length ? ` ${keys.map((k) => `${k}=${d[k]}`).join(' ')} ` : null;
}

function taskRows(runId: string, j: JobSpec): Insertable<JobTasksTable>[] {
  if (!j.taskQuanta) return [];
  return Object.entries(j.taskQuanta).map(([task, n]) => ({ run_id: runId, job_name: j.name, label: j.label, task_label: task, quanta: n }));
}

/**
 * Inserts the jobs of a run in order (parents before children, as in jobs.jsonl), ~1000 rows per transaction.
 * Idempotent: jobs already stored for the run are left untouched (state and attempts survive a re-run), so an
 * interrupted insert can simply be repeated. Also records the per-label order and expected counts.
 */
export async function insertJobs(
  b: Backend,
  runId: string,
  jobs: AsyncIterable<JobSpec> | Iterable<JobSpec>,
  opts: InsertJobsOptions = {},
): Promise<InsertJobsResult> {
  const perTx = Math.max(1, opts.rowsPerTx ?? JOBS_PER_TX);
  const perStmt = Math.max(1, Math.floor(b.maxParams / INSERT_COLUMNS));
  const labels = new Map<string, Insertable<RunLabelsTable>>();
  const batches = new Set<number>();
  let buf: Insertable<JobsTable>[] = [];
  let tasks: Insertable<JobTasksTable>[] = [];
  let seq = 0;
  let quanta = 0;

  const flush = async () => {
    if (buf.length === 0) return;
    const rows = buf;
    const taskRowsNow = tasks;
    buf = [];
    tasks = [];
    await b.writeTx(async (trx) => {
      for (const part of chunks(rows, perStmt)) {
        await trx
          .insertInto('jobs')
          .values(part)
          .onConflict((oc) => oc.columns(['run_id', 'name']).doNothing())
          .execute();
      }
      for (const part of chunks(taskRowsNow, Math.floor(b.maxParams / 5))) {
        await trx
          .insertInto('job_tasks')
          .values(part)
          .onConflict((oc) => oc.columns(['run_id', 'job_name', 'task_label']).doNothing())
          .execute();
      }
    });
  };

  for await (const j of jobs) {
    const row = jobRow(runId, j, seq);
    const l = labels.get(j.label);
    if (l) {
      l.expected = (l.expected as number) + 1;
      l.quanta = (l.quanta as number) + (j.quanta ?? 0);
    } else {
      labels.set(j.label, { run_id: runId, label: j.label, first_seq: seq, kind: j.kind, expected: 1, quanta: j.quanta ?? 0 });
    }
    if (j.batch >= 0) batches.add(j.batch);
    quanta += j.quanta ?? 0;
    seq++;
    buf.push(row);
    tasks.push(...taskRows(runId, j));
    if (buf.length >= perTx) await flush();
  }
  await flush();

  const labelRows = [...labels.values()];
  if (labelRows.length > 0) {
    await b.writeTx(async (trx) => {
      for (const part of chunks(labelRows, Math.floor(b.maxParams / 6))) {
        await trx
          .insertInto('run_labels')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['run_id', 'label']).doUpdateSet((eb) => ({
              first_seq: eb.ref('excluded.first_seq'),
              kind: eb.ref('excluded.kind'),
              expected: eb.ref('excluded.expected'),
              quanta: eb.ref('excluded.quanta'),
            })),
          )
          .execute();
      }
    });
  }
  return { jobs: seq, quanta, batches: [...batches].sort((a, c) => a - c) };
}

export async function getJobSpec(b: Backend, runId: string, name: string): Promise<JobSpec> {
  const row = await b.db
    .selectFrom('jobs')
    .select('spec')
    .where('run_id', '=', runId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw new Error(`job '${name}' not found in run '${runId}'`);
  return JSON.parse(row.spec) as JobSpec;
}

/** What an executor needs to run a job: its spec and where it stands (state, attempts recorded so far). */
export interface JobToRun {
  spec: JobSpec;
  state: State;
  attempts: number;
}

/**
 * Specs and states of the named jobs in one query per IN_CHUNK names (a group of jobs run by one activity);
 * names not in the run are absent from the map.
 */
export async function jobsToRun(b: Backend, runId: string, names: readonly string[]): Promise<Map<string, JobToRun>> {
  const out = new Map<string, JobToRun>();
  for (const part of chunks(names, IN_CHUNK)) {
    const rows = await b.db
      .selectFrom('jobs')
      .select(['name', 'spec', 'state', 'attempts'])
      .where('run_id', '=', runId)
      .where('name', 'in', part)
      .execute();
    for (const r of rows) out.set(r.name, { spec: JSON.parse(r.spec) as JobSpec, state: r.state as State, attempts: Number(r.attempts) });
  }
  return out;
}

export const JOB_COLUMNS = [
  'run_id', 'name', 'seq', 'label', 'kind', 'batch', 'quanta', 'state', 'max_attempts', 'attempts', 'exit_code',
  'signal', 'host', 'started_at', 'ended_at', 'peak_rss_mb', 'memory_mb', 'log_path', 'error_class', 'error_summary',
  'error_line', 'data_id', 'compute_site', 'parents',
] as const;

export async function getJob(b: Backend, runId: string, name: string): Promise<JobRecord | undefined> {
  const row = await b.db
    .selectFrom('jobs')
    .select(JOB_COLUMNS)
    .where('run_id', '=', runId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? jobFromRow(row) : undefined;
}

/**
 * Sets the state of the named jobs. With `from`, only jobs currently in one of those states change
 * (e.g. UNREADY -> READY without touching jobs that already ran). Returns the number of rows changed.
 */
export async function setJobStates(
  b: Backend,
  runId: string,
  names: readonly string[],
  state: State,
  from?: readonly State[],
): Promise<number> {
  if (from && from.length === 0) return 0;
  let changed = 0;
  for (const group of chunks(names, IN_CHUNK * 10)) {
    await b.writeTx(async (trx) => {
      for (const part of chunks(group, IN_CHUNK)) {
        let q = trx.updateTable('jobs').set({ state }).where('run_id', '=', runId).where('name', 'in', part);
        if (from) q = q.where('state', 'in', [...from]);
        const res = await q.executeTakeFirst();
        changed += Number(res.numUpdatedRows);
      }
    });
  }
  return changed;
}
