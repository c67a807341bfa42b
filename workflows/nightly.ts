// nightlyWorkflow: started by a Temporal Schedule (or a trigger/backfill of it). Picks the night from the
// schedule's scheduled time (search attribute TemporalScheduledStartTime; the start time when run by hand), asks
// the template (its data nights, or the butler repository: the night's exposures its outputs do not cover yet,
// split into groups) what to run, and starts the night's campaign (campaign/<template>_<dayObs>) as an
// abandoned child so the schedule's overlap policy is not held by a long campaign. A night without data ends
// quietly with a note.
import { ParentClosePolicy, log, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type * as campaignActivities from '../activities/campaign.js';
import { campaignWorkflowId, nightWindow, type NightWindow } from '../core/campaign/index.js';
import { orchestratorQueue } from '../core/run/queues.js';
import { BpsCampaign, BpsOperator, BpsRunState } from './searchKeys.js';
import { campaignWorkflow } from './campaign.js';

const acts = proxyActivities<typeof campaignActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: ['BadInputError'] },
});

const ScheduledStart = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface NightlyInput {
  /** Campaign template (a campaign spec YAML, absolute path). */
  templateFile: string;
  cwd: string;
  taskQueuePrefix: string;
  operator: string;
  /** Hours the night boundary is shifted from 00:00 UTC (Rubin dayObs: 12). */
  offsetHours?: number;
  /** Explicit night (YYYY-MM-DD) instead of the scheduled time. */
  night?: string;
}

export interface NightlyResult {
  window: NightWindow;
  campaign?: string;
  note: string;
}

export async function nightlyWorkflow(input: NightlyInput): Promise<NightlyResult> {
  const info = workflowInfo();
  const offset = input.offsetHours ?? 12;
  let window: NightWindow;
  if (input.night) {
    const midnight = Date.parse(`${input.night}T00:00:00Z`);
    // A bad night fails the workflow at once (retrying a workflow task cannot fix its input).
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.night) || Number.isNaN(midnight))
      throw ApplicationFailure.nonRetryable(`night '${input.night}' is not a date; expected YYYY-MM-DD`, 'BadInputError');
    window = nightWindow(new Date(midnight + (24 + offset) * 3600_000), offset);
  }
  else window = nightWindow(info.typedSearchAttributes.get(ScheduledStart) ?? info.startTime, offset);
  const plan = await acts.nightlyPlan({ templateFile: input.templateFile, window, cwd: input.cwd, operator: input.operator });
  if (!plan.spec) {
    log.info(plan.note);
    return { window, note: plan.note };
  }
  const id = campaignWorkflowId(plan.spec.name);
  try {
    await startChild(campaignWorkflow, {
      workflowId: id,
      taskQueue: orchestratorQueue(input.taskQueuePrefix),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE', // one campaign per night, also when a night is backfilled again
      args: [{ spec: plan.spec, specFile: input.templateFile, cwd: input.cwd, taskQueuePrefix: input.taskQueuePrefix, operator: input.operator }],
      typedSearchAttributes: [
        { key: BpsCampaign, value: plan.spec.name },
        { key: BpsOperator, value: input.operator },
        { key: BpsRunState, value: 'RUNNING' },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { window, campaign: id, note: `campaign ${id} was already started` };
    throw err;
  }
  return { window, campaign: id, note: `${plan.note}; started ${id}` };
}
