// Job attempts: idempotent start/end records keyed (run_id, job_name, attempt), mirrored onto the jobs row and
// folded into their label's statistics (label_attempt_stats) in the same transaction.
//
// The caller passes the attempt number of the current execution (Temporal's activity attempt: 1, 2, ...).
// After resetForRestart the store records it after the attempts already kept (attempt_base + n), so a restarted
// run never collides with, or is hidden behind, the history of the previous execution.

import { sql, type Kysely } from 'kysely';
import type { Backend } from './backend.js';
import { attemptFromRow, num, toIso } from './convert.js';
import { updateLabelAggregate, type AttemptFacts } from './labelAggregates.js';
import type { Database } from './schema.js';
import type { AttemptEnd, AttemptRecord, AttemptStart } from './types.js';
import type { State } from '../core/states.js';
import { LOST_ERROR_CLASS, nextTry } from '../core/run/attemptHistory.js';

function checkAttempt(attempt: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be an integer >= 1, got ${attempt}`);
}

/** What is stored of an attempt before a record changes it (what its label's statistics were built from). */
type Prior = AttemptFacts & { label: string | null; started_at: string | null; ended_at: string | null };

/**
 * The stored attempt number for the caller's attempt, the job's label, and the attempt as stored so far (undefined
 * when new), in one read; throws when the job does not exist.
 */
async function storedAttempt(
  trx: Kysely<Database>,
  runId: string,
  name: string,
  attempt: number,
  absolute = false,
): Promise<{ n: number; label: string; prior?: Prior }> {
  const base = absolute ? sql<number>`0` : sql<number>`j.attempt_base`;
  const row = await trx
    .selectFrom('jobs as j')
    .leftJoin('job_attempts as a', (join) =>
      join.onRef('a.run_id', '=', 'j.run_id').onRef('a.job_name', '=', 'j.name').on('a.attempt', '=', sql<number>`${base} + ${attempt}`),
    )
    .select(['j.attempt_base', 'j.label', 'a.attempt', 'a.label as a_label', 'a.state', 'a.wall_s', 'a.peak_rss_mb', 'a.wait_s', 'a.started_at', 'a.ended_at'])
    .where('j.run_id', '=', runId)
    .where('j.name', '=', name)
    .executeTakeFirst();
  if (!row) throw new Error(`job '${name}' not found in run '${runId}'`);
  const prior: Prior | undefined =
    row.attempt === null
      ? undefined
      : { label: row.a_label, state: row.state!, wall_s: row.wall_s, peak_rss_mb: row.peak_rss_mb, wait_s: row.wait_s, started_at: row.started_at, ended_at: row.ended_at };
  return { n: (absolute ? 0 : num(row.attempt_base)) + attempt, label: row.label, prior };
}

function secondsBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(s) ? Math.max(0, s) : null;
}

/**
 * Records that an attempt started. Repeating the call is harmless; once the attempt has ended its record is
 * not reopened, and an older attempt never overwrites the jobs row of a newer one.
 */
export async function recordAttemptStart(b: Backend, runId: string, name: string, attempt: number, s: AttemptStart): Promise<void> {
  checkAttempt(attempt);
  await b.writeTx((trx) => startAttemptIn(trx, runId, name, attempt, false, s));
}

/**
 * recordAttemptStart inside a write transaction; `absolute`: attempt is the stored number, not after attempt_base.
 * `fresh`: the caller knows the attempt is not stored yet and the job's label (openAttempt), which saves a read.
 */
async function startAttemptIn(
  trx: Kysely<Database>,
  runId: string,
  name: string,
  attempt: number,
  absolute: boolean,
  s: AttemptStart,
  fresh?: { label: string },
): Promise<void> {
  const started = toIso(s.startedAt);
  const readyAt = s.readyAt === undefined || s.readyAt === null ? null : toIso(s.readyAt);
  const vals = {
    state: s.state ?? 'RUNNING',
    host: s.host ?? null,
    memory_mb: s.memoryMb ?? null,
    log_path: s.logPath ?? null,
    started_at: started,
  };
  const timing = { ready_at: readyAt, wait_s: secondsBetween(readyAt, started) };
  {
    const { n, label, prior } = fresh && absolute ? { n: attempt, label: fresh.label, prior: undefined } : await storedAttempt(trx, runId, name, attempt, absolute);
    await trx
      .updateTable('jobs')
      .set({
        ...vals,
        attempts: n,
        ended_at: null,
        exit_code: null,
        signal: null,
        peak_rss_mb: null,
        error_class: null,
        error_summary: null,
        error_line: null,
      })
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .where((eb) => eb.or([eb('attempts', '<', n), eb.and([eb('attempts', '=', n), eb('ended_at', 'is', null)])]))
      .execute();
    await trx
      .insertInto('job_attempts')
      .values({ run_id: runId, job_name: name, attempt: n, label, ...vals, ...timing })
      .onConflict((oc) =>
        oc.columns(['run_id', 'job_name', 'attempt']).doUpdateSet({ ...vals, ...timing }).where('job_attempts.ended_at', 'is', null),
      )
      .execute();
    // The attempt as the upsert left it: a new one, or one not yet ended with this start; an ended one is unchanged.
    if (prior?.ended_at) return;
    const after: AttemptFacts = { state: vals.state, wall_s: prior?.wall_s ?? null, peak_rss_mb: prior?.peak_rss_mb ?? null, wait_s: timing.wait_s };
    await updateLabelAggregate(trx, runId, prior ? prior.label : label, prior, after);
  }
}

/**
 * Records how an attempt ended (creating its record if the start was never recorded). Idempotent; pass
 * endedAt for a repeat to be byte-identical.
 */
export async function recordAttemptEnd(b: Backend, runId: string, name: string, attempt: number, e: AttemptEnd): Promise<void> {
  checkAttempt(attempt);
  await b.writeTx((trx) => endAttemptIn(trx, runId, name, attempt, false, e));
}

/** recordAttemptEnd inside a write transaction; `absolute`: attempt is the stored number, not after attempt_base. */
async function endAttemptIn(trx: Kysely<Database>, runId: string, name: string, attempt: number, absolute: boolean, e: AttemptEnd & { noWall?: boolean }): Promise<void> {
  const vals = {
    state: e.state,
    exit_code: e.exitCode ?? null,
    signal: e.signal ?? null,
    peak_rss_mb: e.peakRssMb ?? null,
    error_class: e.errorClass ?? null,
    error_summary: e.errorSummary ?? null,
    error_line: e.errorLine ?? null,
    ended_at: toIso(e.endedAt),
  };
  {
    const { n, label, prior } = await storedAttempt(trx, runId, name, attempt, absolute);
    const wall = { wall_s: e.noWall ? null : secondsBetween(prior?.started_at, vals.ended_at) };
    await trx
      .updateTable('jobs')
      .set({ ...vals, attempts: n })
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .where('attempts', '<=', n)
      .execute();
    await trx
      .insertInto('job_attempts')
      .values({ run_id: runId, job_name: name, attempt: n, label, ...vals, ...wall })
      .onConflict((oc) => oc.columns(['run_id', 'job_name', 'attempt']).doUpdateSet({ ...vals, ...wall }))
      .execute();
    // The attempt as the upsert left it (its queue wait is the start's).
    const after: AttemptFacts = { state: vals.state, wall_s: wall.wall_s, peak_rss_mb: vals.peak_rss_mb, wait_s: prior ? prior.wait_s : null };
    await updateLabelAggregate(trx, runId, prior ? prior.label : label, prior, after);
  }
}

/** All recorded attempts of a job, oldest first, numbered over the job's whole life. */
export async function listAttempts(b: Backend, runId: string, name: string): Promise<AttemptRecord[]> {
  const rows = await b.db
    .selectFrom('job_attempts')
    .selectAll()
    .where('run_id', '=', runId)
    .where('job_name', '=', name)
    .orderBy('attempt')
    .execute();
  return rows.map(attemptFromRow);
}

/**
 * Records the seconds pipetask logged per task for a clustered job (its last attempt); tasks not in the job are
 * ignored. Idempotent.
 */
export async function recordTaskSeconds(b: Backend, runId: string, name: string, seconds: Record<string, number>): Promise<void> {
  const entries = Object.entries(seconds);
  if (entries.length === 0) return;
  await b.writeTx(async (trx) => {
    for (const [task, s] of entries) {
      await trx
        .updateTable('job_tasks')
        .set({ seconds: s })
        .where('run_id', '=', runId)
        .where('job_name', '=', name)
        .where('task_label', '=', task)
        .execute();
    }
  });
}

/** The attempt opened by openAttempt. */
export interface OpenedAttempt {
  /** Stored attempt number over the job's whole life (no gaps: the previous one + 1). */
  number: number;
  /** Try of the current execution that drives memory and the retry budget: 1 + attempts that ran and failed. */
  tryNumber: number;
  /** Earlier attempts found still open and closed as lost. */
  closedLost: number;
}

/**
 * Opens the next attempt of a job that is about to start (its resources acquired): attempts of the job still open
 * (their worker died) are first closed as lost, then the attempt numbered after the last one stored is recorded as
 * started. Attempt numbers come from the store, not from Temporal's attempt counter, so they have no gaps, and only
 * attempts that ran and failed count as tries (see core/run/attemptHistory).
 */
export async function openAttempt(
  b: Backend,
  runId: string,
  name: string,
  start: (number: number) => AttemptStart,
  lostSummary: string,
): Promise<OpenedAttempt> {
  return b.writeTx(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['attempt_base', 'attempts', 'label']).where('run_id', '=', runId).where('name', '=', name).executeTakeFirst();
    if (!job) throw new Error(`job '${name}' not found in run '${runId}'`);
    const rows = await trx
      .selectFrom('job_attempts')
      .select(['attempt', 'state', 'error_class', 'ended_at'])
      .where('run_id', '=', runId)
      .where('job_name', '=', name)
      .orderBy('attempt')
      .execute();
    const base = num(job.attempt_base);
    let closedLost = 0;
    for (const r of rows) {
      if (r.ended_at !== null) continue;
      await endAttemptIn(trx, runId, name, num(r.attempt), true, lostEnd(lostSummary));
      closedLost++;
    }
    const past = rows
      .filter((r) => num(r.attempt) > base && r.ended_at !== null)
      .map((r) => ({ state: r.state, errorClass: r.error_class, endedAt: r.ended_at }));
    const last = Math.max(base, num(job.attempts), ...rows.map((r) => num(r.attempt)));
    const number = last + 1;
    // Numbered after every stored attempt: not stored yet.
    await startAttemptIn(trx, runId, name, number, true, start(number), { label: job.label });
    return { number, tryNumber: nextTry(past), closedLost };
  });
}

/** The try number the next attempt of a job would have (see OpenedAttempt.tryNumber), for its memory request. */
export async function nextTryOf(b: Backend, runId: string, name: string): Promise<number> {
  const job = await b.db.selectFrom('jobs').select('attempt_base').where('run_id', '=', runId).where('name', '=', name).executeTakeFirst();
  if (!job) throw new Error(`job '${name}' not found in run '${runId}'`);
  const rows = await b.db
    .selectFrom('job_attempts')
    .select(['state', 'error_class', 'ended_at'])
    .where('run_id', '=', runId)
    .where('job_name', '=', name)
    .where('attempt', '>', num(job.attempt_base))
    .execute();
  return nextTry(rows.map((r) => ({ state: r.state, errorClass: r.error_class, endedAt: r.ended_at })));
}

/** How a lost attempt is closed: failed and retried (READY), class `lost`, no wall time (its end is not known). */
function lostEnd(summary: string): AttemptEnd & { noWall: boolean } {
  return { state: 'READY', errorClass: LOST_ERROR_CLASS, errorSummary: summary, endedAt: new Date().toISOString(), noWall: true };
}

/** Records how the attempt numbered `number` (as stored, see openAttempt) ended. Idempotent. */
export async function recordNumberedAttemptEnd(b: Backend, runId: string, name: string, number: number, e: AttemptEnd): Promise<void> {
  checkAttempt(number);
  await b.writeTx((trx) => endAttemptIn(trx, runId, name, number, true, e));
}

/**
 * Closes attempts of jobs that are still open although nothing runs them any more (their executor died): the given
 * attempt numbers, or every open attempt of the named jobs when `number` is omitted. `state` READY (lost, retried)
 * unless given. Returns how many were closed.
 */
export async function closeOpenAttempts(
  b: Backend,
  runId: string,
  targets: ReadonlyArray<{ name: string; number?: number }>,
  summary: string,
  state: State = 'READY',
): Promise<number> {
  if (targets.length === 0) return 0;
  return b.writeTx(async (trx) => {
    let closed = 0;
    for (const t of targets) {
      let q = trx.selectFrom('job_attempts').select('attempt').where('run_id', '=', runId).where('job_name', '=', t.name).where('ended_at', 'is', null);
      if (t.number !== undefined) q = q.where('attempt', '=', t.number);
      for (const r of await q.execute()) {
        await endAttemptIn(trx, runId, t.name, num(r.attempt), true, { ...lostEnd(summary), state });
        closed++;
      }
    }
    return closed;
  });
}

/** Names of the jobs of a run with an attempt still open (for closing them when the run ends). */
export async function jobsWithOpenAttempts(b: Backend, runId: string): Promise<string[]> {
  const rows = await b.db.selectFrom('job_attempts').select('job_name').distinct().where('run_id', '=', runId).where('ended_at', 'is', null).execute();
  return rows.map((r) => r.job_name);
}
