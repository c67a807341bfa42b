// campaignWorkflow (id campaign/<name>): runs the steps of a campaign in order; each step is split into groups and
// each group is a child runWorkflow (id run/<campaign>_<step>_g<k>), at most `concurrency` in flight. Signals
// pause/resume (paused: running groups finish, nothing new starts); updates (validated, acknowledged, recorded with
// operator and time) edit a step not yet started, accept/reject a finished step or group, retry the failed groups
// of a step (restart: only failed jobs), skip a group; query `status` (compact: per-group detail is in the store).
// Auto-pauses when a step ends with more failed groups than its policy allows; a gated step waits for accept.
// Continues-as-new when the history is long: at step boundaries, and (patch MID_STEP_CONTINUE_AS_NEW) inside a step,
// where group runs go on across the boundary and report their ends by the groupRunEnded signal, so a step of
// thousands of groups stays within Temporal's history limits.
//
// This function only wires the CampaignManager (workflows/campaignManager.ts: state, handlers, step loop) to
// Temporal's messages and performs the continue-as-new it asks for.
import { allHandlersFinished, condition, continueAsNew, patched, setHandler } from '@temporalio/workflow';
import type { CampaignInput, CampaignStatus } from '../core/campaign/index.js';
import {
  acceptUpdate,
  campaignStatusQuery,
  editStepUpdate,
  groupRunEndedSignal,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
  skipUpdate,
} from './campaignDefinitions.js';
import { CampaignManager } from './campaignManager.js';

export * from './campaignDefinitions.js';

/**
 * Patch id of continue-as-new inside a step (with compact state and group configs by path). Executions recorded
 * before it continue-as-new only at step boundaries, as they did when they ran.
 */
export const MID_STEP_CONTINUE_AS_NEW = 'campaign-mid-step-continue-as-new';

/** Patch id: group runs start with the campaign's priority as Temporal task priority (inherited by their activities). */
export const CAMPAIGN_TASK_PRIORITY = 'campaign-task-priority';

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignStatus> {
  const manager = new CampaignManager(input, { continueMidStep: patched(MID_STEP_CONTINUE_AS_NEW), taskPriority: patched(CAMPAIGN_TASK_PRIORITY) });

  setHandler(campaignStatusQuery, () => manager.status());
  setHandler(pauseSignal, (a) => manager.pause(a));
  setHandler(resumeSignal, (a) => manager.resume(a));
  setHandler(groupRunEndedSignal, (summary) => manager.groupRunEnded(summary));
  setHandler(editStepUpdate, (a) => manager.editStep(a), { validator: (a) => manager.validateEdit(a) });
  setHandler(acceptUpdate, (a) => manager.accept(a), { validator: (a) => manager.validateDecision(a) });
  setHandler(rejectUpdate, (a) => manager.reject(a), { validator: (a) => manager.validateDecision(a) });
  setHandler(retryUpdate, (a) => manager.retry(a), { validator: (a) => manager.validateRetry(a) });
  setHandler(skipUpdate, (a) => manager.skip(a), { validator: (a) => manager.validateSkip(a) });

  const outcome = await manager.run();
  if (outcome.continueWith) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof campaignWorkflow>(outcome.continueWith);
  }
  return outcome.status;
}
