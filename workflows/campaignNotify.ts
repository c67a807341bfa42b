// A campaign group's run tells its campaign that it ended: the groupRunEnded signal with the run's summary, sent to
// the campaign's workflow id (so to its current execution, also after the campaign continued-as-new while the run
// ran). A campaign that no longer runs (cancelled, terminated) is not an error of the run.
import { CancellationScope, getExternalWorkflowHandle, log } from '@temporalio/workflow';
import type { RunSummary } from '../core/run/types.js';
import { groupRunEndedSignal } from './campaignDefinitions.js';

export async function notifyCampaign(campaignWorkflowId: string, summary: RunSummary): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    try {
      await getExternalWorkflowHandle(campaignWorkflowId).signal(groupRunEndedSignal, summary);
    } catch (err) {
      log.warn(`could not tell campaign ${campaignWorkflowId} that run ${summary.runId} ended: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}
