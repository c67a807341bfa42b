// Executor activity: runs one job of the generic workflow on this worker's compute site (the `local` WMS).
// An attempt is recorded only once the job's CPU and memory are acquired and its process starts; attempt numbers
// come from the store (no gaps) and only attempts that ran and failed count as tries: the try number drives memory
// escalation and the numberOfRetries budget, so a worker lost while a job waited or ran never consumes either
// (Temporal's own attempt counter only bounds how often an activity is retried at all). Payload exit codes
// (retryUnlessExit) are non-retryable; signals, out-of-memory and other exits are retried as infrastructure.
// Every job runs in its own process group, registered so that it dies with this executor (activities/jobRegistry).
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context, CancelledFailure } from '@temporalio/activity';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { memoryForAttempt } from '../core/run/memory.js';
import type { JobOutcome, JobRef } from '../core/run/types.js';
import { decideRetry } from '../core/run/retryDecision.js';
import { LOST_ERROR_CLASS } from '../core/run/attemptHistory.js';
import { runClassifier } from '../core/logs/errorClasses.js';
import { taskSeconds } from '../core/logs/taskTimings.js';
import { defaultCapacity, ResourcePool } from '../wms/local/resources.js';
import { JOB_TOKEN_VAR } from '../wms/local/jobGroups.js';
import { runProcess } from '../processes/runProcess.js';
import { withLsstPath } from '../lsst/env.js';
import { isStopping, jobGroups, stopSignal } from './jobRegistry.js';
import { holdSiteSlot, type HeldSlot } from './siteSlot.js';
import { getStore } from './storeHandle.js';

const pool = new ResourcePool(defaultCapacity());
/** Heartbeats come from the executor (not the job), every 2 s; the worker's throttle lets them through (executor.ts). */
const HEARTBEAT_MS = 2000;
/** Bytes of a clustered job's logs read for pipetask's per-quantum timings. */
const TIMINGS_TAIL = 4 << 20;

export function jobLogPaths(submitPath: string, label: string, name: string, attempt: number) {
  const base = path.join(submitPath, 'jobs', label, `${name}.${attempt}`);
  return { stdout: `${base}.out`, stderr: `${base}.err` };
}

export async function runJob(ref: JobRef): Promise<JobOutcome> {
  const ctx = Context.current();
  const store = await getStore();
  const spec = await store.getJobSpec(ref.runId, ref.name);
  // An earlier attempt succeeded and was recorded, but its completion never reached Temporal (its worker died in
  // between): the job is done; running it again would run the payload twice (and record two successes).
  const job = await store.getJob(ref.runId, ref.name);
  if (job?.state === 'SUCCEEDED') return { name: spec.name, state: 'SUCCEEDED', attempt: job.attempts, exitCode: 0 };
  // Memory escalates with the tries (attempts that ran and failed) of this execution of the run.
  const memoryMb = memoryForAttempt(spec, job && job.attempts > 0 ? await store.nextTry(ref.runId, ref.name) : 1);
  const host = os.hostname();

  // Heartbeat details (shown in the Web UI's pending activities): the job, and waiting for a slot or its attempt.
  const details: { job: string; waiting?: boolean; attempt?: number } = { job: spec.name, waiting: true };
  const beat = setInterval(() => ctx.heartbeat(details), HEARTBEAT_MS);
  try {
    ctx.heartbeat(details);
    const groups = jobGroups();
    const taskToken = Buffer.from(ctx.info.taskToken).toString('base64');
    // A throttled site (site or campaign maxRunningJobs): the job's slot first, granted by priority, then resources.
    let slot: HeldSlot;
    try {
      slot = await holdSiteSlot(store, ref.runId, spec.name, AbortSignal.any([ctx.cancellationSignal, stopSignal()]));
    } catch (err) {
      if (isStopping()) throw ApplicationFailure.retryable(`${spec.name}: executor on ${host} stopped before the job started`, 'ExecutorStopped');
      throw err;
    }
    try {
      let release = pool.tryAcquire(spec.requestCpus, memoryMb);
      if (!release) {
        // Waiting for a slot is not an attempt: nothing is recorded; the registry lets a restarted executor hand the
        // job back if this one dies, and a stopping executor hands it back itself.
        const waitId = groups.registerWaiting({ runId: ref.runId, name: spec.name, host, taskToken });
        try {
          release = await pool.acquire(spec.requestCpus, memoryMb, AbortSignal.any([ctx.cancellationSignal, stopSignal()]));
        } catch (err) {
          if (isStopping()) throw ApplicationFailure.retryable(`${spec.name}: executor on ${host} stopped before the job started`, 'ExecutorStopped');
          throw err;
        } finally {
          groups.unregisterWaiting(waitId);
        }
      }
      try {
        // A slot freed while the executor stops goes to no one: the job is handed back before it becomes an attempt.
        if (isStopping()) throw ApplicationFailure.retryable(`${spec.name}: executor on ${host} stopped before the job started`, 'ExecutorStopped');
        const readyAt = new Date(ctx.info.currentAttemptScheduledTimestampMs).toISOString();
        const opened = await store.openAttempt(
          ref.runId,
          spec.name,
          (number) => ({ host, memoryMb, logPath: jobLogPaths(ref.submitPath, spec.label, spec.name, number).stdout, readyAt, startedAt: new Date().toISOString() }),
          `executor worker lost: the attempt was still open when the next one started on ${host}`,
        );
        const attempt = opened.number;
        const logs = jobLogPaths(ref.submitPath, spec.label, spec.name, attempt);
        delete details.waiting;
        details.attempt = attempt;
        const token = groups.newToken();
        let pgid: number | undefined;
        let r;
        try {
          r = await runProcess({
            argv: spec.argv,
            env: withLsstPath({
              ...process.env,
              ...spec.environment,
              TBPS_RUN: ref.runId,
              TBPS_JOB_NAME: spec.name,
              TBPS_JOB_LABEL: spec.label,
              TBPS_ATTEMPT: String(attempt),
              TBPS_MEMORY_MB: String(memoryMb),
              [JOB_TOKEN_VAR]: token,
            }),
            cwd: ref.submitPath,
            stdoutPath: logs.stdout,
            stderrPath: logs.stderr,
            memoryLimitMb: memoryMb,
            walltimeSeconds: spec.requestWalltime,
            signal: AbortSignal.any([ctx.cancellationSignal, stopSignal()]),
            onSpawn: (pid) => {
              pgid = pid;
              groups.register({ pgid: pid, token, runId: ref.runId, name: spec.name, attempt, host, taskToken });
            },
          });
        } finally {
          if (pgid !== undefined) groups.unregister(pgid);
        }
        const endedAt = new Date().toISOString();
        // A job that ended before the first memory sample has no measured peak: unknown, not 0.
        const ended = { exitCode: r.exitCode, signal: r.signal, peakRssMb: r.peakRssMb > 0 ? r.peakRssMb : null, endedAt };
        if (r.cancelled && isStopping()) {
          // The executor is stopping (SIGTERM): the attempt is lost, not cancelled; Temporal retries it elsewhere.
          const summary = `executor on ${host} stopped while the job ran`;
          await store.recordNumberedAttemptEnd(ref.runId, spec.name, attempt, { ...ended, state: 'READY', errorClass: LOST_ERROR_CLASS, errorSummary: summary });
          throw ApplicationFailure.retryable(`${spec.name} attempt ${attempt}: ${summary}`, 'ExecutorStopped');
        }
        if (r.cancelled) {
          await store.recordNumberedAttemptEnd(ref.runId, spec.name, attempt, { ...ended, state: 'DELETED', errorClass: 'cancelled', errorSummary: 'cancelled' });
          throw new CancelledFailure('job cancelled');
        }
        if (!r.oom && !r.timedOut && !r.spawnError && r.exitCode === 0) {
          if (spec.taskQuanta) await store.recordTaskSeconds(ref.runId, spec.name, taskSeconds(readTail(logs.stdout, TIMINGS_TAIL) + readTail(logs.stderr, TIMINGS_TAIL)));
          await store.recordNumberedAttemptEnd(ref.runId, spec.name, attempt, { ...ended, state: 'SUCCEEDED' });
          return { name: spec.name, state: 'SUCCEEDED', attempt, exitCode: 0 };
        }
        // The executor's own reason (out of memory, walltime, signal) comes first, then the ends of the logs.
        const reason = r.spawnError
          ? `could not start ${spec.argv[0]}: ${r.spawnError}`
          : r.oom
            ? `out of memory: RSS ${r.peakRssMb} MiB above the ${memoryMb} MiB request`
            : r.timedOut
              ? `walltime of ${spec.requestWalltime} s exceeded`
              : r.signal
                ? `killed by ${r.signal}`
                : undefined;
        const tails = [readTail(logs.stderr), readTail(logs.stdout)];
        const match = runClassifier(ref.submitPath).match(r.exitCode, [reason ? `tbps: ${reason}` : '', ...tails]);
        const failure = { exitCode: r.exitCode, signal: r.signal, oom: r.oom, timedOut: r.timedOut, spawnError: !!r.spawnError };
        // The budget counts tries (attempts that ran and failed), not attempts lost with a worker.
        const decision = decideRetry(failure, match, spec, opened.tryNumber, ref.maxAttempts);
        const summary = reason ?? rootCause(tails[0]) ?? rootCause(tails[1]) ?? `exit code ${r.exitCode}`;
        await store.recordNumberedAttemptEnd(ref.runId, spec.name, attempt, {
          ...ended,
          state: decision.retry ? 'READY' : 'FAILED',
          errorClass: decision.errorClass,
          errorSummary: summary,
          errorLine: match?.line ?? null,
        });
        const message = `${spec.name} attempt ${attempt}: ${summary}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''} [${decision.errorClass}: ${decision.reason}]`;
        if (r.spawnError) throw ApplicationFailure.nonRetryable(message, 'Misfit');
        if (!decision.retry) throw ApplicationFailure.nonRetryable(message, 'PayloadError', { exitCode: r.exitCode, errorClass: decision.errorClass });
        throw ApplicationFailure.retryable(message, r.oom ? 'OutOfMemory' : r.signal ? 'KilledBySignal' : 'JobFailed', { exitCode: r.exitCode });
      } finally {
        release();
      }
    } finally {
      // A release that fails leaves the lease to expire (store/siteSlots.ts STALE_MS); the job's outcome stands.
      await slot.release().catch(() => undefined);
    }
  } finally {
    clearInterval(beat);
  }
}
