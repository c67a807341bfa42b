// Loads and checks a submit YAML the way `submit` and the stage commands need it: BPS layers (defaults, WMS
// plugin defaults, user YAML, CLI options), then a pre-flight check so bad input fails before anything starts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BpsConfig, loadBpsConfig } from '../core/config/index.js';
import { BadInputError } from '../core/errors.js';
import { clusterQuanta } from '../core/cluster/index.js';
import { graphFromRecords, readQuantumGraph, syntheticGraph } from '../core/qgraph/index.js';
import { syntheticOptionsFromConfig } from '../core/qgraph/syntheticConfig.js';
import { buildGenericWorkflow } from '../core/workflow/index.js';
import { repoRoot } from '../temporal/paths.js';
import { WORKLOAD_SYSTEMS, wmsForServiceClass } from '../wms/index.js';

export interface CliConfigOptions {
  computeSite?: string;
  wmsServiceClass?: string;
  qgraph?: string;
  outputRun?: string;
  output?: string;
  input?: string;
  pipeline?: string;
  dataQuery?: string;
  butlerConfig?: string;
}

const OVERRIDE_KEYS: Record<keyof CliConfigOptions, string> = {
  computeSite: 'computeSite',
  wmsServiceClass: 'wmsServiceClass',
  qgraph: 'qgraphFile',
  outputRun: 'outputRun',
  output: 'output',
  input: 'inCollection',
  pipeline: 'pipelineYaml',
  dataQuery: 'dataQuery',
  butlerConfig: 'butlerConfig',
};

export const WMS_NAMES = Object.keys(WORKLOAD_SYSTEMS);

export function wmsDefaultsFile(wms: string): string {
  return path.join(repoRoot, 'config', 'wms', `${wms}.yaml`);
}

export function loadSubmitConfig(file: string, cli: CliConfigOptions = {}): BpsConfig {
  if (!existsSync(file)) throw new BadInputError(`file not found (give the path of a BPS submit YAML)`, { file });
  const overrides: Record<string, unknown> = {};
  for (const [k, key] of Object.entries(OVERRIDE_KEYS)) {
    const v = cli[k as keyof CliConfigOptions];
    if (v !== undefined) overrides[key] = k === 'qgraph' ? path.resolve(v) : v;
  }
  const wms = normaliseWms(String(overrides.wmsServiceClass ?? peekWms(file) ?? 'local'), file);
  const defaults = existsSync(wmsDefaultsFile(wms)) ? [wmsDefaultsFile(wms)] : [];
  const config = loadBpsConfig(path.resolve(file), { overrides, defaultsFiles: defaults });
  preflight(config, file);
  return config;
}

/** BPS names WMS plugins by class (lsst.ctrl.bps.htcondor.HTCondorService); tbps accepts those or short names. */
export function normaliseWms(value: string, file?: string): string {
  const wms = wmsForServiceClass(value);
  if (wms) return wms.name;
  throw new BadInputError(`unknown workload system '${value}'; expected one of: ${WMS_NAMES.join(', ')}`, { file, key: 'wmsServiceClass' });
}

function peekWms(file: string): string | undefined {
  try {
    return String(loadBpsConfig(path.resolve(file), {}).get('wmsServiceClass') ?? '') || undefined;
  } catch {
    return undefined;
  }
}

/** Checks what would otherwise fail only inside the run: values, templates, files. Writes nothing. */
export function preflight(config: BpsConfig, file: string): void {
  config.getString('uniqProcName');
  config.getString('submitPath');
  const site = config.getString('computeSite');
  config.jobAttributes({ site });
  const qg = config.get('qgraphFile');
  if (qg !== undefined && qg !== null && qg !== '') {
    const p = config.getString('qgraphFile');
    if (!existsSync(p)) throw new BadInputError(`quantum graph file '${p}' does not exist`, { file, key: 'qgraphFile' });
  }
}

/**
 * When the graph is known before the run starts (qgraphFile, syntheticGraph), reads it and runs clustering and the
 * generic-workflow build in memory, so a malformed graph, a clustering cycle or a bad command template is reported
 * (exit 2) before anything is submitted. Writes nothing.
 */
export async function preflightGraph(config: BpsConfig): Promise<void> {
  const given = config.get('qgraphFile');
  let graph;
  if (given !== undefined && given !== null && String(given) !== '') graph = await readQuantumGraph(config.getString('qgraphFile'));
  else if (config.section('syntheticGraph')) {
    const { header, records } = syntheticGraph(syntheticOptionsFromConfig(config.section('syntheticGraph'), config.fileOf('syntheticGraph')));
    graph = graphFromRecords(header, records);
  } else return;
  const clustered = clusterQuanta(graph, config);
  buildGenericWorkflow(graph, clustered, config, { qgraphFile: 'preflight.qgraph' });
}
