// BPS states (ctrl_bps WmsStates order). The numeric value is what `tbps status` exits with.

export const STATES = [
  'UNKNOWN', 'MISFIT', 'UNREADY', 'READY', 'PENDING', 'RUNNING',
  'DELETED', 'HELD', 'SUCCEEDED', 'FAILED', 'PRUNED',
] as const;

export type State = (typeof STATES)[number];

export function stateCode(s: State): number {
  return STATES.indexOf(s);
}

export function isTerminal(s: State): boolean {
  return s === 'SUCCEEDED' || s === 'FAILED' || s === 'PRUNED' || s === 'DELETED';
}

/** The states a job can still leave (every state but the terminal ones). */
export const ACTIVE_STATES: readonly State[] = STATES.filter((s) => !isTerminal(s));

/** A count of 0 for every state. */
export function zeroCounts(): Record<State, number> {
  return Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
}

/** Exit codes 1 and 2 are payload (science code) errors; anything else, signals and OOM are infrastructure. */
export type ErrorClass = 'payload' | 'infrastructure' | 'out_of_memory' | 'timeout' | 'cancelled';

export function classifyExit(exitCode: number | null, signal: string | null, oom: boolean): ErrorClass {
  if (oom) return 'out_of_memory';
  if (signal) return 'infrastructure';
  if (exitCode === 1 || exitCode === 2) return 'payload';
  return 'infrastructure';
}
