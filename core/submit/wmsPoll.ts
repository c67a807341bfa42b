// Seconds between polls of a batch on an external workload system: `wmsPollSeconds`, else the older HTCondor name
// `htcondorPollSeconds` (kept as an alias: existing submit YAMLs set it), else the system's default.
import type { BpsConfig } from '../config/index.js';
import { BadInputError } from '../errors.js';

export const POLL_SECONDS_KEY = 'wmsPollSeconds';
export const POLL_SECONDS_ALIASES = ['htcondorPollSeconds'] as const;

export function wmsPollSeconds(config: Pick<BpsConfig, 'has' | 'getNumber' | 'fileOf'>, fallback: number): number {
  const key = [POLL_SECONDS_KEY, ...POLL_SECONDS_ALIASES].find((k) => config.has(k));
  if (!key) return fallback;
  const v = config.getNumber(key, {}, fallback);
  if (!(v > 0) || v > 3600) throw new BadInputError(`expected a number of seconds between polls, above 0 and at most 3600 (e.g. 5), got ${v}`, { file: config.fileOf(key), key });
  return v;
}
