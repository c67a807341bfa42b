// Job attempts: idempotent start/end records keyed (run_id, job_name, attempt), mirrored onto the jobs row.
//
// The caller passes the attempt number of the current execution (Temporal's activity attempt: 1, 2, ...).
// After resetForRestart the store records it after the attempts already kept (attempt_base + n), so a restarted
// run never collides with, or is hidden behind, the history of the previous execution.

import type { Kysely } from 'kysely';
import type { Backend } from './backend.js';
import { attemptFromRow, num, toIso } from './convert.js';
import type { Database } from './schema.js';
import type { AttemptEnd, AttemptRecord, AttemptStart } from './types.js';

function checkAttempt(attempt: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be an integer >= 1, got ${attempt}`);
}

/** The stored attempt number for the caller's attempt; throws when the job does not exist. */
async function storedAttempt(trx: Kysely<Database>, runId: string, name: string, attempt: number): Promise<number> {
  const row = await trx
    .selectFrom('jobs')
    .select('attempt_base')
    .where('run_id', '=', runId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw new Error(`job '${name}' not found in run '${runId}'`);
  return num(row.attempt_base) + attempt;
}

/**
 * Records that an attempt started. Repeating the call is harmless; once the attempt has ended its record is
 * not reopened, and an older attempt never overwrites the jobs row of a newer one.
 */
export async function recordAttemptStart(b: Backend, runId: string, name: string, attempt: number, s: AttemptStart): Promise<void> {
  checkAttempt(attempt);
  const vals = {
    state: s.state ?? 'RUNNING',
    host: s.host ?? null,
    memory_mb: s.memoryMb ?? null,
    log_path: s.logPath ?? null,
    started_at: toIso(s.startedAt),
  };
  await b.writeTx(async (trx) => {
    const n = await storedAttempt(trx, runId, name, attempt);
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
      })
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .where((eb) => eb.or([eb('attempts', '<', n), eb.and([eb('attempts', '=', n), eb('ended_at', 'is', null)])]))
      .execute();
    await trx
      .insertInto('job_attempts')
      .values({ run_id: runId, job_name: name, attempt: n, ...vals })
      .onConflict((oc) =>
        oc.columns(['run_id', 'job_name', 'attempt']).doUpdateSet(vals).where('job_attempts.ended_at', 'is', null),
      )
      .execute();
  });
}

/**
 * Records how an attempt ended (creating its record if the start was never recorded). Idempotent; pass
 * endedAt for a repeat to be byte-identical.
 */
export async function recordAttemptEnd(b: Backend, runId: string, name: string, attempt: number, e: AttemptEnd): Promise<void> {
  checkAttempt(attempt);
  const vals = {
    state: e.state,
    exit_code: e.exitCode ?? null,
    signal: e.signal ?? null,
    peak_rss_mb: e.peakRssMb ?? null,
    error_class: e.errorClass ?? null,
    error_summary: e.errorSummary ?? null,
    ended_at: toIso(e.endedAt),
  };
  await b.writeTx(async (trx) => {
    const n = await storedAttempt(trx, runId, name, attempt);
    await trx
      .updateTable('jobs')
      .set({ ...vals, attempts: n })
      .where('run_id', '=', runId)
      .where('name', '=', name)
      .where('attempts', '<=', n)
      .execute();
    await trx
      .insertInto('job_attempts')
      .values({ run_id: runId, job_name: name, attempt: n, ...vals })
      .onConflict((oc) => oc.columns(['run_id', 'job_name', 'attempt']).doUpdateSet(vals))
      .execute();
  });
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
