// runWorkflow (id run/<uniqProcName>): prepare -> generate graph -> transform -> pipetaskInit -> job batches ->
// finalJob (per whenRun) -> summary. Batches are child workflows started when their upstream batches finish.
// With an external WMS, pipetaskInit and finalJob are units of that WMS too (e.g. one-node DAGs, a FINAL node).
// Cancel is graceful: running batches are cancelled, finalJob still runs under whenRun ALWAYS. A campaign group's run
// signals its summary to the campaign when it ends (the campaign may have continued-as-new meanwhile).
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ContinueAsNew,
  condition,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchResult, RunConfigArg, RunInput, RunPlan, RunProgress, RunSummary } from '../core/run/types.js';
import { batchWorkflowId, jobWorkflowId, orchestratorQueue, siteQueue } from '../core/run/queues.js';
import type { SearchAttributePair } from '@temporalio/common';
import { BpsRun, BpsRunState } from './searchKeys.js';
import { ctl, runJobOn, stages } from './activityProxies.js';
import { notifyCampaign } from './campaignNotify.js';
import { jobBatchWorkflow } from './batch.js';
import { externalBatchWorkflow } from './externalBatch.js';

export const runStatusQuery = defineQuery<RunProgress>('status');

/** Patch id: runs on an external WMS send pipetaskInit and finalJob there (earlier ones ran them on the executor). */
const EXTERNAL_INIT_FINAL = 'external-wms-init-final';
/** Patch id: batch and job child workflows carry the run's search attributes (campaign, step, run, ...). */
const CHILD_SEARCH_ATTRIBUTES = 'child-search-attributes';

/**
 * The search attributes a run's child workflows start with: the run's own Bps* attributes except its state (a
 * campaign query in the Web UI then finds them too), and BpsRun.
 */
function childSearchAttributes(runId: string): { typedSearchAttributes?: SearchAttributePair[] } {
  if (!patched(CHILD_SEARCH_ATTRIBUTES)) return {};
  const inherited = workflowInfo()
    .typedSearchAttributes.getAll()
    .filter((pair) => pair.key.name.startsWith('Bps') && pair.key.name !== BpsRunState.name && pair.key.name !== BpsRun.name);
  return { typedSearchAttributes: [...inherited, { key: BpsRun, value: runId }] };
}

export async function runWorkflow(input: RunInput): Promise<RunSummary> {
  const p: RunProgress = input.progress ?? { phase: 'prepare', doneBatches: [] };
  setHandler(runStatusQuery, () => p);
  const { runId, submitPath } = input;
  let failure: string | undefined;

  try {
    await CancellationScope.cancellable(async () => {
      if (!p.plan) {
        if (input.restart) {
          p.phase = 'transform';
          const r = await ctl.prepareRestart({ runId, submitPath });
          p.plan = r.plan;
          if (r.initSucceeded) p.initOk = true; // a rescue re-runs only what did not succeed
        } else {
          const config = configArg(input);
          await ctl.prepareRun({ runId, submitPath, ...config });
          setState('RUNNING');
          p.phase = 'graph';
          const graph = await stages.generateGraph({ runId, submitPath, ...config });
          p.phase = 'transform';
          p.plan = await stages.transformRun({ runId, submitPath, ...config, ...graph });
        }
      }
      const plan = p.plan;
      const queue = siteQueue(input.taskQueuePrefix, plan.computeSite);
      if (plan.hasInit && plan.initJob && p.initOk === undefined) {
        p.phase = 'init';
        p.initOk = await runOneJob(input, queue, plan, plan.initJob, false);
      }
      if (p.initOk === false) return;
      p.phase = 'jobs';
      await runBatches(input, p, plan, queue);
    });
  } catch (err) {
    if (isCancellation(err)) p.cancelled = true;
    else if (isContinueAsNew(err)) throw err;
    else failure = errorMessage(err);
  }

  return CancellationScope.nonCancellable(async () => {
    let summary: RunSummary | undefined;
    try {
      const plan = p.plan;
      if (plan?.hasFinal && plan.finalJob && !failure) {
        const clean = !p.cancelled && p.initOk !== false && (await ctl.countFailures({ runId })) === 0;
        if (plan.finalWhenRun === 'ALWAYS' || (plan.finalWhenRun === 'SUCCESS' && clean)) {
          p.phase = 'final';
          await runOneJob(input, siteQueue(input.taskQueuePrefix, plan.computeSite), plan, plan.finalJob, true);
        }
      }
      p.phase = 'done';
      summary = await ctl.finishRun({ runId, cancelled: !!p.cancelled, message: failure, submitPath });
      setState(summary.state);
      return summary;
    } finally {
      // A campaign group's run (its input names the campaign; older runs' inputs do not) reports its end also when
      // its bookkeeping failed, so the group never waits for a run that is over.
      if (input.campaignWorkflowId)
        await notifyCampaign(input.campaignWorkflowId, summary ?? { runId, state: 'FAILED', counts: {}, jobs: 0, quanta: 0, message: `run ${runId} ended without its summary (finishRun failed)` });
    }
  });
}

/** pipetaskInit or finalJob: an activity on the site's executor queue, or a unit of the external WMS. */
async function runOneJob(input: RunInput, queue: string, plan: RunPlan, name: string, final: boolean): Promise<boolean> {
  const { runId, submitPath } = input;
  try {
    if (plan.wmsMode === 'external' && patched(EXTERNAL_INIT_FINAL)) {
      const r = await executeChild(externalBatchWorkflow, {
        workflowId: jobWorkflowId(runId, name),
        taskQueue: orchestratorQueue(input.taskQueuePrefix),
        ...childSearchAttributes(runId),
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        args: [{ runId, batch: -1, submitPath, job: name, final, wms: plan.wms, pollSeconds: plan.wmsPollSeconds ?? 5 }],
      });
      return r.succeeded === 1;
    }
    const { maxAttempts } = await ctl.jobRetryInfo({ runId, name });
    const out = await runJobOn(queue, { runId, name, maxAttempts, submitPath }, plan.heartbeatSeconds);
    return out.state === 'SUCCEEDED';
  } catch (err) {
    if (isCancellation(err)) throw err;
    await ctl.markJobsFailed({ runId, names: [name] });
    return false;
  }
}

async function runBatches(input: RunInput, p: RunProgress, plan: RunPlan, queue: string): Promise<void> {
  const done = new Set(p.doneBatches);
  const started = new Set<number>();
  const finished: BatchResult[] = [];
  let inFlight = 0;
  for (;;) {
    const suggested = workflowInfo().continueAsNewSuggested;
    if (!suggested) {
      for (const b of plan.batches) {
        if (inFlight >= plan.maxBatchesInFlight) break;
        if (done.has(b.id) || started.has(b.id) || !b.upstream.every((u) => done.has(u))) continue;
        started.add(b.id);
        inFlight++;
        const childOptions = {
          workflowId: batchWorkflowId(input.runId, b.id),
          taskQueue: orchestratorQueue(input.taskQueuePrefix),
          ...childSearchAttributes(input.runId),
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        };
        const batch = { runId: input.runId, batch: b.id, submitPath: input.submitPath };
        // Local: the batch workflow runs each job as an activity. External WMS: it submits the batch and polls it.
        const child =
          plan.wmsMode === 'external'
            ? await startChild(externalBatchWorkflow, { ...childOptions, args: [{ ...batch, wms: plan.wms, pollSeconds: plan.wmsPollSeconds ?? 5 }] })
            : await startChild(jobBatchWorkflow, { ...childOptions, args: [{ ...batch, siteQueue: queue, window: plan.window, heartbeatSeconds: plan.heartbeatSeconds }] });
        child.result().then((r) => finished.push(r), (err) => finished.push({ batch: b.id, succeeded: 0, failed: -1, pruned: 0, error: errorMessage(err) } as BatchResult));
      }
    }
    if (inFlight === 0) {
      if (done.size >= plan.batches.length) return;
      if (suggested) return continueAsNew<typeof runWorkflow>({ ...input, progress: { ...p, doneBatches: [...done] } });
      throw new Error(`no runnable batch: ${plan.batches.length - done.size} batches wait on upstream that never finished`);
    }
    await condition(() => finished.length > 0);
    for (const r of finished.splice(0)) {
      inFlight--;
      if (r.failed < 0) throw new Error(`batch ${r.batch} failed: ${(r as BatchResult & { error?: string }).error}`);
      done.add(r.batch);
    }
    p.doneBatches = [...done];
  }
}

/**
 * How the activities get the run's config: by reference to the saved copy (path + sha256; the input stays a few
 * hundred bytes whatever the config's size), or inline for runs started before references. Both shapes schedule
 * the same activities, so histories of either replay unchanged.
 */
function configArg(input: RunInput): RunConfigArg {
  if (input.configRef) return { configRef: input.configRef };
  if (input.config) return { config: input.config };
  throw ApplicationFailure.nonRetryable(`run ${input.runId}: the workflow input names no config (configRef or config)`, 'BadInputError');
}

function setState(state: string): void {
  upsertSearchAttributes([{ key: BpsRunState, value: state }]);
}

function isContinueAsNew(err: unknown): boolean {
  return err instanceof ContinueAsNew;
}

function errorMessage(err: unknown): string {
  let e: unknown = err;
  // Unwrap ActivityFailure / ChildWorkflowFailure to the root cause.
  while (e instanceof Error && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(err);
}
