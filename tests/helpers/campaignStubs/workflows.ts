// Workflow bundle of the CampaignManager tests (tests/integration/campaign.manager.test.ts): the real
// campaignWorkflow and, in place of the real run workflow, a stub `runWorkflow` (same name, so the campaign starts
// it as its child) whose outcome the test decides through the in-process stub activity `stubGroupOutcome`; like
// the real one it signals its summary to the campaign when it ends.
import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { RunInput, RunSummary } from '../../../core/run/types.js';
import { notifyCampaign } from '../../../workflows/campaignNotify.js';
import type { StubActivities } from './activities.js';

export { campaignWorkflow } from '../../../workflows/campaign.js';

const stub = proxyActivities<StubActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });

/** A group's run, reduced to what the campaign sees of it: a summary with a state, counts and a message. */
export async function runWorkflow(input: RunInput): Promise<RunSummary> {
  const jobs = 3;
  let summary: RunSummary;
  try {
    const outcome = await stub.stubGroupOutcome({ runId: input.runId, restart: input.restart === true });
    const succeeded = outcome.state === 'SUCCEEDED' ? jobs : 1;
    summary = { runId: input.runId, state: outcome.state, counts: { SUCCEEDED: succeeded, FAILED: jobs - succeeded }, jobs, quanta: jobs, message: outcome.message };
  } catch (err) {
    // Cancelled (the campaign was): ends DELETED, as the real run workflow does after its graceful cancel.
    if (!isCancellation(err)) throw err;
    summary = { runId: input.runId, state: 'DELETED', counts: { DELETED: jobs }, jobs, quanta: jobs, message: 'cancelled' };
  }
  // As the real run workflow does: tell the campaign (whichever execution is current) that the run ended.
  if (input.campaignWorkflowId) await notifyCampaign(input.campaignWorkflowId, summary);
  return summary;
}
