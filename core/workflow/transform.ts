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
  checkJobNames(gw, config);
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

/**
 * Job names and labels become file names in the submit directory: each must be one safe path segment. A bad name
 * is reported at the key that made it: the cluster section's clusterTemplate, or templateDataId for single quanta.
 */
export function checkJobNames(gw: GenericWorkflow, config?: Pick<BpsConfig, 'section' | 'fileOf' | 'configFile'>): void {
  const clusters = config?.section('cluster') ?? {};
  const keyOf = (label: string) => (Object.prototype.hasOwnProperty.call(clusters, label) ? `cluster.${label}.clusterTemplate` : 'templateDataId');
  const fileOf = (key: string) => config?.fileOf(key) ?? config?.fileOf(key.split('.').slice(0, 2).join('.')) ?? config?.configFile;
  for (const l of gw.labelSummary()) {
    const problem = segmentProblem(l.label);
    if (problem) {
      const key = Object.prototype.hasOwnProperty.call(clusters, l.label) ? `cluster.${l.label}` : `pipetask.${l.label}`;
      throw new BadInputError(`task or cluster label ${JSON.stringify(l.label)} ${problem}; labels become directory names`, { file: fileOf(key), key });
    }
  }
  for (let i = 0; i < gw.payloadCount; i++) {
    const name = gw.payloadName(i);
    const problem = segmentProblem(name);
    if (problem) {
      const key = keyOf(gw.clustered.clusters[i].label);
      throw new BadInputError(
        `job name ${JSON.stringify(name)} ${problem}; job names become file names: change ${key} (e.g. leave out dimensions whose values hold '/')`,
        { file: fileOf(key), key },
      );
    }
  }
}
