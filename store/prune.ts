// Failure propagation, cancel and restart: prune jobs below FAILED/PRUNED jobs, mark unfinished jobs DELETED on
// cancel, and reset unfinished jobs for a restart.

import { isTerminal, type State } from '../core/states.js';
import type { Backend } from './backend.js';
import { IN_CHUNK, chunks } from './convert.js';

type Db = Backend['db'];

interface Node {
  state: State;
  parents: string[];
  batch: number;
}

const TERMINAL: State[] = ['SUCCEEDED', 'FAILED', 'PRUNED', 'DELETED'];
/** Jobs in these states never run, so everything below them is pruned. */
const DOOMING = new Set<State>(['FAILED', 'PRUNED']);

/**
 * Marks PRUNED every job that is not terminal and has a FAILED or PRUNED ancestor. A SUCCEEDED job satisfies
 * its children whatever lies above it, so the walk stops there. Without `batch` the whole run is checked; with
 * it only that batch's jobs are changed, but their ancestors are followed into every other batch.
 * Returns the number of jobs pruned.
 */
export async function pruneBlocked(b: Backend, runId: string, batch?: number): Promise<number> {
  // The graph is read from a consistent snapshot without holding the write lock (WAL readers do not block
  // writers); only the updates take it. A job that fails meanwhile is caught by the next call.
  const nodes = batch === undefined ? await loadRun(b.db, runId) : await loadBatchWithAncestors(b.db, runId, batch);
  const doomed = computeDoomed(nodes);
  const targets: string[] = [];
  for (const [name, n] of nodes) {
    if (batch !== undefined && n.batch !== batch) continue;
    if (!isTerminal(n.state) && doomed.get(name)) targets.push(name);
  }
  if (targets.length === 0) return 0;
  return b.writeTx(async (trx) => {
    let pruned = 0;
    for (const part of chunks(targets, IN_CHUNK)) {
      const res = await trx
        .updateTable('jobs')
        .set({ state: 'PRUNED' })
        .where('run_id', '=', runId)
        .where('name', 'in', part)
        .where('state', 'not in', TERMINAL)
        .executeTakeFirst();
      pruned += Number(res.numUpdatedRows);
    }
    return pruned;
  });
}

async function loadRun(trx: Db, runId: string): Promise<Map<string, Node>> {
  const rows = await trx
    .selectFrom('jobs')
    .select(['name', 'state', 'parents', 'batch'])
    .where('run_id', '=', runId)
    .execute();
  const out = new Map<string, Node>();
  for (const r of rows) out.set(r.name, { state: r.state as State, parents: JSON.parse(r.parents), batch: r.batch });
  return out;
}

/** The batch's jobs plus every ancestor reachable through jobs that are not SUCCEEDED/FAILED/PRUNED. */
async function loadBatchWithAncestors(trx: Db, runId: string, batch: number): Promise<Map<string, Node>> {
  const out = new Map<string, Node>();
  const rows = await trx
    .selectFrom('jobs')
    .select(['name', 'state', 'parents', 'batch'])
    .where('run_id', '=', runId)
    .where('batch', '=', batch)
    .execute();
  let frontier: Node[] = [];
  for (const r of rows) {
    const n: Node = { state: r.state as State, parents: JSON.parse(r.parents), batch: r.batch };
    out.set(r.name, n);
    frontier.push(n);
  }
  while (frontier.length > 0) {
    const want = new Set<string>();
    for (const n of frontier) {
      if (n.state === 'SUCCEEDED' || DOOMING.has(n.state)) continue;
      for (const p of n.parents) if (!out.has(p)) want.add(p);
    }
    frontier = [];
    for (const part of chunks([...want], IN_CHUNK)) {
      const got = await trx
        .selectFrom('jobs')
        .select(['name', 'state', 'parents', 'batch'])
        .where('run_id', '=', runId)
        .where('name', 'in', part)
        .execute();
      for (const r of got) {
        const n: Node = { state: r.state as State, parents: JSON.parse(r.parents), batch: r.batch };
        out.set(r.name, n);
        frontier.push(n);
      }
    }
  }
  return out;
}

/** doomed(j) = some parent is FAILED/PRUNED, or is not SUCCEEDED and itself doomed. Iterative (deep chains). */
function computeDoomed(nodes: Map<string, Node>): Map<string, boolean> {
  const memo = new Map<string, boolean>();
  const parentDooms = (p: string): boolean | undefined => {
    const n = nodes.get(p);
    if (!n || n.state === 'SUCCEEDED') return false;
    if (DOOMING.has(n.state)) return true;
    return memo.get(p);
  };
  for (const start of nodes.keys()) {
    if (memo.has(start)) continue;
    const stack: string[] = [start];
    const onStack = new Set<string>([start]);
    while (stack.length > 0) {
      const name = stack[stack.length - 1];
      let doomed = false;
      const unresolved: string[] = [];
      for (const p of nodes.get(name)!.parents) {
        const d = parentDooms(p);
        if (d === true) {
          doomed = true;
          break;
        }
        // A parent already on the stack means a cycle: it cannot doom this job through itself.
        if (d === undefined && !onStack.has(p)) unresolved.push(p);
      }
      if (!doomed && unresolved.length > 0) {
        for (const p of unresolved) {
          stack.push(p);
          onStack.add(p);
        }
        continue;
      }
      memo.set(name, doomed);
      stack.pop();
      onStack.delete(name);
    }
  }
  return memo;
}

/** On cancel: every job that is not terminal becomes DELETED. Idempotent; returns how many changed. */
export async function cancelUnfinished(b: Backend, runId: string): Promise<number> {
  return b.writeTx(async (trx) => {
    const res = await trx
      .updateTable('jobs')
      .set({ state: 'DELETED' })
      .where('run_id', '=', runId)
      .where('state', 'not in', TERMINAL)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  });
}

/** States that a restart sends back to UNREADY (READY for the init job); SUCCEEDED jobs are kept. */
const RESTARTABLE: State[] = ['FAILED', 'PRUNED', 'RUNNING', 'PENDING', 'HELD', 'MISFIT', 'UNKNOWN', 'DELETED'];

/**
 * Prepares a run for restart: unfinished jobs go back to UNREADY (the init job to READY), attempt history is
 * kept and the next execution's attempt 1 is recorded after it (see attempts.ts). Idempotent. Returns the payload batches (ids >= 0, ascending) that still have jobs not SUCCEEDED.
 */
export async function resetForRestart(b: Backend, runId: string): Promise<number[]> {
  return b.writeTx(async (trx) => {
    // Attempt numbers of the new execution start again at 1; they are stored after the ones kept.
    await trx
      .updateTable('jobs')
      .set((eb) => ({ state: 'UNREADY', attempt_base: eb.ref('attempts') }))
      .where('run_id', '=', runId)
      .where('state', 'in', RESTARTABLE)
      .where('kind', '=', 'payload')
      .execute();
    // The final job (merge) runs again after a restart, as a rescue DAG's FINAL node does.
    await trx
      .updateTable('jobs')
      .set((eb) => ({ state: 'UNREADY', attempt_base: eb.ref('attempts') }))
      .where('run_id', '=', runId)
      .where('kind', '=', 'final')
      .execute();
    await trx
      .updateTable('jobs')
      .set((eb) => ({ state: 'READY', attempt_base: eb.ref('attempts') }))
      .where('run_id', '=', runId)
      .where('state', 'in', [...RESTARTABLE, 'UNREADY'])
      .where('kind', '=', 'init')
      .execute();
    const rows = await trx
      .selectFrom('jobs')
      .select('batch')
      .distinct()
      .where('run_id', '=', runId)
      .where('batch', '>=', 0)
      .where('state', '<>', 'SUCCEEDED')
      .orderBy('batch')
      .execute();
    return rows.map((r) => Number(r.batch));
  });
}
