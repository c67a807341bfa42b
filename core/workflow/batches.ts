// Batch planning: cut the payload jobs into at most 1000 batches (sub-DAGs run by one jobBatchWorkflow each).
//
// Jobs are ordered by topological level (longest path from a root), and inside a level by the position of their
// earliest parent (roots: cluster order), so a batch holds similar jobs of neighbouring data and its children line up
// in a matching batch of the next level. A new level starts a new batch unless it fits in the open one, so
// independent work (e.g. all isr batches) does not wait on other batches. Every job's parents are in the same or an
// earlier batch, so batch upstream ids are always lower: the batch graph is acyclic by construction.

import type { BatchPlan, BatchSpec } from './model.js';
import type { GenericWorkflow } from './generic.js';

export const MAX_BATCHES = 1000;

/** Topological level of every payload job (parents always have lower indices). */
function levels(gw: GenericWorkflow): { level: Int32Array; maxLevel: number } {
  const n = gw.payloadCount;
  const level = new Int32Array(n);
  let maxLevel = 0;
  for (let i = 0; i < n; i++) {
    let l = 0;
    for (const p of gw.payloadParents(i)) {
      if (p >= i) throw new Error(`generic workflow: job ${gw.payloadName(i)} is before its parent ${gw.payloadName(p)}`);
      if (level[p] + 1 > l) l = level[p] + 1;
    }
    level[i] = l;
    if (l > maxLevel) maxLevel = l;
  }
  return { level, maxLevel };
}

/** Level-major, locality-minor order of the payload jobs; also returns where each level starts. */
function levelOrder(gw: GenericWorkflow): { order: Int32Array; levelStart: Int32Array } {
  const n = gw.payloadCount;
  const { level, maxLevel } = levels(gw);
  const levelStart = new Int32Array(maxLevel + 2);
  for (let i = 0; i < n; i++) levelStart[level[i] + 1]++;
  for (let l = 0; l <= maxLevel; l++) levelStart[l + 1] += levelStart[l];
  const byLevel = new Int32Array(n);
  const fill = levelStart.slice(0, maxLevel + 1);
  for (let i = 0; i < n; i++) byLevel[fill[level[i]]++] = i;

  const pos = new Int32Array(n);
  const order = new Int32Array(n);
  for (let l = 0; l <= maxLevel; l++) {
    const a = levelStart[l];
    const b = levelStart[l + 1];
    // key = (position of the earliest parent or own index for roots) * n + own index: a numeric sort keeps ties stable.
    const keys = new Float64Array(b - a);
    for (let k = a; k < b; k++) {
      const i = byLevel[k];
      let key = l === 0 ? i : n;
      for (const p of gw.payloadParents(i)) if (pos[p] < key) key = pos[p];
      keys[k - a] = key * n + i;
    }
    keys.sort();
    for (let k = a; k < b; k++) {
      const i = keys[k - a] % n;
      order[k] = i;
      pos[i] = k;
    }
  }
  return { order, levelStart };
}

/** Batch boundaries (indices into order) for a target size. */
function cut(levelStart: Int32Array, size: number): number[] {
  const bounds = [0];
  let open = 0;
  for (let l = 0; l + 1 < levelStart.length; l++) {
    const a = levelStart[l];
    const c = levelStart[l + 1] - a;
    if (c === 0) continue;
    if (open + c <= size) {
      open += c;
      continue;
    }
    if (open > 0) bounds.push(a);
    const k = Math.ceil(c / size);
    const base = Math.floor(c / k);
    const rem = c % k;
    let at = a;
    for (let j = 0; j < k - 1; j++) {
      at += base + (j < rem ? 1 : 0);
      bounds.push(at);
    }
    open = a + c - at;
  }
  const end = levelStart[levelStart.length - 1];
  if (bounds[bounds.length - 1] !== end) bounds.push(end);
  return bounds;
}

/**
 * Assign payload jobs to batches of at most `maxBatchJobs` jobs (raised as needed so there are at most 1000
 * batches), record the assignment in the workflow and return the plan.
 */
export function planBatches(gw: GenericWorkflow, maxBatchJobs: number): BatchPlan {
  if (!Number.isFinite(maxBatchJobs) || maxBatchJobs < 1) throw new Error(`maxBatchJobs must be >= 1 (got ${maxBatchJobs})`);
  const n = gw.payloadCount;
  const { order, levelStart } = levelOrder(gw);
  let size = Math.max(Math.floor(maxBatchJobs), Math.ceil(n / MAX_BATCHES));
  let bounds = cut(levelStart, size);
  while (bounds.length - 1 > MAX_BATCHES) {
    size = Math.ceil(size * 1.25);
    bounds = cut(levelStart, size);
  }
  const nb = Math.max(0, bounds.length - 1);
  const batchOf = new Int32Array(n);
  for (let b = 0; b < nb; b++) for (let k = bounds[b]; k < bounds[b + 1]; k++) batchOf[order[k]] = b;

  const up = new Uint8Array(nb * nb);
  const batches: BatchSpec[] = [];
  for (let b = 0; b < nb; b++) {
    const labels: Record<string, number> = {};
    let quanta = 0;
    for (let k = bounds[b]; k < bounds[b + 1]; k++) {
      const i = order[k];
      const c = gw.clustered.clusters[i];
      quanta += c.quanta.length;
      labels[c.label] = (labels[c.label] ?? 0) + 1;
      for (const p of c.parents) {
        const pb = batchOf[p];
        if (pb !== b) up[b * nb + pb] = 1;
      }
    }
    const upstream: number[] = [];
    for (let a = 0; a < b; a++) if (up[b * nb + a]) upstream.push(a);
    batches.push({ id: b, jobs: bounds[b + 1] - bounds[b], upstream, quanta, labels });
  }
  gw.assignBatches(order, batchOf);
  return {
    batches,
    payloadJobs: n,
    quanta: gw.quantaCount,
    finalWhenRun: gw.finalWhenRun,
    hasInit: gw.init !== undefined,
    hasFinal: gw.final !== undefined,
    batchSize: size,
  };
}
