// Control activities on the orchestrator queue: thin adapters from the run workflow to core (graph, transform),
// the submit directory and the store. Large data stays on disk and in the store; these return ids and counts.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { stringify } from 'yaml';
import { BpsConfig } from '../core/config/index.js';
import { readSlotPolicy, siteLimits } from '../core/run/slotPolicy.js';
import { BadInputError } from '../core/errors.js';
import { mkdirUnder, writeFileUnder } from '../core/files/confined.js';
import { SAVED_CONFIG, SAVED_PLAN } from '../core/submit/files.js';
import { loadSavedConfig } from '../core/submit/savedConfig.js';
import { acquireGraph } from '../core/qgraph/acquire.js';
import { provideLsstGraph } from '../lsst/runGraph.js';
import { lsstVersions } from '../lsst/env.js';
import { TBPS_VERSION, TEMPORAL_SDK_VERSION } from '../paths/versions.js';
import type { BatchJobs, BatchResult, RunConfigArg, RunPlan, RunSummary } from '../core/run/types.js';
import { totalCounts } from '../core/report/index.js';
import { isTerminal, type State } from '../core/states.js';
import { GW_DIR, readJobs, transform, type BatchPlan } from '../core/workflow/index.js';
import { preparedRunFor, type PreparedRun } from '../core/submit/preparedRun.js';
import { wmsPlugin } from '../wms/index.js';
import { wmsPollSeconds } from '../core/submit/wmsPoll.js';
import { failOnBadInput } from './inputErrors.js';
import { getStore } from './storeHandle.js';


type RunArgs = {
  runId: string;
  submitPath: string;
} & RunConfigArg;

/** The run's config: the saved copy named by configRef (hash checked), or the inline config of an older run. */
function cfg(args: RunConfigArg): BpsConfig {
  const c = args.configRef ? loadSavedConfig(args.configRef) : args.config;
  if (!c) throw new BadInputError('the run input names no config (neither configRef nor config)');
  return BpsConfig.fromTree(c.tree, c.sources);
}

/**
 * Creates the submit directory, records the run, and writes the config in readable form. The saved config itself
 * was written by whoever started the run (configRef); only an older run's inline config is saved here.
 */
export async function prepareRun(args: RunArgs): Promise<void> {
  return failOnBadInput(() => prepareRunNow(args));
}

async function prepareRunNow(args: RunArgs): Promise<void> {
  const { runId, submitPath } = args;
  const c = cfg(args);
  mkdirUnder(submitPath, submitPath);
  if (!args.configRef) writeFileUnder(submitPath, SAVED_CONFIG, JSON.stringify(args.config));
  writeFileUnder(submitPath, `${runId}_config.yaml`, stringify(c.tree));
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
    dataQuery: str('dataQuery'),
    wms: str('wmsServiceClass'),
    computeSite: str('computeSite'),
    state: 'RUNNING',
  });
  // The per-site scheduler's view of the run: its priority and limits (checked at submit; see core/run/slotPolicy.ts).
  const site = c.getString('computeSite');
  await store.recordSlotPolicy(runId, readSlotPolicy(c, site), siteLimits(c));
}

/**
 * Provides the quantum graph in tbps format: a given tbps qgraphFile, a synthetic graph, or (LSST) a given pipe_base
 * graph copied into the submit directory (rewritten to the run's output run when needed) or pipetask qgraph.
 */
export async function generateGraph(args: RunArgs): Promise<GraphFiles> {
  return failOnBadInput(() => generateGraphNow(args));
}

async function generateGraphNow(args: RunArgs): Promise<GraphFiles> {
  const { runId, submitPath } = args;
  // A run made by `tbps prepare` (with this very config) keeps the graph it was prepared with.
  const prepared = preparedRunFor(submitPath, args.configRef?.sha256);
  if (prepared) return { qgraphFile: prepared.qgraphFile, ...(prepared.jobQgraphFile ? { jobQgraphFile: prepared.jobQgraphFile } : {}) };
  const c = cfg(args);
  const ctx = Context.current();
  mkdirUnder(submitPath, submitPath);
  const got = await acquireGraph(c, submitPath, runId, (n) => ctx.heartbeat({ quanta: n }));
  if (got) return { qgraphFile: got.qgraphFile };
  const lsst = await provideLsstGraph(c, submitPath, runId, () => ctx.heartbeat('LSST quantum graph'));
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
export async function transformRun(args: RunArgs & GraphFiles): Promise<RunPlan> {
  return failOnBadInput(() => transformRunNow(args));
}

async function transformRunNow(args: RunArgs & GraphFiles): Promise<RunPlan> {
  const { runId, submitPath, qgraphFile, jobQgraphFile } = args;
  const c = cfg(args);
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat('transform'), 5000);
  try {
    // A run made by `tbps prepare` with this config runs the generic workflow (and WMS files) prepared for it.
    const prepared = preparedRunFor(submitPath, args.configRef?.sha256);
    const res = prepared
      ? preparedWorkflow(submitPath, prepared)
      : await transform(qgraphFile, c, submitPath, { maxBatchJobs: c.getNumber('jobBatchSize', {}, 1000), qgraphFile: jobQgraphFile });
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
      heartbeatSeconds: c.getNumber('jobHeartbeatTimeout', {}, 10),
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

/** The generic workflow and batch plan `tbps prepare` wrote (what transform would write again for this config). */
function preparedWorkflow(submitPath: string, prepared: PreparedRun): { jobsFile: string; plan: BatchPlan; initJob?: string; finalJob?: string } {
  const dir = path.join(submitPath, GW_DIR);
  const batchesFile = path.join(dir, 'batches.json');
  let plan: BatchPlan;
  try {
    plan = JSON.parse(readFileSync(batchesFile, 'utf8')) as BatchPlan;
  } catch (err) {
    throw new BadInputError(`the prepared batch plan cannot be read (${(err as Error).message}); prepare the run again`, { file: batchesFile });
  }
  return { jobsFile: path.join(dir, 'jobs.jsonl'), plan, initJob: prepared.initJob, finalJob: prepared.finalJob };
}

/** The run's workload system (wmsServiceClass: a registry name or a BPS class name) as plan fields. */
function wmsOf(c: BpsConfig): Pick<RunPlan, 'wms' | 'wmsMode' | 'wmsPollSeconds'> {
  const plugin = wmsPlugin(String(c.has('wmsServiceClass') ? (c.get('wmsServiceClass') ?? 'local') : 'local'), { file: c.fileOf('wmsServiceClass'), key: 'wmsServiceClass' });
  if (plugin.mode !== 'external') return { wms: plugin.name };
  return { wms: plugin.name, wmsMode: 'external', wmsPollSeconds: wmsPollSeconds(c, plugin.defaultPollSeconds) };
}

/** For `restart`: reset what did not succeed and return the saved plan. */
export async function prepareRestart(args: { runId: string; submitPath: string }): Promise<{ plan: RunPlan; initSucceeded: boolean }> {
  return failOnBadInput(() => prepareRestartNow(args));
}

async function prepareRestartNow({ runId, submitPath }: { runId: string; submitPath: string }): Promise<{ plan: RunPlan; initSucceeded: boolean }> {
  const file = path.join(submitPath, SAVED_PLAN);
  if (!existsSync(file)) throw new BadInputError(`run ${runId} has no saved plan (${file}); it never finished transform`);
  let plan: RunPlan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as RunPlan;
  } catch (err) {
    throw new BadInputError(`the run's saved plan is not valid JSON (${(err as Error).message}); it was written by transform`, { file });
  }
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
  // A job that failed without recording it lost its worker: an attempt it left open is closed, never left RUNNING.
  await store.closeOpenAttempts(runId, names.map((name) => ({ name })), 'executor worker lost and the job is not retried', 'FAILED');
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
export async function finishRun({ runId, cancelled, message, submitPath }: { runId: string; cancelled: boolean; message?: string; submitPath?: string }): Promise<RunSummary> {
  const store = await getStore();
  // Attempts still open now ran on an executor that died (nothing runs once the run ends): closed, never RUNNING.
  const open = await store.jobsWithOpenAttempts(runId);
  await store.closeOpenAttempts(runId, open.map((name) => ({ name })), cancelled ? 'cancelled; its worker was lost' : 'worker lost: the attempt never ended before the run did', cancelled ? 'DELETED' : 'FAILED');
  await store.pruneBlocked(runId);
  if (cancelled) await store.cancelUnfinished(runId);
  const { counts, expected: jobs } = totalCounts(await store.labelCounts(runId));
  const state: State = message ? 'FAILED' : cancelled ? 'DELETED' : (counts.SUCCEEDED ?? 0) === jobs && jobs > 0 ? 'SUCCEEDED' : 'FAILED';
  // A run that failed before prepare recorded it (its saved config was missing or altered) is recorded now,
  // so `tbps report` and `tbps status` show it FAILED with the message.
  if (!(await store.setRunState(runId, state, { message }))) await store.upsertRun({ runId, state, message, submitPath });
  const run = await store.getRun(runId);
  return { runId, state, counts, jobs, quanta: run?.quanta ?? 0, message };
}
