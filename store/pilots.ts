// The pilots table (tbps pilot): rows written by the CLI at submit and cancel, by the pilot itself as it starts,
// runs jobs, drains and ends, and by `pilot list` from the workload system's view.
import { sql } from 'kysely';
import type { Backend } from './backend.js';
import { num } from './convert.js';

export interface PilotRecord {
  pilotId: string;
  wms: string;
  wmsId: string;
  site: string;
  state: string;
  cpus: number;
  memoryMb: number;
  walltimeSeconds: number;
  submittedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  host: string | null;
  jobsRun: number;
  message: string;
}

export type PilotInput = Omit<PilotRecord, 'startedAt' | 'endedAt' | 'host' | 'jobsRun' | 'message'>;

/** Fields a state change may set (undefined ones are left as they are). */
export interface PilotUpdate {
  state?: string;
  wmsId?: string;
  startedAt?: string;
  endedAt?: string;
  host?: string;
  message?: string;
}

export async function insertPilot(b: Backend, p: PilotInput): Promise<void> {
  await b.writeTx((trx) =>
    trx
      .insertInto('pilots')
      .values({ pilot_id: p.pilotId, wms: p.wms, wms_id: p.wmsId, site: p.site, state: p.state, cpus: p.cpus, memory_mb: p.memoryMb, walltime_s: p.walltimeSeconds, submitted_at: p.submittedAt })
      .onConflict((oc) => oc.column('pilot_id').doNothing())
      .execute(),
  );
}

/** Updates a pilot; with `unlessState`, not when its state is one of those (a final state stays). */
export async function updatePilot(b: Backend, pilotId: string, u: PilotUpdate, unlessState: readonly string[] = []): Promise<boolean> {
  const set: Record<string, string> = {};
  if (u.state !== undefined) set.state = u.state;
  if (u.wmsId !== undefined) set.wms_id = u.wmsId;
  if (u.startedAt !== undefined) set.started_at = u.startedAt;
  if (u.endedAt !== undefined) set.ended_at = u.endedAt;
  if (u.host !== undefined) set.host = u.host;
  if (u.message !== undefined) set.message = u.message;
  if (Object.keys(set).length === 0) return false;
  const r = await b.writeTx((trx) => {
    let q = trx.updateTable('pilots').set(set).where('pilot_id', '=', pilotId);
    if (unlessState.length > 0) q = q.where('state', 'not in', [...unlessState]);
    return q.executeTakeFirst();
  });
  return Number(r.numUpdatedRows) > 0;
}

/** One more job run by the pilot. */
export async function countPilotJob(b: Backend, pilotId: string): Promise<void> {
  await b.writeTx((trx) => trx.updateTable('pilots').set({ jobs_run: sql`jobs_run + 1` }).where('pilot_id', '=', pilotId).execute());
}

/** Pilots, oldest first; of one site when given. */
export async function listPilots(b: Backend, site?: string): Promise<PilotRecord[]> {
  let q = b.db.selectFrom('pilots').selectAll();
  if (site) q = q.where('site', '=', site);
  const rows = await q.orderBy('submitted_at').orderBy('pilot_id').execute();
  return rows.map((r) => ({
    pilotId: r.pilot_id,
    wms: r.wms,
    wmsId: r.wms_id,
    site: r.site,
    state: r.state,
    cpus: num(r.cpus),
    memoryMb: num(r.memory_mb),
    walltimeSeconds: num(r.walltime_s),
    submittedAt: r.submitted_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    host: r.host,
    jobsRun: num(r.jobs_run),
    message: r.message,
  }));
}

/** Forgets pilots (a submit that started none of them). */
export async function deletePilots(b: Backend, pilotIds: readonly string[]): Promise<void> {
  if (pilotIds.length === 0) return;
  await b.writeTx((trx) => trx.deleteFrom('pilots').where('pilot_id', 'in', [...pilotIds]).execute());
}
