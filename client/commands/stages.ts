// The BPS stage commands, run locally without Temporal: `acquire` (graph), `cluster` (clusters),
// `transform` (generic workflow) and `prepare` (WMS-ready files) write their products to the submit directory.
// `prepare` also saves the run's config and writes every unit's WMS files (HTCondor: DAGs and submit files), so the
// run can be inspected and then submitted as prepared (`tbps submit <submit dir>`).
// Everything that can be checked is checked before the submit directory is created; when a stage fails after
// creating it, the directory is removed again (nothing is left behind on bad input).
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { mkdirUnder } from '../../core/files/confined.js';
import { acquireGraph } from '../../core/qgraph/acquire.js';
import { GraphGenerationError } from '../../lsst/qgraph.js';
import { provideLsstGraph } from '../../lsst/runGraph.js';
import { readQuantumGraph } from '../../core/qgraph/index.js';
import { clusterQuanta } from '../../core/cluster/index.js';
import { transform, type TransformResult } from '../../core/workflow/index.js';
import type { BpsConfig } from '../../core/config/index.js';
import { runAction } from '../exit.js';
import { addConfigOptions, configOptionsFrom } from '../configOptions.js';
import { loadSubmitConfig, normaliseWms, preflightGraph } from '../../core/submit/config.js';
import { preparedRunPath, writePreparedRun, type PreparedRun } from '../../core/submit/preparedRun.js';
import { saveRunConfig } from '../../core/submit/savedConfig.js';
import { poolJobEnvironment } from '../../lsst/env.js';
import { prepareWmsFiles } from '../../wms/index.js';
import { describeVerb } from '../commandIndex.js';

async function acquire(config: BpsConfig) {
  const submitPath = path.resolve(config.getString('submitPath'));
  mkdirUnder(submitPath, submitPath);
  const runId = config.getString('uniqProcName');
  const got = await acquireGraph(config, submitPath, runId);
  if (got) return { submitPath, ...got, jobQgraphFile: undefined };
  // A given pipe_base graph (copied, rewritten to outputRun when needed), or one generated with the LSST stack, as
  // `bps acquire` does.
  const lsst = await provideLsstGraph(config, submitPath, runId, () => {});
  return { submitPath, qgraphFile: lsst.qgraphFile, jobQgraphFile: lsst.lsstQgraphFile, quanta: -1, source: lsst.source };
}

/**
 * Runs a stage in its submit directory. A directory this call creates is removed when the stage fails, except after a
 * failed `pipetask qgraph` (its error names the generation log inside); a directory that existed before is left as is.
 */
async function inSubmitDirectory(config: BpsConfig, work: () => Promise<void>): Promise<void> {
  const submitPath = path.resolve(config.getString('submitPath'));
  let created: string | undefined;
  for (let dir = submitPath; !existsSync(dir) && path.dirname(dir) !== dir; dir = path.dirname(dir)) created = dir;
  mkdirUnder(submitPath, submitPath);
  try {
    await work();
  } catch (err) {
    if (created !== undefined && !(err instanceof GraphGenerationError)) rmSync(created, { recursive: true, force: true });
    throw err;
  }
}

function stage(program: Command, name: string, fn: (config: BpsConfig) => Promise<void>, clusterFirst = true): void {
  const cmd = program.command(name).description(describeVerb(name)).argument('<config>', 'BPS submit YAML');
  addConfigOptions(cmd);
  cmd.action((file: string, o) =>
    runAction(async () => {
      const config = loadSubmitConfig(file, configOptionsFrom(o));
      // a given or synthetic graph is read whole, then (but for acquire) clustered and turned into jobs in memory:
      // a bad graph, clusters or templates fail here, before the submit directory exists
      await preflightGraph(config, { readOnly: !clusterFirst });
      await inSubmitDirectory(config, () => fn(config));
    }),
  );
}

export function registerStages(program: Command): void {
  stage(program, 'acquire', async (config) => {
    const g = await acquire(config);
    console.log(`quantum graph: ${g.qgraphFile}${g.quanta >= 0 ? ` (${g.quanta} quanta)` : ''}, from ${g.source}`);
  }, false);

  stage(program, 'cluster', async (config) => {
    const g = await acquire(config);
    const graph = await readQuantumGraph(g.qgraphFile);
    const res = clusterQuanta(graph, config);
    const byLabel = new Map<string, { clusters: number; quanta: number }>();
    for (const c of res.clusters) {
      const e = byLabel.get(c.label) ?? { clusters: 0, quanta: 0 };
      e.clusters++;
      e.quanta += c.quanta.length;
      byLabel.set(c.label, e);
    }
    console.log(`${graph.size} quanta -> ${res.clusters.length} clusters`);
    const w = Math.max(5, ...[...byLabel.keys()].map((k) => k.length));
    console.log(`${'label'.padEnd(w)}  ${'clusters'.padStart(9)}  ${'quanta'.padStart(9)}`);
    for (const [label, e] of byLabel) console.log(`${label.padEnd(w)}  ${String(e.clusters).padStart(9)}  ${String(e.quanta).padStart(9)}`);
    for (const warning of res.warnings) console.log(`warning: ${warning}`);
  });

  const transformStage = async (config: BpsConfig) => {
    const g = await acquire(config);
    const res = await transform(g.qgraphFile, config, g.submitPath, { maxBatchJobs: config.getNumber('jobBatchSize', {}, 1000), qgraphFile: g.jobQgraphFile });
    console.log(`${res.counts.quanta} quanta -> ${res.counts.payloadJobs} payload jobs (+ ${res.counts.jobs - res.counts.payloadJobs} init/final) in ${res.counts.batches} batches`);
    console.log(`generic workflow: ${res.jobsFile}`);
    console.log(`batch plan      : ${res.batchesFile}`);
    console.log(`summary         : ${res.summaryFile}`);
    for (const warning of res.warnings) console.log(`warning: ${warning}`);
    return { graph: g, transformed: res };
  };
  stage(program, 'transform', async (config) => {
    await transformStage(config);
  });
  stage(program, 'prepare', async (config) => {
    const { graph, transformed } = await transformStage(config);
    const prepared = await prepareRun(config, graph, transformed);
    const units = prepared.wmsUnits;
    if (units.length > 0) console.log(`${`${prepared.wms} files`.padEnd(16)}: ${units.length} units (${unitSummary(units)}) under ${path.join(graph.submitPath, path.dirname(path.dirname(units[0])))}`);
    console.log(`prepared run    : ${preparedRunPath(graph.submitPath)}`);
    console.log(`submit it with  : tbps submit ${graph.submitPath}`);
  });
}

/**
 * What `prepare` adds to `transform`: the saved config (what a submit of the prepared run starts from), the files the
 * workload system submits, for every unit of the run, and the record that ties them to that config.
 */
async function prepareRun(config: BpsConfig, graph: Awaited<ReturnType<typeof acquire>>, transformed: TransformResult): Promise<PreparedRun> {
  const { submitPath } = graph;
  const runId = config.getString('uniqProcName');
  const saved = saveRunConfig(submitPath, config.toJSON());
  const wms = normaliseWms(String(config.get('wmsServiceClass') ?? 'local'), config.configFile);
  const wmsUnits = await prepareWmsFiles(wms, config, {
    runId,
    submitPath,
    jobsFile: transformed.jobsFile,
    batches: transformed.plan.batches.length,
    initJob: transformed.initJob,
    finalJob: transformed.finalJob,
    configSha256: saved.ref.sha256,
    baseEnvironment: poolJobEnvironment(),
    env: process.env,
  });
  const record: PreparedRun = {
    runId,
    configSha256: saved.ref.sha256,
    qgraphFile: path.resolve(graph.qgraphFile),
    ...(graph.jobQgraphFile ? { jobQgraphFile: path.resolve(graph.jobQgraphFile) } : {}),
    ...(transformed.initJob ? { initJob: transformed.initJob } : {}),
    ...(transformed.finalJob ? { finalJob: transformed.finalJob } : {}),
    wms,
    wmsUnits,
    preparedAt: new Date().toISOString(),
  };
  writePreparedRun(submitPath, record);
  return record;
}

/** "pipetaskInit, batch_0..batch_4, finalJob" from unit directories such as htcondor/batch_0/try1. */
function unitSummary(units: string[]): string {
  const names = units.map((u) => path.basename(path.dirname(u)));
  const batches = names.filter((n) => /^batch_\d+$/.test(n));
  const others = names.filter((n) => !/^batch_\d+$/.test(n));
  const range = batches.length === 0 ? [] : batches.length === 1 ? [batches[0]] : [`${batches[0]}..${batches.at(-1)}`];
  return [...others.slice(0, 1), ...range, ...others.slice(1)].join(', ');
}
