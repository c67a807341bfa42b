// What a job's earlier attempts mean for its next one (local executor). An attempt lost with its worker (the
// executor died or stopped while it ran) is an infrastructure loss: it is closed with the error class `lost` and
// neither consumes the job's numberOfRetries nor escalates its memory. Only attempts that ran and failed do.
import type { State } from '../states.js';

/** Error class of an attempt closed because the executor worker running it was lost. */
export const LOST_ERROR_CLASS = 'lost';

/** Attempts in these states did not fail. */
const NOT_FAILED: ReadonlySet<string> = new Set<State>(['SUCCEEDED', 'RUNNING', 'DELETED']);

export interface PastAttempt {
  state: string;
  errorClass: string | null;
  endedAt: string | null;
}

/** Attempts that ran to an end and failed (payload or infrastructure of the job itself), not lost ones. */
export function countedFailures(attempts: readonly PastAttempt[]): number {
  return attempts.filter((a) => a.endedAt !== null && !NOT_FAILED.has(a.state) && a.errorClass !== LOST_ERROR_CLASS).length;
}

/** The try number of the next attempt, which drives memory escalation and the retry budget: 1 + counted failures. */
export function nextTry(attempts: readonly PastAttempt[]): number {
  return countedFailures(attempts) + 1;
}
