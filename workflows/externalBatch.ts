// externalBatchWorkflow: one job batch (or one job outside the batches: pipetaskInit, finalJob) run by an external
// workload system as one unit, whichever it is (the activities of activities/wms.ts dispatch by the run's WMS name):
// prepare + submit, then poll (a heartbeating activity that waits up to a minute per call) until the unit is done,
// continuing-as-new when Temporal suggests it. Cancel removes the unit from the WMS and records what ended.
import { CancellationScope, continueAsNew, isCancellation, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type * as wmsActivities from '../activities/wms.js';
import type { BatchResult } from '../core/run/types.js';
import { ctl } from './activityProxies.js';

export interface ExternalBatchInput {
  runId: string;
  batch: number;
  submitPath: string;
  /** The run's workload system (a registry name); absent in inputs of older runs (the activities read the run's config). */
  wms?: string;
  pollSeconds: number;
  /** A job unit instead of a batch (batch is then -1); `final` marks the run's final job. */
  job?: string;
  final?: boolean;
  /** Set once submitted; carried across continue-as-new. */
  wmsId?: string;
}

// Bounded retries: a WMS that keeps refusing a submit (or stops answering polls for about 15 minutes) fails the
// batch with its message; bad input (a missing saved config or file) is not retried at all.
const wmsCalls = proxyActivities<typeof wmsActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['BadInputError'] },
});

const wmsPoll = proxyActivities<typeof wmsActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', maximumInterval: '1 minute', maximumAttempts: 20, nonRetryableErrorTypes: ['BadInputError'] },
});

export async function externalBatchWorkflow(input: ExternalBatchInput): Promise<BatchResult> {
  const ref = { runId: input.runId, batch: input.batch, submitPath: input.submitPath, job: input.job, final: input.final, wms: input.wms };
  let wmsId = input.wmsId;
  try {
    if (!wmsId) {
      await wmsCalls.prepareBatch(ref);
      wmsId = await wmsCalls.submitBatch(ref);
    }
    for (;;) {
      const st = await wmsPoll.pollBatch({ ...ref, wmsId, pollSeconds: input.pollSeconds, maxSeconds: 60 });
      if (st.done) break;
      if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof externalBatchWorkflow>({ ...input, wmsId });
      await sleep(Math.max(1, Math.min(input.pollSeconds, 60)) * 1000);
    }
  } catch (err) {
    if (isCancellation(err) && wmsId) {
      const id = wmsId;
      await CancellationScope.nonCancellable(() => wmsCalls.cancelBatch({ ...ref, wmsId: id }));
    }
    throw err;
  }
  if (input.job) return ctl.finishJob({ runId: input.runId, name: input.job });
  return ctl.finishBatch({ runId: input.runId, batch: input.batch, failed: [] });
}
