// The one retry decision every workload system uses when an attempt fails: an error class's action first (a
// `retry` class is retried even when the exit code is in retryUnlessExit; a `fail` class never is), then BPS's
// exit-code rule (exit codes in retryUnlessExit are payload errors and final; signals, out-of-memory kills and
// other exit codes are infrastructure and retried while attempts are left).
import type { ErrorClassMatch } from '../logs/errorClasses.js';
import { classifyExit, type ErrorClass } from '../states.js';

export interface AttemptFailure {
  exitCode: number | null;
  signal: string | null;
  oom: boolean;
  timedOut: boolean;
  /** The command could not be started at all (MISFIT): never retried. */
  spawnError?: boolean;
}

export interface RetryDecision {
  retry: boolean;
  /** The stored error class: the matched class's name, else the failure kind (payload, infrastructure, ...). */
  errorClass: string;
  /** Why, for messages: "class missing_input: fail", "exit code 1 in retryUnlessExit", "no attempts left". */
  reason: string;
}

export function failureKind(f: AttemptFailure): ErrorClass {
  return f.timedOut ? 'timeout' : classifyExit(f.exitCode, f.signal, f.oom);
}

export function decideRetry(
  f: AttemptFailure,
  match: ErrorClassMatch | undefined,
  job: { retryUnlessExit: readonly number[] },
  attempt: number,
  maxAttempts: number,
): RetryDecision {
  const errorClass = match?.name ?? failureKind(f);
  const left = attempt < maxAttempts;
  if (f.spawnError) return { retry: false, errorClass, reason: 'the command could not be started' };
  if (match?.action === 'fail') return { retry: false, errorClass, reason: `error class ${match.name}: fail` };
  if (match?.action === 'retry') {
    return { retry: left, errorClass, reason: left ? `error class ${match.name}: retry` : 'no attempts left' };
  }
  if (!f.oom && f.exitCode !== null && job.retryUnlessExit.includes(f.exitCode)) {
    return { retry: false, errorClass, reason: `exit code ${f.exitCode} in retryUnlessExit` };
  }
  return { retry: left, errorClass, reason: left ? 'infrastructure failure: retried' : 'no attempts left' };
}
