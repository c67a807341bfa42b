// jobBatchWorkflow: runs one bounded slice of the generic workflow (a sub-DAG of at most a few thousand jobs)
// on the local executor as a sliding window of job activities. Job state lives in the store; this workflow
// keeps only O(batch) scheduling state and continues-as-new when Temporal suggests it. Short jobs go several to an
// activity (runJobs; group size from their measured duration, core/run/grouping), others one per activity
// (runJob, whose activity retry is the job's retry); a job of a group that failed and may be tried again is retried
// as a job of its own.
import { condition, continueAsNew, isCancellation, patched, sleep, workflowInfo } from '@temporalio/workflow';
import type { BatchInput, BatchResult } from '../core/run/types.js';
import { DEFAULT_GROUP_MAX, groupSize, PROBE_JOBS, PROBE_SECONDS, typicalSeconds, withSamples } from '../core/run/grouping.js';
import { ctl, runJobOn, runJobsOn } from './activityProxies.js';

const PENDING = 0;
const RUNNING = 1;
const DONE = 2;
const DEAD = 3; // failed, or blocked by a failed ancestor

/** Patch id: short jobs run in groups (runJobs); histories before it ran one job per activity. */
const JOB_GROUPS = 'job-groups';
/** A grouped job that failed and may be tried again starts its retry after this (as runJob's first retry would). */
const GROUP_RETRY_DELAY_MS = 1000;

export async function jobBatchWorkflow(input: BatchInput): Promise<BatchResult> {
  const grouped = patched(JOB_GROUPS);
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
  const finished: Array<{ i: number; ok: boolean; seconds?: number }> = [];
  let inFlight = 0;
  let stopping = false;

  // Grouping: until the jobs' duration is known, the first few run alone (the probe), until they all ended or for at
  // most PROBE_SECONDS; then the group size follows the median of the latest durations.
  const groupMax = input.groupMax ?? DEFAULT_GROUP_MAX;
  let recent = input.jobSeconds === undefined ? [] : [input.jobSeconds];
  let probing = grouped && recent.length === 0;
  let probesStarted = 0;
  let probesEnded = 0;
  if (probing) {
    sleep(PROBE_SECONDS * 1000).then(
      () => (probing = false),
      () => (probing = false),
    );
  }

  const runAlone = (i: number) => {
    const j = jobs[i];
    runJobOn(input.siteQueue, { runId: input.runId, name: j.name, maxAttempts: j.maxAttempts, submitPath: input.submitPath }, input.heartbeatSeconds)
      .then((out) => finished.push({ i, ok: out.state === 'SUCCEEDED', seconds: out.seconds }))
      .catch(() => finished.push({ i, ok: false }));
  };
  const start = (i: number) => {
    status[i] = RUNNING;
    inFlight++;
    runAlone(i);
  };
  const startGroup = (members: number[]) => {
    for (const i of members) status[i] = RUNNING;
    inFlight += members.length;
    const byName = new Map(members.map((i) => [jobs[i].name, i]));
    const group = { runId: input.runId, submitPath: input.submitPath, jobs: members.map((i) => ({ name: jobs[i].name, maxAttempts: jobs[i].maxAttempts })) };
    runJobsOn(input.siteQueue, group, input.heartbeatSeconds)
      .then((result) => {
        for (const o of result.outcomes) {
          const i = byName.get(o.name);
          if (i === undefined) continue;
          byName.delete(o.name);
          if (o.state === 'RETRY') {
            sleep(GROUP_RETRY_DELAY_MS).then(
              () => runAlone(i),
              () => finished.push({ i, ok: false }),
            );
          } else finished.push({ i, ok: o.state === 'SUCCEEDED', seconds: o.seconds });
        }
        for (const i of byName.values()) runAlone(i); // not reported (never happens): run alone
      })
      .catch((err) => {
        // Cancelled: over, as a job's own activity would be. Any other end of the group itself (its executors kept
        // getting lost): each job runs alone; one already over is not run again.
        if (isCancellation(err)) for (const i of members) finished.push({ i, ok: false });
        else for (const i of members) runAlone(i);
      });
  };

  for (;;) {
    // Probing: the first PROBE_JOBS jobs, one per activity, then nothing until they ended (or the probe timed out).
    const limit = probing ? Math.min(input.window, inFlight + PROBE_JOBS - probesStarted) : input.window;
    // A group is at most a third of the window, so that finished groups keep being replaced while others run.
    const largest = Math.min(groupMax, Math.ceil(input.window / 3));
    while (!stopping && inFlight < limit && ready.length > 0) {
      const size = grouped && !probing ? Math.min(groupSize(typicalSeconds(recent), largest), limit - inFlight, ready.length) : 1;
      if (probing) probesStarted++;
      if (size <= 1) start(ready.pop()!);
      else startGroup(ready.splice(ready.length - size).reverse());
    }
    if (inFlight === 0) {
      if (stopping) {
        const carried = grouped ? { jobSeconds: typicalSeconds(recent) } : {};
        return continueAsNew<typeof jobBatchWorkflow>({ ...input, failed: [...failed], ...carried });
      }
      if (ready.length === 0) break;
      continue;
    }
    const wasProbing = probing;
    await condition(() => finished.length > 0 || probing !== wasProbing);
    const samples: Array<number | undefined> = [];
    for (const { i, ok, seconds } of finished.splice(0)) {
      inFlight--;
      samples.push(seconds);
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
    if (grouped) {
      recent = withSamples(recent, samples);
      if (probing && (probesEnded += samples.length) >= probesStarted) probing = false;
    }
    if (workflowInfo().continueAsNewSuggested) stopping = true;
  }
  return ctl.finishBatch({ runId: input.runId, batch: input.batch, failed: [...failed] });
}
