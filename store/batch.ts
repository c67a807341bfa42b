// loadBatch: the jobs of one batch as a local DAG (indices), with each job's retry budget and whether a parent
// outside the batch still blocks it.

import type { State } from '../core/states.js';
import type { Backend } from './backend.js';
import { IN_CHUNK, chunks, num } from './convert.js';
import type { BatchJob, BatchJobs } from './types.js';

interface Row {
  name: string;
  state: State;
  maxAttempts: number;
  parents: string[];
}

export async function loadBatch(b: Backend, runId: string, batch: number): Promise<BatchJobs> {
  const raw = await b.db
    .selectFrom('jobs')
    .select(['name', 'state', 'max_attempts', 'parents'])
    .where('run_id', '=', runId)
    .where('batch', '=', batch)
    .orderBy('seq')
    .execute();
  const rows: Row[] = raw.map((r) => ({
    name: r.name,
    state: r.state as State,
    maxAttempts: num(r.max_attempts),
    parents: JSON.parse(r.parents) as string[],
  }));

  const local = new Map<string, number>();
  rows.forEach((r, i) => local.set(r.name, i));

  const external = new Set<string>();
  for (const r of rows) for (const p of r.parents) if (!local.has(p)) external.add(p);
  const externalState = await statesOf(b, runId, [...external]);

  const order = topoOrder(rows, local);
  const position = new Map<number, number>();
  order.forEach((rowIdx, pos) => position.set(rowIdx, pos));

  const jobs: BatchJob[] = order.map((i) => {
    const r = rows[i];
    const parents: number[] = [];
    let blocked = false;
    for (const p of r.parents) {
      const li = local.get(p);
      if (li !== undefined) parents.push(position.get(li)!);
      else if (externalState.get(p) !== 'SUCCEEDED') blocked = true;
    }
    return { name: r.name, state: r.state, maxAttempts: r.maxAttempts, parents, blocked };
  });
  return { jobs };
}

/** States of the named jobs, fetched in chunks; names not in the run are absent from the map. */
export async function statesOf(b: Backend, runId: string, names: string[]): Promise<Map<string, State>> {
  const out = new Map<string, State>();
  for (const part of chunks(names, IN_CHUNK)) {
    const rows = await b.db
      .selectFrom('jobs')
      .select(['name', 'state'])
      .where('run_id', '=', runId)
      .where('name', 'in', part)
      .execute();
    for (const r of rows) out.set(r.name, r.state as State);
  }
  return out;
}

/** Stored order when it already puts parents first (the normal case), else Kahn's algorithm; a cycle is an error. */
function topoOrder(rows: Row[], local: Map<string, number>): number[] {
  const n = rows.length;
  const sorted = rows.every((r, i) => r.parents.every((p) => (local.get(p) ?? -1) < i));
  if (sorted) return rows.map((_, i) => i);
  const indeg = new Array<number>(n).fill(0);
  const children: number[][] = Array.from({ length: n }, () => []);
  rows.forEach((r, i) => {
    for (const p of r.parents) {
      const pi = local.get(p);
      if (pi !== undefined) {
        indeg[i]++;
        children[pi].push(i);
      }
    }
  });
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  const out: number[] = [];
  for (let h = 0; h < ready.length; h++) {
    const i = ready[h];
    out.push(i);
    for (const c of children[i]) if (--indeg[c] === 0) ready.push(c);
  }
  if (out.length !== n) throw new Error(`dependency cycle among the jobs of one batch (${n - out.length} jobs)`);
  return out;
}
