// Executor activities: run jobs of the generic workflow on this worker's compute site (the `local` WMS). runJob runs
// one job and Temporal's activity retry is the job's retry; runJobs runs a group of short jobs in one activity (one
// Temporal round trip for many jobs) and reports each job's outcome, leaving a failed job's next try to the workflow
// (as a runJob of its own). Either way each attempt is one store record and the retry budget is counted in the store
// (activities/jobAttempt.ts), so the policy is the same. A job that already succeeded (its completion never reached
// Temporal: its worker died in between) is not run again.
import os from 'node:os';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { JobGroupOutcome, JobGroupRef, JobGroupResult, JobOutcome, JobRef } from '../core/run/types.js';
import { runAttempt, type AttemptScope } from './jobAttempt.js';
import { isStopping, jobGroups, stopSignal } from './jobRegistry.js';
import { getStore } from './storeHandle.js';

/** Heartbeats come from the executor (not the job), every 2 s; the worker's throttle lets them through (executor.ts). */
const HEARTBEAT_MS = 2000;

/**
 * A group heartbeats every third of its heartbeat timeout (at least every HEARTBEAT_MS, at most every 30 s): still
 * two chances before the timeout, and fewer server writes than every 2 s for the many short groups of a big run.
 */
function groupHeartbeatMs(ctx: Context): number {
  const timeout = ctx.info.heartbeatTimeoutMs ?? 0;
  return Math.min(30_000, Math.max(HEARTBEAT_MS, Math.floor(timeout / 3)));
}

function scopeOf(ctx: Context, job: string, registerWaiting: boolean): AttemptScope {
  return {
    // the activity's cancellation, or the executor's stop (a pilot's shutdown keeps a grace for the Temporal side)
    cancellation: AbortSignal.any([ctx.cancellationSignal, stopSignal()]),
    taskToken: Buffer.from(ctx.info.taskToken).toString('base64'),
    readyAt: new Date(ctx.info.currentAttemptScheduledTimestampMs).toISOString(),
    registerWaiting,
    details: { job, waiting: true },
  };
}

export async function runJob(ref: JobRef): Promise<JobOutcome> {
  const ctx = Context.current();
  const store = await getStore();
  const spec = await store.getJobSpec(ref.runId, ref.name);
  // An earlier attempt succeeded and was recorded, but its completion never reached Temporal (its worker died in
  // between): the job is done; running it again would run the payload twice (and record two successes).
  const job = await store.getJob(ref.runId, ref.name);
  if (job?.state === 'SUCCEEDED') return { name: spec.name, state: 'SUCCEEDED', attempt: job.attempts, exitCode: 0 };
  // Heartbeat details (shown in the Web UI's pending activities): the job, and waiting for a slot or its attempt.
  const scope = scopeOf(ctx, spec.name, true);
  const beat = setInterval(() => ctx.heartbeat(scope.details), HEARTBEAT_MS);
  try {
    ctx.heartbeat(scope.details);
    return await runAttempt(store, ref, spec, job?.attempts ?? 0, scope);
  } finally {
    clearInterval(beat);
  }
}

/**
 * Runs a group of jobs (each within this executor's CPU and memory slots) and returns how each ended. A job found
 * SUCCEEDED or FAILED in the store (a repeat of this activity after its worker was lost) is reported as it is,
 * not run. Cancelled: the jobs are stopped and the activity is cancelled. This executor stopping: its jobs are
 * handed back (lost attempts) and the activity fails retryably, so that Temporal runs the group elsewhere.
 */
export async function runJobs(group: JobGroupRef): Promise<JobGroupResult> {
  const ctx = Context.current();
  const store = await getStore();
  const found = await store.jobsToRun(group.runId, group.jobs.map((j) => j.name));
  const host = os.hostname();
  const details = { jobs: group.jobs.length, done: 0, running: [] as string[] };
  const scopes: AttemptScope[] = [];
  const beat = setInterval(() => {
    details.running = scopes.filter((s) => s.details.attempt !== undefined).map((s) => s.details.job);
    ctx.heartbeat(details);
  }, groupHeartbeatMs(ctx));
  // One registry entry for the whole group while it runs: a restarted executor hands it back at once if this one dies.
  const waitId = jobGroups().registerWaiting({ runId: group.runId, name: `${group.jobs[0]?.name ?? ''} (group of ${group.jobs.length})`, host, taskToken: scopeOf(ctx, '', false).taskToken });
  let cancelled = false;
  let stoppedHere = false;
  try {
    ctx.heartbeat(details);
    const outcomes = await Promise.all(
      group.jobs.map(async ({ name, maxAttempts }): Promise<JobGroupOutcome> => {
        const job = found.get(name);
        if (!job) return { name, state: 'FAILED' }; // not in the run: nothing to run (never happens for a loaded batch)
        if (job.state === 'SUCCEEDED' || job.state === 'FAILED') return { name, state: job.state };
        const scope = scopeOf(ctx, name, false);
        scopes.push(scope);
        try {
          const out = await runAttempt(store, { runId: group.runId, name, maxAttempts, submitPath: group.submitPath }, job.spec, job.attempts, scope);
          return { name, state: 'SUCCEEDED', seconds: out.seconds };
        } catch (err) {
          if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) {
            if (isStopping()) stoppedHere = true;
            else cancelled = true;
            return { name, state: 'RETRY' };
          }
          if (err instanceof ApplicationFailure && err.type === 'ExecutorStopped') {
            stoppedHere = true;
            return { name, state: 'RETRY' };
          }
          // A store or other error: not the job's verdict; it is retried as a job of its own.
          return { name, state: err instanceof ApplicationFailure && err.nonRetryable ? 'FAILED' : 'RETRY' };
        } finally {
          details.done++;
        }
      }),
    );
    if (stoppedHere) throw ApplicationFailure.retryable(`executor on ${host} stopped while running a group of ${group.jobs.length} jobs`, 'ExecutorStopped');
    if (cancelled) throw new CancelledFailure('job group cancelled');
    return { outcomes };
  } finally {
    clearInterval(beat);
    jobGroups().unregisterWaiting(waitId);
  }
}
