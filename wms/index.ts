// Registry of workload systems by name: one line per system, each a folder of wms/. `wmsServiceClass` (a short name
// or a BPS class name such as lsst.ctrl.bps.htcondor.HTCondorService) or `--wms-service-class` selects one.
import { BadInputError } from '../core/errors.js';
import { WMS_NAMES, wmsNameFor, type WmsName } from '../core/submit/wmsNames.js';
import { htcondorPlugin } from './htcondor/plugin.js';
import { localPlugin } from './local/index.js';
import { slurmPlugin } from './slurm/plugin.js';
import type { BpsConfig } from '../core/config/index.js';
import type { ExternalWmsPlugin, WmsPlugin, WmsPrepareRequest } from './types.js';

export const WMS_PLUGINS: Record<WmsName, WmsPlugin> = {
  local: localPlugin,
  htcondor: htcondorPlugin,
  slurm: slurmPlugin,
};

export type { BatchRef, BatchStatus, ExternalWmsPlugin, PilotRequest, PilotWmsState, PingResult, WmsContext, WmsPlugin, WmsPrepareRequest, WorkloadSystem } from './types.js';

/** The plugin named by `wmsServiceClass`; undefined when none matches. */
export function wmsForServiceClass(value: string): WmsPlugin | undefined {
  const name = wmsNameFor(value);
  return name ? WMS_PLUGINS[name] : undefined;
}

/** The plugin of a name or class; an unknown one is bad input naming the known ones. */
export function wmsPlugin(value: string, where: { file?: string; key?: string } = { key: 'wmsServiceClass' }): WmsPlugin {
  const plugin = wmsForServiceClass(value);
  if (!plugin) throw new BadInputError(`unknown workload system '${value}'; expected one of: ${WMS_NAMES.join(', ')}`, where);
  return plugin;
}

/** The plugin of an external system (one that takes a batch as a unit); `local` or an unknown name is bad input. */
export function externalWmsPlugin(value: string): ExternalWmsPlugin {
  const plugin = wmsPlugin(value);
  if (plugin.mode !== 'external') throw new BadInputError(`workload system '${plugin.name}' runs jobs as activities; it has no batches to submit or poll`, { key: 'wmsServiceClass' });
  return plugin;
}

/**
 * `tbps prepare`: writes the files the run's workload system submits for the whole run. Returns their directories
 * relative to the submit directory; none for `local` (its jobs are Temporal activities) or a system without prepareRun.
 */
export async function prepareWmsFiles(wms: WmsName, config: BpsConfig, request: WmsPrepareRequest): Promise<string[]> {
  const plugin = WMS_PLUGINS[wms];
  if (plugin.mode !== 'external' || !plugin.prepareRun) return [];
  return plugin.prepareRun(config, request);
}
