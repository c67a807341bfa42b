// The run-level settings of the local workload system (jobs per batch, jobs in flight per batch, batches in flight,
// heartbeat timeout, most short jobs per activity): read and range-checked before a run starts, so a bad value is exit 2 naming the key rather
// than a failure inside the run's first activity.
import type { BpsConfig } from '../config/index.js';
import { BadInputError } from '../errors.js';
import { DEFAULT_GROUP_MAX } from '../run/grouping.js';

export interface RunSettings {
  jobBatchSize: number;
  jobBatchWindow: number;
  maxBatchesInFlight: number;
  jobHeartbeatTimeout: number;
  jobGroupMax: number;
}

const SPECS: Record<keyof RunSettings, { dflt: number; integer: boolean; what: string }> = {
  jobBatchSize: { dflt: 1000, integer: true, what: 'a whole number of jobs >= 1 (e.g. 1000)' },
  jobBatchWindow: { dflt: 200, integer: true, what: 'a whole number of jobs in flight >= 1 (e.g. 200)' },
  maxBatchesInFlight: { dflt: 4, integer: true, what: 'a whole number of batches >= 1 (e.g. 4)' },
  jobHeartbeatTimeout: { dflt: 60, integer: false, what: 'a number of seconds > 0 (e.g. 60)' },
  jobGroupMax: { dflt: DEFAULT_GROUP_MAX, integer: true, what: 'a whole number of jobs per activity >= 1 (e.g. 64; 1 = one job per activity)' },
};

export function readRunSettings(config: Pick<BpsConfig, 'getNumber' | 'fileOf'>): RunSettings {
  const out = {} as RunSettings;
  for (const [key, spec] of Object.entries(SPECS) as [keyof RunSettings, (typeof SPECS)[keyof RunSettings]][]) {
    const v = config.getNumber(key, {}, spec.dflt);
    if (!(v > 0) || (spec.integer && !Number.isInteger(v))) throw new BadInputError(`expected ${spec.what}, got ${v}`, { file: config.fileOf(key), key });
    out[key] = v;
  }
  return out;
}
