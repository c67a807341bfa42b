// Registry of workload systems, selected by `wmsServiceClass` (BPS class names or short names) or `--wms`.
import type { BpsConfig } from '../core/config/index.js';
import { wmsNameFor, type WmsName } from '../core/submit/wmsNames.js';
import type { WmsPrepareRequest, WorkloadSystem } from './types.js';

export const localWms: WorkloadSystem = { name: 'local', mode: 'activities' };

/** HTCondor (DAGMan): the implementation is wms/htcondor/ (HTCondorWms), built by the activities with the store. */
export const htcondorWms: WorkloadSystem = { name: 'htcondor', mode: 'external' };

export const WORKLOAD_SYSTEMS: Record<WmsName, WorkloadSystem> = { local: localWms, htcondor: htcondorWms };

export type { WorkloadSystem, BatchRef, BatchStatus, WmsPrepareRequest } from './types.js';

/**
 * `tbps prepare`: writes the files the run's workload system submits (HTCondor: a DAG and submit files per unit)
 * for the whole run. Returns their directories relative to the submit directory; none for `local`, whose jobs are
 * Temporal activities.
 */
export async function prepareWmsFiles(wms: WmsName, config: BpsConfig, request: WmsPrepareRequest): Promise<string[]> {
  if (wms === 'htcondor') return (await import('./htcondor/preparedRun.js')).prepareHtcondorRun(config, request);
  return [];
}

/** The workload system named by `wmsServiceClass`: a short name (local, htcondor) or a BPS class name
 * (lsst.ctrl.bps.htcondor.HTCondorService). Undefined when none matches. */
export function wmsForServiceClass(value: string): WorkloadSystem | undefined {
  const name = wmsNameFor(value);
  return name ? WORKLOAD_SYSTEMS[name] : undefined;
}
