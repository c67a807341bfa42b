// One attempt of one job on this executor, for the job activities (runJob: one job per activity; runJobs: a group of
// short jobs per activity). An attempt is recorded only once the job's CPU and memory are acquired and its process
// starts; attempt numbers come from the store (no gaps) and only attempts that ran and failed count as tries: the
// try number drives memory escalation and the numberOfRetries budget, so a worker lost while a job waited or ran
// never consumes either. Payload exit codes (retryUnlessExit) end the job (non-retryable failure); signals,
// out-of-memory and other exits are retryable failures (infrastructure). Every job runs in its own process group,
// registered so that it dies with this executor (activities/jobRegistry).
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { memoryForAttempt } from '../core/run/memory.js';
import type { JobOutcome, JobRef } from '../core/run/types.js';
import { decideRetry } from '../core/run/retryDecision.js';
import { LOST_ERROR_CLASS } from '../core/run/attemptHistory.js';
import { runClassifier } from '../core/logs/errorClasses.js';
import { taskSeconds } from '../core/logs/taskTimings.js';
import type { JobSpec } from '../core/workflow/model.js';
import type { Store } from '../store/index.js';
import { defaultCapacity, ResourcePool } from '../wms/local/resources.js';
import { JOB_TOKEN_VAR } from '../wms/local/jobGroups.js';
import { runProcess } from '../processes/runProcess.js';
import { holdSiteSlot, type HeldSlot } from './siteSlot.js';
import { withLsstPath } from '../lsst/env.js';
import { isStopping, jobGroups, jobLauncher } from './jobRegistry.js';

const pool = new ResourcePool(defaultCapacity());
/** Bytes of a clustered job's logs read for pipetask's per-quantum timings. */
const TIMINGS_TAIL = 4 << 20;

export function jobLogPaths(submitPath: string, label: string, name: string, attempt: number) {
  const base = path.join(submitPath, 'jobs', label, `${name}.${attempt}`);
  return { stdout: `${base}.out`, stderr: `${base}.err` };
}

let processEnvironment: Record<string, string | undefined> | undefined;
let baseEnvironment: Record<string, string | undefined> | undefined;

/**
 * A job's environment: this executor's, then the job's own `environment`, then tbps's variables, with the LSST
 * stack's bin/ first on PATH. The executor's part is read once (copying process.env reads every variable through
 * the C++ layer, which cost more than the rest of a job's setup); a job that sets PATH, VIRTUAL_ENV or TBPS_VENV
 * itself gets the venv applied over its own values, as before.
 */
function jobEnvironment(spec: JobSpec, tbps: Record<string, string>): Record<string, string | undefined> {
  processEnvironment ??= { ...process.env };
  const own = spec.environment ?? {};
  if ('PATH' in own || 'VIRTUAL_ENV' in own || 'TBPS_VENV' in own) return withLsstPath({ ...processEnvironment, ...own, ...tbps });
  baseEnvironment ??= withLsstPath(processEnvironment);
  return { ...baseEnvironment, ...own, ...tbps };
}

/** What the attempt needs from the activity that runs it. */
export interface AttemptScope {
  /** The activity's cancellation (a cancel or the worker's shutdown). */
  cancellation: AbortSignal;
  /** The activity's task token (base64): in the registry, so that a reaper can fail the activity at once. */
  taskToken: string;
  /** When the job became ready: the activity attempt's scheduled time. */
  readyAt: string;
  /** Register a job waiting for a slot in the registry (a group registers itself once instead). */
  registerWaiting: boolean;
  /** The job's heartbeat details, updated as it waits and runs. */
  details: { job: string; waiting?: boolean; attempt?: number };
}

/** A job's outcome with its process's wall seconds (absent when no process ran in this call). */
export type TimedOutcome = JobOutcome & { seconds?: number };

function stopped(name: string, host: string): ApplicationFailure {
  return ApplicationFailure.retryable(`${name}: executor on ${host} stopped before the job started`, 'ExecutorStopped');
}

/**
 * Runs one attempt of a job (spec and the number of attempts stored so far). Resolves on success; throws a
 * non-retryable ApplicationFailure when the job is over (payload error, spent budget, misfit), a retryable one when
 * it may be tried again (type ExecutorStopped when this executor is stopping), and CancelledFailure when cancelled.
 */
export async function runAttempt(store: Store, ref: JobRef, spec: JobSpec, storedAttempts: number, scope: AttemptScope): Promise<TimedOutcome> {
  // Memory escalates with the tries (attempts that ran and failed) of this execution of the run.
  const memoryMb = memoryForAttempt(spec, storedAttempts > 0 ? await store.nextTry(ref.runId, ref.name) : 1);
  const host = os.hostname();
  const details = scope.details;
  // A throttled site (site or campaign maxRunningJobs): the job's slot first, granted by priority, then resources.
  let slot: HeldSlot;
  try {
    slot = await holdSiteSlot(store, ref.runId, spec.name, scope.cancellation);
  } catch (err) {
    if (isStopping()) throw stopped(spec.name, host);
    throw err;
  }
  try {
    return await attemptWithSlot(store, ref, spec, scope, memoryMb, host);
  } finally {
    // A release that fails leaves the lease to expire (store/siteSlots.ts STALE_MS); the job's outcome stands.
    await slot.release().catch(() => undefined);
  }
}

/** runAttempt once the job holds its site slot: its CPU and memory, then its process. */
async function attemptWithSlot(store: Store, ref: JobRef, spec: JobSpec, scope: AttemptScope, memoryMb: number, host: string): Promise<TimedOutcome> {
  const groups = jobGroups();
  const details = scope.details;
  let release = pool.tryAcquire(spec.requestCpus, memoryMb);
  if (!release) {
    // Waiting for a slot is not an attempt: nothing is recorded; the registry lets a restarted executor hand the
    // job back if this one dies, and a stopping executor hands it back itself.
    const waitId = scope.registerWaiting ? groups.registerWaiting({ runId: ref.runId, name: spec.name, host, taskToken: scope.taskToken }) : undefined;
    try {
      release = await pool.acquire(spec.requestCpus, memoryMb, scope.cancellation);
    } catch (err) {
      if (isStopping()) throw stopped(spec.name, host);
      throw err;
    } finally {
      if (waitId) groups.unregisterWaiting(waitId);
    }
  }
  try {
    // A slot freed while the executor stops goes to no one: the job is handed back before it becomes an attempt.
    if (isStopping()) throw stopped(spec.name, host);
    const opened = await store.openAttempt(
      ref.runId,
      spec.name,
      (number) => ({ host, memoryMb, logPath: jobLogPaths(ref.submitPath, spec.label, spec.name, number).stdout, readyAt: scope.readyAt, startedAt: new Date().toISOString() }),
      `executor worker lost: the attempt was still open when the next one started on ${host}`,
    );
    const attempt = opened.number;
    const logs = jobLogPaths(ref.submitPath, spec.label, spec.name, attempt);
    delete details.waiting;
    details.attempt = attempt;
    const token = groups.newToken();
    const registered = { token, runId: ref.runId, name: spec.name, attempt, host, taskToken: scope.taskToken };
    const launcher = jobLauncher();
    let pgid: number | undefined;
    let r;
    try {
      r = await runProcess({
        argv: spec.argv,
        env: jobEnvironment(spec, {
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
        signal: scope.cancellation,
        launcher,
        // Through the launcher, it registers the job itself (the job need not wait for this process to answer).
        registerAs: launcher ? { dir: groups.dir, fields: { ...registered } } : undefined,
        onSpawn: (pid) => {
          pgid = pid;
          if (launcher) groups.adopt({ pgid: pid, ...registered });
          else groups.register({ pgid: pid, ...registered });
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
      return { name: spec.name, state: 'SUCCEEDED', attempt, exitCode: 0, seconds: r.seconds };
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
}
