// Read-only report queries: per-label state counts, run-wide state counts, jobs in a state.

import { STATES, zeroCounts, type State } from '../core/states.js';
import type { Backend } from './backend.js';
import { jobFromRow, num } from './convert.js';
import { JOB_COLUMNS } from './jobs.js';
import type { JobRecord, LabelCount } from './types.js';

/** Report order of label kinds: the init job first, the final job last. */
const labelRank = (kind: string) => (kind === 'init' ? 0 : kind === 'final' ? 2 : 1);

/** Per label, in order of first appearance (init first, final last): job counts by state and the expected count. */
export async function labelCounts(b: Backend, runId: string): Promise<LabelCount[]> {
  const labels = await b.db
    .selectFrom('run_labels')
    .select(['label', 'kind', 'first_seq', 'expected'])
    .where('run_id', '=', runId)
    .orderBy('first_seq')
    .execute();
  const counted = await b.db
    .selectFrom('jobs')
    .select((eb) => ['label', 'state', eb.fn.countAll().as('n')])
    .where('run_id', '=', runId)
    .groupBy(['label', 'state'])
    .execute();

  const ordered = [...labels].sort((a, c) => labelRank(a.kind) - labelRank(c.kind) || num(a.first_seq) - num(c.first_seq));
  const byLabel = new Map<string, LabelCount>();
  for (const l of ordered) byLabel.set(l.label, { label: l.label, counts: zeroCounts(), expected: num(l.expected) });
  for (const r of counted) {
    let lc = byLabel.get(r.label);
    if (!lc) {
      // Jobs stored without a label summary: expected = what is there.
      lc = { label: r.label, counts: zeroCounts(), expected: 0 };
      byLabel.set(r.label, lc);
    }
    const state = (STATES as readonly string[]).includes(r.state) ? (r.state as State) : 'UNKNOWN';
    lc.counts[state] += num(r.n);
  }
  const out = [...byLabel.values()];
  for (const lc of out) if (lc.expected === 0) lc.expected = Object.values(lc.counts).reduce((a, c) => a + c, 0);
  return out;
}

/** The run's labels in report order (init first, final last), from the per-run label summary only (no job scan). */
export async function labelOrder(b: Backend, runId: string): Promise<string[]> {
  const labels = await b.db.selectFrom('run_labels').select(['label', 'kind', 'first_seq']).where('run_id', '=', runId).execute();
  return labels.sort((a, c) => labelRank(a.kind) - labelRank(c.kind) || num(a.first_seq) - num(c.first_seq)).map((l) => l.label);
}

/** Job counts of the whole run by state (every state present). */
export function stateCounts(b: Backend, runId: string): Promise<Record<State, number>> {
  return countByState(b, runId);
}

/** Job counts of one batch by state (every state present). */
export function batchCounts(b: Backend, runId: string, batch: number): Promise<Record<State, number>> {
  return countByState(b, runId, batch);
}

async function countByState(b: Backend, runId: string, batch?: number): Promise<Record<State, number>> {
  let q = b.db
    .selectFrom('jobs')
    .select((eb) => ['state', eb.fn.countAll().as('n')])
    .where('run_id', '=', runId);
  if (batch !== undefined) q = q.where('batch', '=', batch);
  const rows = await q.groupBy('state').execute();
  const out = zeroCounts();
  for (const r of rows) {
    const state = (STATES as readonly string[]).includes(r.state) ? (r.state as State) : 'UNKNOWN';
    out[state] += num(r.n);
  }
  return out;
}

/** Up to `limit` jobs in the given state, in workflow order. */
export async function jobsByState(b: Backend, runId: string, state: State, limit: number): Promise<JobRecord[]> {
  const rows = await b.db
    .selectFrom('jobs')
    .select(JOB_COLUMNS)
    .where('run_id', '=', runId)
    .where('state', '=', state)
    .orderBy('seq')
    .limit(Math.max(0, limit))
    .execute();
  return rows.map(jobFromRow);
}
