// Executor activity: runs one job of the generic workflow on this worker's compute site (the `local` WMS).
// The Temporal attempt number is the job attempt: it drives memory escalation; payload exit codes
// (retryUnlessExit) are non-retryable; signals, out-of-memory and other exits are retried as infrastructure.
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context, CancelledFailure } from '@temporalio/activity';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { memoryForAttempt } from '../core/run/memory.js';
import type { JobOutcome, JobRef } from '../core/run/types.js';
import { decideRetry } from '../core/run/retryDecision.js';
import { runClassifier } from '../core/logs/errorClasses.js';
import { taskSeconds } from '../core/logs/taskTimings.js';
import { defaultCapacity, ResourcePool } from '../wms/local/resources.js';
import { runProcess } from '../wms/local/runProcess.js';
import { withLsstPath } from '../lsst/env.js';
import { getStore } from './storeHandle.js';

const pool = new ResourcePool(defaultCapacity());
const HEARTBEAT_MS = 2000;
/** Bytes of a clustered job's logs read for pipetask's per-quantum timings. */
const TIMINGS_TAIL = 4 << 20;

export function jobLogPaths(submitPath: string, label: string, name: string, attempt: number) {
  const base = path.join(submitPath, 'jobs', label, `${name}.${attempt}`);
  return { stdout: `${base}.out`, stderr: `${base}.err` };
}

export async function runJob(ref: JobRef): Promise<JobOutcome> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  const store = await getStore();
  const spec = await store.getJobSpec(ref.runId, ref.name);
  // An earlier attempt succeeded and was recorded, but its completion never reached Temporal (its worker died in
  // between): the job is done; running it again would run the payload twice (and record two successes).
  if ((await store.getJob(ref.runId, ref.name))?.state === 'SUCCEEDED') return { name: spec.name, state: 'SUCCEEDED', attempt, exitCode: 0 };
  const memoryMb = memoryForAttempt(spec, attempt);
  const logs = jobLogPaths(ref.submitPath, spec.label, spec.name, attempt);

  const beat = setInterval(() => ctx.heartbeat({ attempt }), HEARTBEAT_MS);
  try {
    ctx.heartbeat({ attempt, waiting: true });
    const release = await pool.acquire(spec.requestCpus, memoryMb, ctx.cancellationSignal);
    try {
      const host = os.hostname();
      const readyAt = new Date(ctx.info.currentAttemptScheduledTimestampMs).toISOString();
      await store.recordAttemptStart(ref.runId, spec.name, attempt, { host, memoryMb, logPath: logs.stdout, readyAt, startedAt: new Date().toISOString() });
      const r = await runProcess({
        argv: spec.argv,
        env: withLsstPath({
          ...process.env,
          ...spec.environment,
          TBPS_RUN: ref.runId,
          TBPS_JOB_NAME: spec.name,
          TBPS_JOB_LABEL: spec.label,
          TBPS_ATTEMPT: String(attempt),
          TBPS_MEMORY_MB: String(memoryMb),
        }),
        cwd: ref.submitPath,
        stdoutPath: logs.stdout,
        stderrPath: logs.stderr,
        memoryLimitMb: memoryMb,
        walltimeSeconds: spec.requestWalltime,
        signal: ctx.cancellationSignal,
      });
      const endedAt = new Date().toISOString();
      // A job that ended before the first memory sample has no measured peak: unknown, not 0.
      const base = { exitCode: r.exitCode, signal: r.signal, peakRssMb: r.peakRssMb > 0 ? r.peakRssMb : null, endedAt };
      if (r.cancelled) {
        await store.recordAttemptEnd(ref.runId, spec.name, attempt, { ...base, state: 'DELETED', errorClass: 'cancelled', errorSummary: 'cancelled' });
        throw new CancelledFailure('job cancelled');
      }
      if (!r.oom && !r.timedOut && !r.spawnError && r.exitCode === 0) {
        if (spec.taskQuanta) await store.recordTaskSeconds(ref.runId, spec.name, taskSeconds(readTail(logs.stdout, TIMINGS_TAIL) + readTail(logs.stderr, TIMINGS_TAIL)));
        await store.recordAttemptEnd(ref.runId, spec.name, attempt, { ...base, state: 'SUCCEEDED' });
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
      const decision = decideRetry(failure, match, spec, attempt, ref.maxAttempts);
      const summary = reason ?? rootCause(tails[0]) ?? rootCause(tails[1]) ?? `exit code ${r.exitCode}`;
      await store.recordAttemptEnd(ref.runId, spec.name, attempt, {
        ...base,
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
    clearInterval(beat);
  }
}
