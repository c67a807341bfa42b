// The transform stage as one call: read the graph file -> cluster -> generic workflow -> batch plan -> write the
// submit directory's generic_workflow/. Returns only small things (plan, paths, counts) so it can back an activity.

import { clusterQuanta } from '../cluster/index.js';
import type { BpsConfig } from '../config/index.js';
import { readQuantumGraph } from '../qgraph/reader.js';
import { buildGenericWorkflow, type LabelSummary } from './generic.js';
import { planBatches } from './batches.js';
import { writeGenericWorkflow } from './io.js';
import { errorClassesOf, writeErrorClasses } from '../logs/errorClasses.js';
import { segmentProblem } from '../config/names.js';
import { BadInputError } from '../errors.js';
import type { GenericWorkflow } from './generic.js';
import type { BatchPlan } from './model.js';

export interface TransformOptions {
  /** Jobs per batch before the automatic raise to at most 1000 batches (default 1000). */
  maxBatchJobs?: number;
  /** Graph file named in job commands (default: qgraphPath). */
  qgraphFile?: string;
  /** Overrides {butlerConfig} in job commands. */
  butlerConfig?: string;
}

export interface TransformCounts {
  quanta: number;
  clusters: number;
  payloadJobs: number;
  /** All jobs incl. init and final. */
  jobs: number;
  batches: number;
  labels: LabelSummary[];
}

export interface TransformResult {
  plan: BatchPlan;
  jobsFile: string;
  batchesFile: string;
  summaryFile: string;
  counts: TransformCounts;
  initJob?: string;
  finalJob?: string;
  warnings: string[];
  /** Seconds per phase. */
  timings: { read: number; cluster: number; build: number; plan: number; write: number };
}

export async function transform(
  qgraphPath: string,
  config: BpsConfig,
  submitDir: string,
  opts: TransformOptions = {},
): Promise<TransformResult> {
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const s = (now - t) / 1000;
    t = now;
    return s;
  };
  const graph = await readQuantumGraph(qgraphPath);
  const read = lap();
  const clustered = clusterQuanta(graph, config);
  const cluster = lap();
  const gw = buildGenericWorkflow(graph, clustered, config, { qgraphFile: opts.qgraphFile ?? qgraphPath, butlerConfig: opts.butlerConfig });
  gw.warnings.push(...clustered.warnings);
  checkJobNames(gw);
  const build = lap();
  const plan = planBatches(gw, opts.maxBatchJobs ?? 1000);
  const planT = lap();
  const written = await writeGenericWorkflow(submitDir, gw, plan);
  writeErrorClasses(submitDir, errorClassesOf(config));
  const write = lap();
  return {
    plan,
    jobsFile: written.jobsFile,
    batchesFile: written.batchesFile,
    summaryFile: written.summaryFile,
    counts: {
      quanta: graph.size,
      clusters: clustered.clusters.length,
      payloadJobs: gw.payloadCount,
      jobs: written.jobs,
      batches: plan.batches.length,
      labels: gw.labelSummary(),
    },
    initJob: gw.init?.name,
    finalJob: gw.final?.name,
    warnings: gw.warnings,
    timings: { read, cluster, build, plan: planT, write },
  };
}

/** Job names and labels become file names in the submit directory: each must be one safe path segment. */
function checkJobNames(gw: GenericWorkflow): void {
  for (const l of gw.labelSummary()) {
    const problem = segmentProblem(l.label);
    if (problem) throw new BadInputError(`task or cluster label ${JSON.stringify(l.label)} ${problem}; labels become directory names`, { key: `pipetask.${l.label}` });
  }
  for (let i = 0; i < gw.payloadCount; i++) {
    const name = gw.payloadName(i);
    const problem = segmentProblem(name);
    if (problem) {
      throw new BadInputError(`job name ${JSON.stringify(name)} ${problem}; job names become file names: change the cluster's clusterTemplate (e.g. leave out dimensions whose values hold '/')`, { key: 'clusterTemplate' });
    }
  }
}
