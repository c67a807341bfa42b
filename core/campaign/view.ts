// The operator's view of a campaign: the workflow's compact status (state.ts) joined with each group's detail
// from the store (its run's data query, submit directory, compute site, job counts and message). Pure: the
// services (client/services/campaigns.ts) fetch both and join them here, so the CLI, the dashboard and the JSON API
// show the same thing.
import { groupRunId } from './spec.js';
import type { CampaignStatus, GroupCounts, GroupState, StepState } from './state.js';

/** What the store knows about one run of a campaign. */
export interface CampaignRunDetail {
  runId: string;
  submitPath: string;
  dataQuery: string;
  computeSite: string;
  message: string;
  /** Jobs by state (SUCCEEDED, FAILED, PRUNED, ...). */
  jobStates: Record<string, number>;
}

export interface GroupView extends GroupState {
  runId: string;
  /** Compute site of the group's run (empty before its run is recorded). */
  computeSite?: string;
}

export interface StepView extends Omit<StepState, 'groups'> {
  groups: GroupView[];
}

export interface CampaignView extends Omit<CampaignStatus, 'steps'> {
  steps: StepView[];
}

const FAILED: GroupState['status'][] = ['FAILED', 'DELETED'];

function countsOf(jobStates: Record<string, number>): GroupCounts {
  const jobs = Object.values(jobStates).reduce((a, c) => a + c, 0);
  return { succeeded: jobStates.SUCCEEDED ?? 0, failed: jobStates.FAILED ?? 0, pruned: jobStates.PRUNED ?? 0, jobs };
}

/** One group with its run's detail; what the workflow state still holds (older campaigns) fills the gaps. */
export function groupView(campaign: string, step: string, group: GroupState, run: CampaignRunDetail | undefined): GroupView {
  const view: GroupView = { ...group, runId: group.runId ?? groupRunId(campaign, step, group.id) };
  if (!run) return view;
  if (run.dataQuery) view.dataQuery = run.dataQuery;
  if (run.submitPath) view.submitPath = run.submitPath;
  if (run.computeSite) view.computeSite = run.computeSite;
  if (Object.keys(run.jobStates).length > 0) view.counts = countsOf(run.jobStates);
  if (!view.message && run.message && FAILED.includes(group.status)) view.message = run.message;
  return view;
}

/** The whole campaign with per-group detail; `runs` by run id (runs not in the store yet are simply absent). */
export function campaignView(status: CampaignStatus, runs: ReadonlyMap<string, CampaignRunDetail>): CampaignView {
  return {
    ...status,
    steps: status.steps.map((step) => ({
      ...step,
      groups: step.groups.map((g) => groupView(status.name, step.name, g, runs.get(g.runId ?? groupRunId(status.name, step.name, g.id)))),
    })),
  };
}
