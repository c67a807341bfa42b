// Control activities on the orchestrator queue: thin adapters from the run workflow to core (graph, transform),
// the submit directory and the store. Large data stays on disk and in the store; these return ids and counts.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { stringify } from 'yaml';
import { BpsConfig } from '../core/config/index.js';
import { BadInputError } from '../core/errors.js';
import { mkdirUnder, writeFileUnder } from '../core/files/confined.js';
import { SAVED_CONFIG, SAVED_PLAN } from '../core/submit/files.js';
import { acquireGraph } from '../core/qgraph/acquire.js';
import { generateLsstGraph } from '../lsst/qgraph.js';
import { lsstVersions } from '../lsst/env.js';
import { TBPS_VERSION, TEMPORAL_SDK_VERSION } from '../temporal/versions.js';
import type { BatchJobs, BatchResult, RunPlan, RunSummary, SerializedConfig } from '../core/run/types.js';
import { totalCounts } from '../core/report/index.js';
import { isTerminal, type State } from '../core/states.js';
import { readJobs, transform } from '../core/workflow/index.js';
import { localWms, wmsForServiceClass } from '../wms/index.js';
import { getStore } from './storeHandle.js';


interface RunArgs {
  runId: string;
  submitPath: string;
  config: SerializedConfig;
}

function cfg(c: SerializedConfig): BpsConfig {
  return BpsConfig.fromTree(c.tree, c.sources);
}

/** Creates the submit directory, saves the config there, records the run. */
export async function prepareRun({ runId, submitPath, config }: RunArgs): Promise<void> {
  const c = cfg(config);
  mkdirUnder(submitPath, submitPath);
  writeFileUnder(submitPath, SAVED_CONFIG, JSON.stringify(config));
  writeFileUnder(submitPath, `${runId}_config.yaml`, stringify(config.tree));
  writeFileUnder(submitPath, 'provenance.json', JSON.stringify(provenance(c), null, 2));
  const str = (k: string) => (c.has(k) ? c.getString(k) : undefined);
  const store = await getStore();
  await store.upsertRun({
    runId,
    workflowId: Context.current().info.workflowExecution?.workflowId,
    name: str('outputRun'),
    payloadName: str('payloadName'),
    operator: str('operator'),
    project: str('project'),
    campaign: str('campaign'),
    submitPath,
    wms: str('wmsServiceClass'),
    computeSite: str('computeSite'),
    state: 'RUNNING',
  });
}

/** Provides the quantum graph in tbps format: a given qgraphFile, a synthetic graph, or (LSST) pipetask qgraph. */
export async function generateGraph({ runId, submitPath, config }: RunArgs): Promise<GraphFiles> {
  const c = cfg(config);
  const ctx = Context.current();
  mkdirUnder(submitPath, submitPath);
  const got = await acquireGraph(c, submitPath, runId, (n) => ctx.heartbeat({ quanta: n }));
  if (got) return { qgraphFile: got.qgraphFile };
  const lsst = await generateLsstGraph(c, submitPath, runId, () => ctx.heartbeat('pipetask qgraph'));
  return { qgraphFile: lsst.qgraphFile, jobQgraphFile: lsst.lsstQgraphFile };
}

export interface GraphFiles {
  /** The graph in tbps format. */
  qgraphFile: string;
  /** The graph file job commands name ({qgraphFile}), when it differs (LSST .qg). */
  jobQgraphFile?: string;
}

/** The environment that shapes a run's jobs: LSST stack locations, PATH, Python and tbps/Temporal settings (no secrets). */
const PROVENANCE_ENV = /^(PATH|PYTHONPATH|VIRTUAL_ENV|CONDA_PREFIX|LSST_.*|.*_DIR|DAF_BUTLER_.*|TBPS_(?!.*(KEY|TOKEN|PASSWORD|SECRET)).*|TEMPORAL_(ADDRESS|NAMESPACE))$/;

function selectedEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(env).sort()) if (PROVENANCE_ENV.test(k) && env[k] !== undefined) out[k] = env[k] as string;
  return out;
}

/** What produced this run: tool and stack versions (the LSST versions also go into the run's graph header). */
function provenance(c: BpsConfig) {
  return {
    tbps: TBPS_VERSION,
    node: process.version,
    temporalSdk: TEMPORAL_SDK_VERSION,
    lsst: lsstVersions() ?? null,
    configFile: c.configFile ?? null,
    environment: selectedEnvironment(process.env),
    host: hostname(),
    preparedAt: new Date().toISOString(),
  };
}

/** Cluster + generic workflow + batch plan into the submit dir; jobs into the store. */
export async function transformRun({ runId, submitPath, config, qgraphFile, jobQgraphFile }: RunArgs & GraphFiles): Promise<RunPlan> {
  const c = cfg(config);
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat('transform'), 5000);
  try {
    const res = await transform(qgraphFile, c, submitPath, { maxBatchJobs: c.getNumber('jobBatchSize', {}, 1000), qgraphFile: jobQgraphFile });
    const store = await getStore();
    await store.insertJobs(runId, readJobs(res.jobsFile));
    const plan: RunPlan = {
      computeSite: c.getString('computeSite'),
      quanta: res.plan.quanta,
      payloadJobs: res.plan.payloadJobs,
      batches: res.plan.batches,
      hasInit: res.plan.hasInit,
      hasFinal: res.plan.hasFinal,
      finalWhenRun: res.plan.finalWhenRun,
      initJob: res.initJob,
      finalJob: res.finalJob,
      window: c.getNumber('jobBatchWindow', {}, 200),
      maxBatchesInFlight: c.getNumber('maxBatchesInFlight', {}, 4),
      heartbeatSeconds: c.getNumber('jobHeartbeatTimeout', {}, 60),
      ...wmsOf(c),
    };
    writeFileUnder(submitPath, SAVED_PLAN, JSON.stringify(plan));
    const jobs = plan.payloadJobs + (plan.hasInit ? 1 : 0) + (plan.hasFinal ? 1 : 0);
    await store.setRunState(runId, 'RUNNING', { quanta: plan.quanta, jobs });
    return plan;
  } finally {
    clearInterval(beat);
  }
}

/** The run's workload system (wmsServiceClass, BPS class names or short names) as plan fields. */
function wmsOf(c: BpsConfig): Pick<RunPlan, 'wms' | 'wmsMode' | 'wmsPollSeconds'> {
  const wms = wmsForServiceClass(String(c.has('wmsServiceClass') ? c.get('wmsServiceClass') ?? 'local' : 'local')) ?? localWms;
  if (wms.mode !== 'external') return { wms: wms.name };
  return { wms: wms.name, wmsMode: 'external', wmsPollSeconds: c.getNumber('htcondorPollSeconds', {}, 5) };
}

/** For `restart`: reset what did not succeed and return the saved plan. */
export async function prepareRestart({ runId, submitPath }: { runId: string; submitPath: string }): Promise<{ plan: RunPlan; initSucceeded: boolean }> {
  const file = path.join(submitPath, SAVED_PLAN);
  if (!existsSync(file)) throw new BadInputError(`run ${runId} has no saved plan (${file}); it never finished transform`);
  const plan = JSON.parse(readFileSync(file, 'utf8')) as RunPlan;
  const store = await getStore();
  await store.resetForRestart(runId);
  const run = await store.getRun(runId);
  await store.setRunState(runId, 'RUNNING', { restartCount: (run?.restartCount ?? 0) + 1, message: undefined });
  const init = plan.initJob ? await store.getJob(runId, plan.initJob) : undefined;
  return { plan, initSucceeded: init?.state === 'SUCCEEDED' };
}

export async function loadBatch({ runId, batch }: { runId: string; batch: number }): Promise<BatchJobs> {
  return (await getStore()).loadBatch(runId, batch);
}

export async function markJobsFailed({ runId, names }: { runId: string; names: string[] }): Promise<void> {
  const store = await getStore();
  for (const name of names) {
    const j = await store.getJob(runId, name);
    if (j && j.state !== 'FAILED') await store.setJobStates(runId, [name], 'FAILED');
  }
}

/** Ends a batch: jobs that failed without recording it (lost worker) become FAILED, blocked ones PRUNED. */
export async function finishBatch({ runId, batch, failed }: { runId: string; batch: number; failed: string[] }): Promise<BatchResult> {
  await markJobsFailed({ runId, names: failed });
  const store = await getStore();
  await store.pruneBlocked(runId, batch);
  const counts = await store.batchCounts(runId, batch);
  return { batch, succeeded: counts.SUCCEEDED ?? 0, failed: counts.FAILED ?? 0, pruned: counts.PRUNED ?? 0 };
}

/** Ends a job run as a unit of its own by an external WMS: one that never ended there counts as FAILED. */
export async function finishJob({ runId, name }: { runId: string; name: string }): Promise<BatchResult> {
  const store = await getStore();
  const j = await store.getJob(runId, name);
  const state = j && isTerminal(j.state) ? j.state : 'FAILED';
  if (j && state !== j.state) await store.setJobStates(runId, [name], 'FAILED');
  return { batch: -1, succeeded: state === 'SUCCEEDED' ? 1 : 0, failed: state === 'FAILED' ? 1 : 0, pruned: state === 'PRUNED' ? 1 : 0 };
}

export async function jobRetryInfo({ runId, name }: { runId: string; name: string }): Promise<{ maxAttempts: number }> {
  const spec = await (await getStore()).getJobSpec(runId, name);
  return { maxAttempts: spec.numberOfRetries + 1 };
}

export async function countFailures({ runId }: { runId: string }): Promise<number> {
  const counts = await (await getStore()).stateCounts(runId);
  return counts.FAILED + counts.PRUNED;
}

/** Final bookkeeping: prune what can no longer run, derive the run state, record it. */
export async function finishRun({ runId, cancelled, message }: { runId: string; cancelled: boolean; message?: string }): Promise<RunSummary> {
  const store = await getStore();
  await store.pruneBlocked(runId);
  if (cancelled) await store.cancelUnfinished(runId);
  const { counts, expected: jobs } = totalCounts(await store.labelCounts(runId));
  const state: State = message ? 'FAILED' : cancelled ? 'DELETED' : (counts.SUCCEEDED ?? 0) === jobs && jobs > 0 ? 'SUCCEEDED' : 'FAILED';
  await store.setRunState(runId, state, { message });
  const run = await store.getRun(runId);
  return { runId, state, counts, jobs, quanta: run?.quanta ?? 0, message };
}
