// Reading Slurm's view of a unit's jobs: `squeue -t all -j <ids>` (only the unit's own ids; finished jobs stay
// visible for MinJobAge) in a fixed '|'-separated format, Slurm's job states in BPS terms, and `scontrol show job`'s
// ExitCode for a failed job that left no status file.

/** The squeue -O format the poll asks for, and the order parseQueue reads. */
export const SQUEUE_FIELDS = 'JobID:|,State:|,NodeList:|,EligibleTime:|,StartTime:|,EndTime:|,Reason:';

export interface QueueRow {
  id: string;
  state: string;
  /** Empty for a job that never started. */
  host: string;
  eligibleAt?: string;
  startedAt?: string;
  endedAt?: string;
  reason: string;
}

/** How a Slurm job state reads for tbps. */
export type QueuePhase = 'queued' | 'running' | 'succeeded' | 'failed';

const QUEUED = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESV_DEL_HOLD', 'SUSPENDED', 'STOPPED', 'RESIZING', 'SPECIAL_EXIT']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT']);

export function phaseOf(state: string): QueuePhase {
  if (state === 'COMPLETED') return 'succeeded';
  if (QUEUED.has(state)) return 'queued';
  if (RUNNING.has(state)) return 'running';
  // FAILED, OUT_OF_MEMORY, TIMEOUT, DEADLINE, CANCELLED, NODE_FAIL, PREEMPTED, BOOT_FAIL, REVOKED
  return 'failed';
}

/** Slurm prints local times without a zone ("2026-12-03T07:59:44"); "N/A", "Unknown", "NONE" mean none. */
export function slurmTime(text: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function parseQueue(text: string): Map<string, QueueRow> {
  const out = new Map<string, QueueRow>();
  for (const line of text.split('\n')) {
    const f = line.trim().split('|');
    if (f.length < 7 || !/^\d+$/.test(f[0])) continue;
    // squeue reports the expected start of a pending job as its StartTime: only a job that started has a node.
    const started = f[2] !== '' && phaseOf(f[1]) !== 'queued';
    out.set(f[0], {
      id: f[0],
      state: f[1].split(' ')[0],
      host: f[2],
      eligibleAt: slurmTime(f[3]),
      startedAt: started ? slurmTime(f[4]) : undefined,
      endedAt: phaseOf(f[1]) === 'succeeded' || phaseOf(f[1]) === 'failed' ? slurmTime(f[5]) : undefined,
      reason: f[6],
    });
  }
  return out;
}

/** ExitCode=<code>:<signal> of `scontrol show job -o <id>`. */
export function parseExitCode(text: string): { exitCode: number | null; signal: number | null } | undefined {
  const m = /\bExitCode=(\d+):(\d+)/.exec(text);
  if (!m) return undefined;
  const signal = Number(m[2]);
  return signal > 0 ? { exitCode: null, signal } : { exitCode: Number(m[1]), signal: null };
}

/** Slurm's account of a failure that is not the command's own exit, for the attempt's summary. */
export function failureReason(state: string, ourCancel: boolean): { reason?: string; oom: boolean; timedOut: boolean; infrastructure: boolean } {
  switch (state) {
    case 'OUT_OF_MEMORY':
      return { reason: 'out of memory: Slurm killed the job at its --mem limit', oom: true, timedOut: false, infrastructure: false };
    case 'TIMEOUT':
    case 'DEADLINE':
      return { reason: `walltime exceeded (Slurm ${state})`, oom: false, timedOut: true, infrastructure: false };
    case 'CANCELLED':
      return { reason: ourCancel ? 'cancelled' : 'cancelled in Slurm outside tbps (scancel)', oom: false, timedOut: false, infrastructure: !ourCancel };
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
      return { reason: `the node failed (Slurm ${state})`, oom: false, timedOut: false, infrastructure: true };
    case 'PREEMPTED':
      return { reason: 'preempted by Slurm', oom: false, timedOut: false, infrastructure: true };
    case 'FAILED':
      return { oom: false, timedOut: false, infrastructure: false };
    default:
      return { reason: `ended ${state} in Slurm`, oom: false, timedOut: false, infrastructure: true };
  }
}
