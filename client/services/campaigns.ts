// Campaigns: the list (running first, then those ended within a window), one campaign's status (the workflow's
// compact `status` joined with each group's run detail from the store: core/campaign/view.ts) with job counts and
// an ETA, and the operator actions (pause, resume, edit, accept, reject,
// retry, skip, cancel) through the typed signals, query and updates of workflows/campaignDefinitions.ts, so every
// action is recorded with its operator in the workflow's history.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { campaignView, campaignWorkflowId, type ActionRecord, type CampaignStatus, type CampaignView, type EditAction, type GroupAction, type OperatorAction } from '../../core/campaign/index.js';
import { estimateProgress, type ProgressEstimate } from '../../core/report/index.js';
import { historyEtaSeconds } from '../../core/estimate/cost.js';
import { costHistory } from './costHistory.js';
import { zeroCounts, type State } from '../../core/states.js';
import { BpsOperator, BpsRunState, BpsStep } from '../../workflows/searchKeys.js';
import {
  acceptUpdate,
  campaignStatusQuery,
  editStepUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
  skipUpdate,
} from '../../workflows/campaignDefinitions.js';
import type { ServiceContext } from './context.js';
import { badFilter, notFound, refused } from './errors.js';

export interface CampaignListItem {
  name: string;
  /** Temporal execution status: RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, ... */
  status: string;
  /** The campaign's phase as it last reported it (search attribute BpsRunState). */
  state: string;
  step: string;
  operator: string;
  started: string;
  closed?: string;
}

export interface CampaignListQuery {
  /** Ended campaigns are shown when they closed within this many days (default 7; 0 = all). */
  endedWithinDays?: number;
  limit?: number;
}

const DAY_MS = 86_400_000;

export async function listCampaigns(ctx: ServiceContext, q: CampaignListQuery = {}): Promise<CampaignListItem[]> {
  const days = q.endedWithinDays ?? 7;
  if (!Number.isFinite(days) || days < 0) throw badFilter('--days', `expected a number of days >= 0, got ${q.endedWithinDays}`);
  const { client } = await ctx.temporal();
  const since = days > 0 ? new Date(Date.now() - days * DAY_MS).toISOString() : undefined;
  const query = `WorkflowType = 'campaignWorkflow'${since ? ` AND (ExecutionStatus = 'Running' OR CloseTime >= '${since}')` : ''}`;
  const rows: CampaignListItem[] = [];
  for await (const wf of client.workflow.list({ query })) {
    const sa = wf.typedSearchAttributes;
    rows.push({
      name: wf.workflowId.replace(/^campaign\//, ''),
      status: wf.status.name,
      state: String(sa.get(BpsRunState) ?? wf.status.name),
      step: String(sa.get(BpsStep) ?? ''),
      operator: String(sa.get(BpsOperator) ?? ''),
      started: wf.startTime.toISOString(),
      closed: wf.closeTime?.toISOString(),
    });
  }
  // One row per campaign name (a name reused after an earlier run ended: the newest execution).
  const newest = new Map<string, CampaignListItem>();
  for (const r of rows) if (!newest.has(r.name) || newest.get(r.name)!.started < r.started) newest.set(r.name, r);
  return [...newest.values()]
    .sort((a, b) => Number(b.status === 'RUNNING') - Number(a.status === 'RUNNING') || b.started.localeCompare(a.started))
    .slice(0, q.limit ?? 100);
}

async function handleOf(ctx: ServiceContext, name: string): Promise<WorkflowHandle> {
  const { client } = await ctx.temporal();
  return client.workflow.getHandle(campaignWorkflowId(name));
}

/**
 * The campaign's status (the `status` query while running, its result once completed) with each group's run detail
 * from the store (data query, submit directory, site, job counts, message), and whether it runs.
 */
export async function campaignStatus(ctx: ServiceContext, name: string): Promise<{ status: CampaignView; running: boolean }> {
  const { status, running } = await workflowStatus(ctx, name);
  return { status: campaignView(status, await ctx.store.campaignRunDetails(status.name)), running };
}

/** The workflow's own compact status and whether it runs (no store). */
async function workflowStatus(ctx: ServiceContext, name: string): Promise<{ status: CampaignStatus; running: boolean }> {
  const handle = await handleOf(ctx, name);
  let desc;
  try {
    desc = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound('campaign', name, "'tbps campaign list' lists the campaigns");
    throw err;
  }
  const running = desc.status.name === 'RUNNING';
  if (!running && desc.status.name === 'COMPLETED') return { status: (await handle.result()) as CampaignStatus, running };
  return { status: await handle.query(campaignStatusQuery), running };
}

export interface CampaignDetail {
  status: CampaignView;
  running: boolean;
  /** Jobs of the campaign's runs in the store, by state. */
  jobCounts: Record<State, number>;
  /** Groups by status over all steps. */
  groupCounts: Record<string, number>;
  progress: ProgressEstimate;
  /** Runs of the campaign in the store. */
  runIds: string[];
}

/** The window of the completion rate behind the ETA. */
export const RATE_WINDOW_SECONDS = 600;

export async function campaignDetail(ctx: ServiceContext, name: string): Promise<CampaignDetail> {
  const { status, running } = await campaignStatus(ctx, name);
  const runIds = await ctx.store.campaignRunIds(name);
  const since = new Date(Date.now() - RATE_WINDOW_SECONDS * 1000).toISOString();
  const { counts, recentDone } = await ctx.store.runsStateCounts(runIds, since);
  const jobCounts = zeroCounts();
  for (const [k, v] of Object.entries(counts)) if (k in jobCounts) jobCounts[k as State] += v;
  const groupCounts: Record<string, number> = {};
  let groupsTotal = 0;
  for (const step of status.steps) {
    for (const g of step.groups) {
      groupCounts[g.status] = (groupCounts[g.status] ?? 0) + 1;
      groupsTotal++;
    }
  }
  // Steps not yet split have no groups listed: count them as one group each for the estimate.
  groupsTotal += status.steps.filter((s) => s.groups.length === 0).length;
  const knownJobs = Object.values(jobCounts).reduce((a, c) => a + c, 0);
  const doneJobs = jobCounts.SUCCEEDED + jobCounts.FAILED + jobCounts.PRUNED + jobCounts.DELETED;
  const progress = estimateProgress({
    doneJobs,
    knownJobs,
    groupsTotal,
    groupsStarted: runIds.length,
    recentDone,
    windowSeconds: RATE_WINDOW_SECONDS,
  });
  // With past runs of the campaign's labels, the ETA is the cost estimate's (core/estimate/cost.ts, as `tbps campaign
  // plan`): overhead per group not yet started plus the jobs left at their mean seconds over the parallelism reached.
  const fromHistory = await historyEta(ctx, runIds, {
    jobsLeft: Math.max(0, progress.estimatedJobs - doneJobs),
    groupsLeft: Math.max(0, groupsTotal - runIds.length),
  });
  if (fromHistory !== null) progress.etaSeconds = fromHistory;
  // A paused campaign (or one waiting at a gate) makes no progress until an operator acts: no ETA.
  if (status.paused || status.phase === 'awaiting-accept') progress.etaSeconds = null;
  return { status, running, jobCounts, groupCounts, progress, runIds };
}

/** Init and final jobs are overhead in the estimate, not payload. */
const NON_PAYLOAD_LABELS = new Set(['pipetaskInit', 'finalJob']);

async function historyEta(ctx: ServiceContext, runIds: string[], left: { jobsLeft: number; groupsLeft: number }): Promise<number | null> {
  if (runIds.length === 0) return null;
  const labels = (await ctx.store.labelStats(runIds)).filter((l) => !NON_PAYLOAD_LABELS.has(l.label));
  const history = await costHistory(ctx, labels.map((l) => l.label));
  const attempts = labels.reduce((a, l) => a + (l.wallMean === null ? 0 : l.attempts), 0);
  const meanJobSeconds = attempts > 0 ? labels.reduce((a, l) => a + l.wallTotal, 0) / attempts : null;
  return historyEtaSeconds({ ...left, meanJobSeconds, concurrency: 1, runs: history.runs });
}

async function runningHandle(ctx: ServiceContext, name: string): Promise<{ handle: WorkflowHandle; status: CampaignStatus }> {
  const { status, running } = await workflowStatus(ctx, name);
  if (!running) throw refused(`campaign '${name}' is not running (${status.phase.toLowerCase()})`);
  return { handle: await handleOf(ctx, name), status };
}

export async function pauseCampaign(ctx: ServiceContext, name: string, action: OperatorAction): Promise<void> {
  const { handle, status } = await runningHandle(ctx, name);
  if (status.paused) throw refused(`campaign '${name}' is already paused (${status.pauseReason ?? ''})`);
  await handle.signal(pauseSignal, action);
}

export async function resumeCampaign(ctx: ServiceContext, name: string, action: OperatorAction): Promise<void> {
  const { handle, status } = await runningHandle(ctx, name);
  if (!status.paused) throw refused(`campaign '${name}' is not paused (${status.phase}); nothing to resume`);
  await handle.signal(resumeSignal, action);
}

export async function cancelCampaign(ctx: ServiceContext, name: string): Promise<void> {
  const { handle } = await runningHandle(ctx, name);
  await handle.cancel();
}

const GROUP_UPDATES = { accept: acceptUpdate, reject: rejectUpdate, retry: retryUpdate, skip: skipUpdate } as const;
export type GroupVerb = keyof typeof GROUP_UPDATES;

async function runUpdate<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause instanceof Error ? err.cause.message : err.message;
      throw refused(`campaign '${name}': ${cause}`);
    }
    throw err;
  }
}

export async function groupAction(ctx: ServiceContext, name: string, verb: GroupVerb, arg: GroupAction): Promise<ActionRecord> {
  if (!(verb in GROUP_UPDATES)) throw badFilter('action', `unknown action '${verb}'; one of ${Object.keys(GROUP_UPDATES).join(', ')}`);
  const { handle } = await runningHandle(ctx, name);
  return runUpdate(name, () => handle.executeUpdate(GROUP_UPDATES[verb], { args: [arg] }));
}

export async function editStep(ctx: ServiceContext, name: string, arg: EditAction): Promise<ActionRecord> {
  const { handle } = await runningHandle(ctx, name);
  return runUpdate(name, () => handle.executeUpdate(editStepUpdate, { args: [arg] }));
}
