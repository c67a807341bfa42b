// Pilots (executor workers started as batch jobs): their states, the checks of a `tbps pilot submit` request
// (count, walltime, CPUs, memory) and when a pilot drains (stops taking jobs so the ones it runs end before its
// walltime does). Pure: the CLI and the executor worker both use it.
import { BadInputError } from '../errors.js';

export const PILOT_STATES = ['PENDING', 'RUNNING', 'DRAINING', 'ENDED', 'CANCELLED', 'FAILED', 'LOST'] as const;
export type PilotState = (typeof PILOT_STATES)[number];
/** States after which a pilot runs no more jobs. */
export const FINAL_PILOT_STATES: ReadonlySet<string> = new Set(['ENDED', 'CANCELLED', 'FAILED', 'LOST']);

/** The shortest walltime a pilot may ask for (it must outlive its start-up and its drain). */
export const MIN_PILOT_WALLTIME_SECONDS = 120;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A walltime: a number and a unit (90m, 2h, 1d, 600s; several add up: 1h30m) or Slurm's HH:MM:SS / MM:SS.
 * Returns seconds; bad text or less than MIN_PILOT_WALLTIME_SECONDS is bad input.
 */
export function parseWalltime(text: string, key = '--walltime'): number {
  const t = text.trim();
  let seconds: number | undefined;
  const clock = /^(?:(\d+):)?(\d+):(\d\d)$/.exec(t);
  if (clock) seconds = Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  else if (/^(\d+(?:\.\d+)?[smhd])+$/.test(t)) {
    seconds = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]];
    seconds = Math.round(seconds);
  }
  if (seconds === undefined) throw new BadInputError(`'${text}' is not a walltime; expected a number and a unit (90m, 2h, 1h30m) or HH:MM:SS`, { key });
  if (seconds < MIN_PILOT_WALLTIME_SECONDS) throw new BadInputError(`walltime '${text}' is shorter than the least a pilot may have, ${MIN_PILOT_WALLTIME_SECONDS}s (e.g. 2h)`, { key });
  return seconds;
}

/** A memory size: MiB as a plain number, or with a unit M/G (4G, 4096M). */
export function parseMemoryMb(text: string, key = '--memory'): number {
  const m = /^(\d+(?:\.\d+)?)\s*([MG]i?B?)?$/i.exec(text.trim());
  const mb = m ? Math.round(Number(m[1]) * (m[2] && /^g/i.test(m[2]) ? 1024 : 1)) : NaN;
  if (!m || !(mb >= 1)) throw new BadInputError(`'${text}' is not a memory size; expected MiB (4096) or a size with a unit (4G, 4096M)`, { key });
  return mb;
}

/** A whole number of at least 1 (count, CPUs). */
export function parsePositiveCount(text: string, key: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || n < 1) throw new BadInputError(`expected a whole number >= 1, got '${text}'`, { key });
  return n;
}

/**
 * Seconds before its walltime ends that a pilot stops taking jobs: a tenth of the walltime, at least 30 s and at
 * most 10 minutes. Running jobs get until 15 s before the end; what still runs then is handed back to Temporal.
 */
export function drainSeconds(walltimeSeconds: number): number {
  return Math.min(600, Math.max(30, Math.round(walltimeSeconds / 10)));
}

/** Seconds before the walltime ends at which a draining pilot hands back what still runs. */
export const HAND_BACK_MARGIN_SECONDS = 15;
