// The messages of campaignWorkflow (signals, query, updates), in a module of their own so clients (CLI, dashboard)
// import the typed definitions without the workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionRecord, CampaignStatus, EditAction, GroupAction, OperatorAction } from '../core/campaign/index.js';
import type { RunSummary } from '../core/run/types.js';

export const pauseSignal = defineSignal<[OperatorAction]>('pause');
export const resumeSignal = defineSignal<[OperatorAction]>('resume');
export const campaignStatusQuery = defineQuery<CampaignStatus>('status');
export const editStepUpdate = defineUpdate<ActionRecord, [EditAction]>('editStep');
export const acceptUpdate = defineUpdate<ActionRecord, [GroupAction]>('accept');
export const rejectUpdate = defineUpdate<ActionRecord, [GroupAction]>('reject');
export const retryUpdate = defineUpdate<ActionRecord, [GroupAction]>('retry');
export const skipUpdate = defineUpdate<ActionRecord, [GroupAction]>('skip');
/** Sent by a group's run workflow when it ends (its summary), to whichever execution of the campaign is current. */
export const groupRunEndedSignal = defineSignal<[RunSummary]>('groupRunEnded');
