// A run made ready by `tbps prepare`: its record (tbps_prepared.json in the submit directory) names the graph files,
// the init and final jobs and the sha256 of the saved config it was prepared with. `tbps submit <submit dir>` starts
// such a run from its saved config, and the run's activities then take the prepared graph, generic workflow and WMS
// files as they are instead of making them again. The record counts only while the saved config is the one it names:
// a later `tbps submit CONFIG` into the same directory replaces the saved config, and everything is made anew.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BpsConfig } from '../config/index.js';
import { BadInputError } from '../errors.js';
import { writeFileUnder } from '../files/confined.js';
import type { ConfigRef } from '../run/types.js';
import { PREPARED_RUN } from './files.js';
import { loadSavedConfig, savedConfigRef } from './savedConfig.js';

export interface PreparedRun {
  runId: string;
  /** sha256 of the saved config (tbps_config.json) the run was prepared with. */
  configSha256: string;
  /** The graph in tbps format (what transform read). */
  qgraphFile: string;
  /** The graph file the job commands name, when it differs (an LSST .qg). */
  jobQgraphFile?: string;
  initJob?: string;
  finalJob?: string;
  /** Workload system the files were written for (local: none). */
  wms: string;
  /** Directories of the WMS's files, one per unit (batch, pipetaskInit, finalJob), relative to the submit directory. */
  wmsUnits: string[];
  preparedAt: string;
  /** Set by `tbps submit <submit dir>` once the prepared run started: a prepared run is submitted once. */
  submittedAt?: string;
}

export function preparedRunPath(submitPath: string): string {
  return path.join(submitPath, PREPARED_RUN);
}

export function writePreparedRun(submitPath: string, record: PreparedRun): string {
  return writeFileUnder(submitPath, preparedRunPath(submitPath), JSON.stringify(record, null, 1) + '\n');
}

/** The record, or undefined when the directory holds none; a malformed one is bad input naming the file. */
export function readPreparedRun(submitPath: string): PreparedRun | undefined {
  const file = preparedRunPath(submitPath);
  if (!existsSync(file)) return undefined;
  let record: Partial<PreparedRun>;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as Partial<PreparedRun>;
  } catch (err) {
    throw new BadInputError(`not valid JSON (${(err as Error).message}); it was written by 'tbps prepare': prepare the run again`, { file });
  }
  for (const key of ['runId', 'configSha256', 'qgraphFile', 'wms'] as const) {
    if (typeof record[key] !== 'string' || record[key] === '')
      throw new BadInputError(`has no '${key}'; it was written by 'tbps prepare': prepare the run again`, { file, key });
  }
  return { wmsUnits: [], ...record } as PreparedRun;
}

/**
 * The prepared run in `submitPath` if it was prepared with the config whose saved copy has `configSha256` and its
 * graph files are still there; else undefined (the run is then made from its config as usual).
 */
export function preparedRunFor(submitPath: string, configSha256: string | undefined): PreparedRun | undefined {
  if (!configSha256) return undefined;
  const record = readPreparedRun(submitPath);
  if (!record || record.configSha256 !== configSha256) return undefined;
  if (!existsSync(record.qgraphFile) || (record.jobQgraphFile !== undefined && !existsSync(record.jobQgraphFile))) return undefined;
  return record;
}

export interface PreparedSubmission {
  record: PreparedRun;
  submitPath: string;
  config: BpsConfig;
  /** The saved config the run starts from (the one it was prepared with). */
  configRef: ConfigRef;
}

/**
 * What `tbps submit <submit dir>` starts: the prepared run in `dir`, checked (nothing is started on bad input): a
 * record, the saved config it was prepared with (unchanged), its graph files, the directory where it was prepared,
 * and not submitted before.
 */
export function preparedSubmission(dir: string): PreparedSubmission {
  const submitPath = path.resolve(dir);
  const record = readPreparedRun(submitPath);
  if (!record)
    throw new BadInputError(`a directory without a prepared run (no ${PREPARED_RUN}); give a submit YAML, or make the run with 'tbps prepare CONFIG' first`, { file: dir });
  const file = preparedRunPath(submitPath);
  if (record.submittedAt)
    throw new BadInputError(`the prepared run ${record.runId} was submitted at ${record.submittedAt}; follow it with 'tbps report --id ${record.runId}', re-run what failed with 'tbps restart --id ${record.runId}', or prepare a new run`, { file, key: 'submittedAt' });
  const configRef = savedConfigRef(submitPath, `the prepared run in ${dir}`);
  if (configRef.sha256 !== record.configSha256)
    throw new BadInputError(`the run's saved config was changed after 'tbps prepare' (sha256 ${configRef.sha256.slice(0, 12)}..., prepared ${record.configSha256.slice(0, 12)}...); prepare the run again`, { file: configRef.file });
  for (const [key, graph] of [['qgraphFile', record.qgraphFile], ['jobQgraphFile', record.jobQgraphFile]] as const) {
    if (graph !== undefined && !existsSync(graph)) throw new BadInputError(`the prepared graph file ${graph} is missing; prepare the run again`, { file, key });
  }
  const saved = loadSavedConfig(configRef);
  const config = BpsConfig.fromTree(saved.tree, saved.sources);
  const preparedIn = path.resolve(config.getString('submitPath'));
  if (preparedIn !== submitPath)
    throw new BadInputError(`the run was prepared in ${preparedIn} and its files name paths there; submit it from there, or prepare it again here`, { file, key: 'submitPath' });
  if (config.getString('uniqProcName') !== record.runId)
    throw new BadInputError(`names run ${record.runId} but the saved config's uniqProcName is ${config.getString('uniqProcName')}; prepare the run again`, { file, key: 'runId' });
  return { record, submitPath, config, configRef };
}

/** Records that the prepared run was started (a second submit of it is refused). */
export function markPreparedRunSubmitted(submitPath: string, record: PreparedRun, at = new Date()): void {
  writePreparedRun(submitPath, { ...record, submittedAt: at.toISOString() });
}
