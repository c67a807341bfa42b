// What the logs of a failed attempt say, for every external workload system: the run's error class that matches
// (with its line), else the failure kind of the exit, and the root-cause line, read from the ends of the attempt's
// <base>.err and <base>.out. The retry decision itself is core/run/retryDecision.ts.
import { runClassifier, type ErrorClassMatch } from '../core/logs/errorClasses.js';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { classifyExit } from '../core/states.js';

export interface FailureFromLogs {
  match: ErrorClassMatch | undefined;
  errorClass: string;
  errorLine: string | null;
  errorSummary: string;
}

/**
 * `reason` is the workload system's own account (out of memory, walltime, cancelled), matched first and used as the
 * summary when the logs name no root cause.
 */
export function failureFromLogs(submitPath: string, base: string, exitCode: number | null, signal: string | null, reason?: string): FailureFromLogs {
  const tails = [readTail(`${base}.err`), readTail(`${base}.out`)];
  const said = reason ?? (signal ? `killed by ${signal}` : undefined);
  const match = runClassifier(submitPath).match(exitCode, [said ? `tbps: ${said}` : '', ...tails]);
  return {
    match,
    errorClass: match?.name ?? classifyExit(exitCode, signal, false),
    errorLine: match?.line ?? null,
    errorSummary: reason ?? rootCause(tails[0]) ?? rootCause(tails[1]) ?? (signal ? `killed by ${signal}` : `exit code ${exitCode}`),
  };
}
