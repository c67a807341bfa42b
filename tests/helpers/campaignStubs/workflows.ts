// Workflow bundle of the CampaignManager tests (tests/integration/campaign.manager.test.ts): the real
// campaignWorkflow and, in place of the real run workflow, a stub `runWorkflow` (same name, so the campaign starts
// it as its child) whose outcome the test decides through the in-process stub activity `stubGroupOutcome`.
import { proxyActivities } from '@temporalio/workflow';
import type { RunInput, RunSummary } from '../../../core/run/types.js';
import type { StubActivities } from './activities.js';

export { campaignWorkflow } from '../../../workflows/campaign.js';

const stub = proxyActivities<StubActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });

/** A group's run, reduced to what the campaign sees of it: a summary with a state, counts and a message. */
export async function runWorkflow(input: RunInput): Promise<RunSummary> {
  const outcome = await stub.stubGroupOutcome({ runId: input.runId, restart: input.restart === true });
  const jobs = 3;
  const succeeded = outcome.state === 'SUCCEEDED' ? jobs : 1;
  return {
    runId: input.runId,
    state: outcome.state,
    counts: { SUCCEEDED: succeeded, FAILED: jobs - succeeded },
    jobs,
    quanta: jobs,
    message: outcome.message,
  };
}
