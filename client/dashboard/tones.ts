// One colour family ("tone") per state word, so a BPS job state, a campaign group or step status, a campaign phase
// and a Temporal execution status read the same everywhere: badges, bars and plots use the CSS class `t-<tone>`.

const TONES: Record<string, string> = {
  // BPS job states
  SUCCEEDED: 'ok',
  FAILED: 'bad',
  PRUNED: 'pruned',
  RUNNING: 'run',
  PENDING: 'wait',
  READY: 'ready',
  UNREADY: 'idle',
  HELD: 'held',
  DELETED: 'gone',
  MISFIT: 'misfit',
  UNKNOWN: 'idle',
  // campaign groups, steps and phases
  pending: 'idle',
  starting: 'wait',
  running: 'run',
  skipped: 'gone',
  done: 'ok',
  accepted: 'ok',
  rejected: 'bad',
  'awaiting-accept': 'held',
  paused: 'pruned',
  CANCELLED: 'gone',
  // Temporal execution statuses
  COMPLETED: 'ok',
  CANCELED: 'gone',
  TERMINATED: 'bad',
  TIMED_OUT: 'bad',
  CONTINUED_AS_NEW: 'run',
};

export function tone(status: string): string {
  return TONES[status] ?? 'idle';
}

export function toneClass(status: string): string {
  return `t-${tone(status)}`;
}
