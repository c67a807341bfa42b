// Loads and checks a submit YAML the way `submit`, the stage commands and campaign groups need it: BPS layers (defaults, WMS
// plugin defaults, user YAML, CLI options), then a pre-flight check so bad input fails before anything starts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpsConfig, loadBpsConfig } from '../config/index.js';
import { checkName } from '../config/names.js';
import { readConfigTree } from '../config/yamlFile.js';
import { BadInputError } from '../errors.js';
import { readSlotPolicy } from '../run/slotPolicy.js';
import { clusterQuanta } from '../cluster/index.js';
import { graphFromRecords, readQuantumGraph, syntheticGraph } from '../qgraph/index.js';
import { checkGraphFile, graphFileFormat } from '../qgraph/graphFile.js';
import { syntheticOptionsFromConfig } from '../qgraph/syntheticConfig.js';
import { buildGenericWorkflow } from '../workflow/index.js';
import { checkJobNames } from '../workflow/transform.js';
import { readRunSettings } from './runSettings.js';
import { WMS_NAMES, wmsNameFor, type WmsName } from './wmsNames.js';
import { wmsPollSeconds } from './wmsPoll.js';

/** config/wms/ of this checkout: the WMS plugin defaults (a layer below the user YAML). */
const WMS_DEFAULTS_DIR = fileURLToPath(new URL('../../config/wms/', import.meta.url));

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

export function wmsDefaultsFile(wms: string): string {
  return path.join(WMS_DEFAULTS_DIR, `${wms}.yaml`);
}

export interface LoadSubmitOptions {
  /** Further command-line-level values by config key (campaign steps use these). */
  overrides?: Record<string, unknown>;
  /** Directory that relative paths and ${PWD} refer to (default: the process's). */
  cwd?: string;
}

export function loadSubmitConfig(file: string, cli: CliConfigOptions = {}, opts: LoadSubmitOptions = {}): BpsConfig {
  if (!existsSync(file)) throw new BadInputError(`file not found (give the path of a BPS submit YAML)`, { file });
  const overrides: Record<string, unknown> = { ...opts.overrides };
  for (const [k, key] of Object.entries(OVERRIDE_KEYS)) {
    const v = cli[k as keyof CliConfigOptions];
    if (v !== undefined) overrides[key] = k === 'qgraph' ? path.resolve(v) : v;
  }
  const wms = normaliseWms(String(overrides.wmsServiceClass ?? peekWms(file, opts.cwd) ?? 'local'), file);
  const defaults = existsSync(wmsDefaultsFile(wms)) ? [wmsDefaultsFile(wms)] : [];
  const config = loadBpsConfig(path.resolve(file), { overrides, defaultsFiles: defaults, cwd: opts.cwd });
  preflight(config, file);
  return config;
}

/** BPS names WMS plugins by class (lsst.ctrl.bps.htcondor.HTCondorService); tbps accepts those or short names. */
export function normaliseWms(value: string, file?: string): WmsName {
  const name = wmsNameFor(value);
  if (name) return name;
  throw new BadInputError(`unknown workload system '${value}'; expected one of: ${WMS_NAMES.join(', ')}`, { file, key: 'wmsServiceClass' });
}

function peekWms(file: string, cwd?: string): string | undefined {
  try {
    // The submit YAML's own top level answers without a full load (its parse is cached for the load that follows).
    const abs = path.resolve(file);
    const top = readConfigTree(file, abs);
    if (top && typeof top.wmsServiceClass === 'string' && top.wmsServiceClass !== '' && !top.wmsServiceClass.includes('{')) {
      return top.wmsServiceClass;
    }
    return String(loadBpsConfig(abs, { cwd }).get('wmsServiceClass') ?? '') || undefined;
  } catch {
    return undefined;
  }
}

/** Checks what would otherwise fail only inside the run: values, templates, files. Writes nothing. */
export function preflight(config: BpsConfig, file: string): void {
  config.getString('uniqProcName');
  config.getString('submitPath');
  const site = config.getString('computeSite');
  // The site names a task queue (tbps-site-<site>) and a search attribute: one name of the documented set.
  checkName(site, 'computeSite', { file: config.fileOf('computeSite') });
  config.jobAttributes({ site });
  readRunSettings(config);
  wmsPollSeconds(config, 5);
  // Priority and running-job limits (site.<name>.maxRunningJobs, the campaign's) are checked before anything starts.
  readSlotPolicy(config, site);
  const qg = config.get('qgraphFile');
  // there, readable, and if it is a pipe_base graph (.qg/.qgraph) one whose archive lists a graph's members
  if (qg !== undefined && qg !== null && qg !== '') checkGraphFile(config.getString('qgraphFile'), { file, key: 'qgraphFile' });
}

/**
 * When the graph is known before the run starts (qgraphFile, syntheticGraph), reads it and runs clustering and the
 * generic-workflow build in memory, so a malformed graph, a clustering cycle or a bad command template is reported
 * (exit 2) before anything is submitted. Writes nothing. A given pipe_base graph is only read through the LSST stack
 * (lsst/givenGraph.ts: preflightLsstGraph); here it has had the structural check of preflight().
 */
export async function preflightGraph(config: BpsConfig, opts: { readOnly?: boolean } = {}): Promise<void> {
  const given = config.get('qgraphFile');
  let graph;
  if (given !== undefined && given !== null && String(given) !== '') {
    const file = config.getString('qgraphFile');
    if (graphFileFormat(file, { file: config.fileOf('qgraphFile'), key: 'qgraphFile' }) !== 'tbps-qgraph') return;
    graph = await readQuantumGraph(file);
  } else if (config.section('syntheticGraph')) {
    const { header, records } = syntheticGraph(syntheticOptionsFromConfig(config.section('syntheticGraph'), (key) => config.fileOf(key)));
    graph = graphFromRecords(header, records);
  } else return;
  if (opts.readOnly) return; // `acquire`: the graph only, read whole (a truncated file fails here)
  const clustered = clusterQuanta(graph, config);
  checkJobNames(buildGenericWorkflow(graph, clustered, config, { qgraphFile: 'preflight.qgraph' }), config);
}
