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
import { classifyExit } from '../core/states.js';
import { defaultCapacity, ResourcePool } from '../wms/local/resources.js';
import { runProcess } from '../wms/local/runProcess.js';
import { withLsstPath } from '../lsst/env.js';
import { getStore } from './storeHandle.js';

const pool = new ResourcePool(defaultCapacity());
const HEARTBEAT_MS = 2000;

export function jobLogPaths(submitPath: string, label: string, name: string, attempt: number) {
  const base = path.join(submitPath, 'jobs', label, `${name}.${attempt}`);
  return { stdout: `${base}.out`, stderr: `${base}.err` };
}

export async function runJob(ref: JobRef): Promise<JobOutcome> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  const store = await getStore();
  const spec = await store.getJobSpec(ref.runId, ref.name);
  const memoryMb = memoryForAttempt(spec, attempt);
  const logs = jobLogPaths(ref.submitPath, spec.label, spec.name, attempt);

  const beat = setInterval(() => ctx.heartbeat({ attempt }), HEARTBEAT_MS);
  try {
    ctx.heartbeat({ attempt, waiting: true });
    const release = await pool.acquire(spec.requestCpus, memoryMb, ctx.cancellationSignal);
    try {
      const host = os.hostname();
      await store.recordAttemptStart(ref.runId, spec.name, attempt, { host, memoryMb, logPath: logs.stdout, startedAt: new Date().toISOString() });
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
      const base = { exitCode: r.exitCode, signal: r.signal, peakRssMb: r.peakRssMb, endedAt };
      if (r.cancelled) {
        await store.recordAttemptEnd(ref.runId, spec.name, attempt, { ...base, state: 'DELETED', errorClass: 'cancelled', errorSummary: 'cancelled' });
        throw new CancelledFailure('job cancelled');
      }
      if (!r.oom && !r.timedOut && !r.spawnError && r.exitCode === 0) {
        await store.recordAttemptEnd(ref.runId, spec.name, attempt, { ...base, state: 'SUCCEEDED' });
        return { name: spec.name, state: 'SUCCEEDED', attempt, exitCode: 0 };
      }
      const errorClass = r.timedOut ? 'timeout' : classifyExit(r.exitCode, r.signal, r.oom);
      const payloadFatal = !r.oom && r.exitCode !== null && spec.retryUnlessExit.includes(r.exitCode);
      const last = payloadFatal || attempt >= ref.maxAttempts || !!r.spawnError;
      const summary = r.spawnError
        ? `could not start ${spec.argv[0]}: ${r.spawnError}`
        : r.oom
          ? `out of memory: RSS ${r.peakRssMb} MiB above the ${memoryMb} MiB request`
          : r.timedOut
            ? `walltime of ${spec.requestWalltime} s exceeded`
            : r.signal
              ? `killed by ${r.signal}`
              : (rootCause(readTail(logs.stderr)) ?? rootCause(readTail(logs.stdout)) ?? `exit code ${r.exitCode}`);
      await store.recordAttemptEnd(ref.runId, spec.name, attempt, {
        ...base,
        state: last ? 'FAILED' : 'READY',
        errorClass,
        errorSummary: summary,
      });
      const message = `${spec.name} attempt ${attempt}: ${summary}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}`;
      if (payloadFatal) throw ApplicationFailure.nonRetryable(message, 'PayloadError', { exitCode: r.exitCode });
      if (r.spawnError) throw ApplicationFailure.nonRetryable(message, 'Misfit');
      throw ApplicationFailure.retryable(message, r.oom ? 'OutOfMemory' : r.signal ? 'KilledBySignal' : 'JobFailed', { exitCode: r.exitCode });
    } finally {
      release();
    }
  } finally {
    clearInterval(beat);
  }
}
