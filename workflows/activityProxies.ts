// Activity stubs as the workflows see them: control activities on the orchestrator queue, job activities
// on a compute site's queue. Types only are imported from activities/ (workflows stay deterministic).
import { patched, proxyActivities } from '@temporalio/workflow';
import type * as control from '../activities/control.js';
import type * as execute from '../activities/execute.js';
import type { JobGroupRef, JobRef } from '../core/run/types.js';

/**
 * Short bookkeeping calls (store reads/writes). Bounded: 20 attempts ride out about 8 minutes of a store that does
 * not answer; a failure that persists (or bad input, never retried) ends the run FAILED with its message instead
 * of leaving it RUNNING/PENDING forever.
 */
export const ctl = proxyActivities<typeof control>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20, nonRetryableErrorTypes: ['BadInputError'] },
});

/** Long stages (graph generation, transform): heartbeat so a lost worker is noticed. */
export const stages = proxyActivities<typeof control>({
  startToCloseTimeout: '48 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', maximumInterval: '2 minutes', maximumAttempts: 3, nonRetryableErrorTypes: ['BadInputError', 'GraphGenerationError'] },
});

/** Errors a job raises that must not be retried. */
export const NON_RETRYABLE_JOB_ERRORS = ['PayloadError', 'Misfit', 'BadInputError'];

/** Patch id: the executor keeps the retry budget (tries counted in the store); Temporal allows room for lost workers. */
const ATTEMPTS_FROM_STORE = 'job-attempts-from-store';
/** Activity attempts beyond numberOfRetries + 1 for attempts lost with their worker (they use no try). */
export const LOST_WORKER_ALLOWANCE = 10;

/**
 * One job on a site's executor queue. The Temporal activity retry is the job retry; a lost worker is caught by
 * the heartbeat timeout. The executor counts tries in the store (attempts that ran and failed: memory escalation
 * and the numberOfRetries budget) and ends the job non-retryably when they are spent, so Temporal allows
 * numberOfRetries + 1 + LOST_WORKER_ALLOWANCE activity attempts (earlier histories: numberOfRetries + 1).
 */
export function runJobOn(siteQueue: string, job: JobRef, heartbeatTimeoutSeconds: number) {
  const allowance = patched(ATTEMPTS_FROM_STORE) ? LOST_WORKER_ALLOWANCE : 0;
  const acts = proxyActivities<typeof execute>({
    taskQueue: siteQueue,
    startToCloseTimeout: '7 days',
    heartbeatTimeout: `${heartbeatTimeoutSeconds}s`,
    summary: job.name,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: Math.max(1, job.maxAttempts) + allowance,
      nonRetryableErrorTypes: NON_RETRYABLE_JOB_ERRORS,
    },
  });
  return acts.runJob(job);
}

/**
 * A group of short jobs in one activity on a site's executor queue (see core/run/grouping). A job's failure is in
 * the result, not an activity failure: the workflow retries that job as a runJobOn of its own. The activity itself
 * is retried only when its executor is lost or stopped (each repeat runs only the jobs not yet over).
 */
export function runJobsOn(siteQueue: string, group: JobGroupRef, heartbeatTimeoutSeconds: number) {
  const acts = proxyActivities<typeof execute>({
    taskQueue: siteQueue,
    startToCloseTimeout: '7 days',
    heartbeatTimeout: `${heartbeatTimeoutSeconds}s`,
    summary: `${group.jobs.length} jobs from ${group.jobs[0]?.name ?? '-'}`,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: LOST_WORKER_ALLOWANCE,
      nonRetryableErrorTypes: ['BadInputError'],
    },
  });
  return acts.runJobs(group);
}
