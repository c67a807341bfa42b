// jobBatchWorkflow: runs one bounded slice of the generic workflow (a sub-DAG of at most a few thousand jobs)
// on the local executor as a sliding window of runJob activities. Job state lives in the store; this workflow
// keeps only O(batch) scheduling state and continues-as-new when Temporal suggests it.
import { condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { BatchInput, BatchResult } from '../core/run/types.js';
import { ctl, runJobOn } from './activityProxies.js';

const PENDING = 0;
const RUNNING = 1;
const DONE = 2;
const DEAD = 3; // failed, or blocked by a failed ancestor

export async function jobBatchWorkflow(input: BatchInput): Promise<BatchResult> {
  const { jobs } = await ctl.loadBatch({ runId: input.runId, batch: input.batch });
  const n = jobs.length;
  const status = new Uint8Array(n);
  const waitingOn = new Uint32Array(n);
  const children: number[][] = Array.from({ length: n }, () => []);
  const failed = new Set(input.failed ?? []);

  jobs.forEach((j, i) => {
    for (const p of j.parents) children[p].push(i);
    if (j.state === 'SUCCEEDED') status[i] = DONE;
    else if (j.blocked || failed.has(j.name) || j.state === 'FAILED' || j.state === 'PRUNED') status[i] = DEAD;
  });
  const ready: number[] = [];
  jobs.forEach((j, i) => {
    if (status[i] !== PENDING) return;
    let w = 0;
    let dead = false; // parents come first in `jobs`, so a dead parent is already marked here
    for (const p of j.parents) {
      if (status[p] === DEAD) dead = true;
      else if (status[p] !== DONE) w++;
    }
    if (dead) status[i] = DEAD;
    waitingOn[i] = w;
    if (!dead && w === 0) ready.push(i);
  });
  const finished: Array<{ i: number; ok: boolean }> = [];
  let inFlight = 0;
  let stopping = false;

  const start = (i: number) => {
    status[i] = RUNNING;
    inFlight++;
    const j = jobs[i];
    runJobOn(input.siteQueue, { runId: input.runId, name: j.name, maxAttempts: j.maxAttempts, submitPath: input.submitPath }, input.heartbeatSeconds)
      .then((out) => finished.push({ i, ok: out.state === 'SUCCEEDED' }))
      .catch(() => finished.push({ i, ok: false }));
  };

  for (;;) {
    while (!stopping && inFlight < input.window && ready.length > 0) start(ready.pop()!);
    if (inFlight === 0) {
      if (stopping) return continueAsNew<typeof jobBatchWorkflow>({ ...input, failed: [...failed] });
      if (ready.length === 0) break;
      continue;
    }
    await condition(() => finished.length > 0);
    for (const { i, ok } of finished.splice(0)) {
      inFlight--;
      if (ok) {
        status[i] = DONE;
        for (const c of children[i]) {
          if (status[c] !== PENDING) continue;
          if (--waitingOn[c] === 0) ready.push(c);
        }
      } else {
        status[i] = DEAD;
        failed.add(jobs[i].name);
      }
    }
    if (workflowInfo().continueAsNewSuggested) stopping = true;
  }
  return ctl.finishBatch({ runId: input.runId, batch: input.batch, failed: [...failed] });
}
