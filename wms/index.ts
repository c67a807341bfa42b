// Registry of workload systems, selected by `wmsServiceClass` (BPS class names or short names) or `--wms`.
import type { WorkloadSystem } from './types.js';

export const localWms: WorkloadSystem = { name: 'local', mode: 'activities' };

export const WORKLOAD_SYSTEMS: Record<string, WorkloadSystem> = { local: localWms };

export type { WorkloadSystem, BatchRef, BatchStatus } from './types.js';
