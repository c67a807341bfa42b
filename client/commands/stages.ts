// The BPS stage commands, run locally without Temporal: `acquire` (graph), `cluster` (clusters),
// `transform` (generic workflow) and `prepare` (WMS-ready files) write their products to the submit directory.
import path from 'node:path';
import type { Command } from 'commander';
import { mkdirUnder } from '../../core/files/confined.js';
import { acquireGraph } from '../../core/qgraph/acquire.js';
import { generateLsstGraph } from '../../lsst/qgraph.js';
import { readQuantumGraph } from '../../core/qgraph/index.js';
import { clusterQuanta } from '../../core/cluster/index.js';
import { transform } from '../../core/workflow/index.js';
import type { BpsConfig } from '../../core/config/index.js';
import { runAction } from '../exit.js';
import { addConfigOptions, configOptionsFrom } from '../configOptions.js';
import { loadSubmitConfig } from '../../core/submit/config.js';

async function acquire(config: BpsConfig) {
  const submitPath = path.resolve(config.getString('submitPath'));
  mkdirUnder(submitPath, submitPath);
  const runId = config.getString('uniqProcName');
  const got = await acquireGraph(config, submitPath, runId);
  if (got) return { submitPath, ...got, jobQgraphFile: undefined };
  // No given or synthetic graph: generate it with the LSST stack, as `bps acquire` does.
  const lsst = await generateLsstGraph(config, submitPath, runId, () => {});
  return { submitPath, qgraphFile: lsst.qgraphFile, jobQgraphFile: lsst.lsstQgraphFile, quanta: -1, source: 'pipetask qgraph' };
}

function stage(program: Command, name: string, description: string, fn: (config: BpsConfig) => Promise<void>): void {
  const cmd = program.command(name).description(description).argument('<config>', 'BPS submit YAML');
  addConfigOptions(cmd);
  cmd.action((file: string, o) => runAction(async () => fn(loadSubmitConfig(file, configOptionsFrom(o)))));
}

export function registerStages(program: Command): void {
  stage(program, 'acquire', 'get the quantum graph (qgraphFile or syntheticGraph) into the submit directory', async (config) => {
    const g = await acquire(config);
    console.log(`quantum graph: ${g.qgraphFile}${g.quanta >= 0 ? ` (${g.quanta} quanta)` : ''}, from ${g.source}`);
  });

  stage(program, 'cluster', 'acquire, then cluster the quanta into jobs and print the clusters per label', async (config) => {
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
  };
  stage(program, 'transform', 'acquire + cluster, then write the generic workflow (jobs, batches) to the submit directory', transformStage);
  stage(program, 'prepare', 'everything up to the WMS-ready files (local WMS: the generic workflow and its batch plan); does not submit', transformStage);
}
