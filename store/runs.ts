// Run records: upsert, state changes, lookups and the newest-first run list.

import type { Updateable } from 'kysely';
import type { State } from '../core/states.js';
import type { Backend } from './backend.js';
import { runFromRow, toIso } from './convert.js';
import type { RunsTable } from './schema.js';
import type { ListRunsOptions, RunFields, RunInput, RunRecord } from './types.js';

/** Maps the given camelCase fields to columns; undefined fields are left out. */
function runColumns(f: RunFields): Updateable<RunsTable> {
  const out: Updateable<RunsTable> = {};
  const set = (k: keyof RunsTable, v: unknown) => {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  };
  set('workflow_id', f.workflowId);
  set('name', f.name);
  set('payload_name', f.payloadName);
  set('operator', f.operator);
  set('project', f.project);
  set('campaign', f.campaign);
  set('step', f.step);
  set('submit_path', f.submitPath);
  set('data_query', f.dataQuery);
  set('wms', f.wms);
  set('compute_site', f.computeSite);
  set('state', f.state);
  set('quanta', f.quanta);
  set('jobs', f.jobs);
  set('message', f.message);
  set('restart_count', f.restartCount);
  return out;
}

export async function upsertRun(b: Backend, r: RunInput): Promise<void> {
  const now = toIso(r.updatedAt);
  const cols = runColumns(r);
  await b.writeTx((trx) =>
    trx
      .insertInto('runs')
      .values({
        ...cols,
        run_id: r.runId,
        state: r.state ?? 'UNREADY',
        created_at: toIso(r.createdAt ?? r.updatedAt),
        updated_at: now,
      })
      .onConflict((oc) => oc.column('run_id').doUpdateSet({ ...cols, updated_at: now }))
      .execute(),
  );
}

/**
 * Sets the run state (and any other given fields; `message: undefined` given explicitly clears the message).
 * Returns false when the run does not exist.
 */
export async function setRunState(b: Backend, runId: string, state: State, fields: RunFields = {}): Promise<boolean> {
  const res = await b.writeTx((trx) =>
    trx
      .updateTable('runs')
      .set({
        ...runColumns(fields),
        // An explicit `message: undefined` clears the message.
        ...('message' in fields && fields.message === undefined ? { message: '' } : {}),
        state,
        updated_at: toIso(fields.updatedAt),
      })
      .where('run_id', '=', runId)
      .executeTakeFirst(),
  );
  return Number(res.numUpdatedRows) > 0;
}

export async function getRun(b: Backend, runId: string): Promise<RunRecord | undefined> {
  const row = await b.db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row ? runFromRow(row) : undefined;
}

/** Newest first (by createdAt, then runId). */
export async function listRuns(b: Backend, opts: ListRunsOptions): Promise<RunRecord[]> {
  let q = b.db.selectFrom('runs').selectAll();
  if (opts.since !== undefined) q = q.where('created_at', '>=', toIso(opts.since));
  if (opts.computeSite !== undefined) q = q.where('compute_site', '=', opts.computeSite);
  if (opts.campaign !== undefined) q = q.where('campaign', '=', opts.campaign);
  const rows = await q.orderBy('created_at', 'desc').orderBy('run_id', 'desc').limit(Math.max(0, opts.limit)).execute();
  return rows.map(runFromRow);
}
