// What the campaign workflow keeps and reports through its `status` query: compact, a few dozen bytes per group
// (id, status, executions, decision; a message only when it failed), so that a step of thousands of groups fits
// a continue-as-new input and a query answer. Per-group detail (run, data query, submit directory, job counts)
// lives in the store; client/services/campaigns.ts joins it in (view.ts).
import type { CampaignSpec } from './spec.js';

export type GroupStatus = 'pending' | 'starting' | 'running' | 'SUCCEEDED' | 'FAILED' | 'DELETED' | 'skipped';
export type StepStatus = 'pending' | 'running' | 'awaiting-accept' | 'done' | 'accepted' | 'rejected';
export type CampaignPhase = 'running' | 'paused' | 'awaiting-accept' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface GroupCounts {
  succeeded: number;
  failed: number;
  pruned: number;
  jobs: number;
}

export interface GroupState {
  id: string;
  status: GroupStatus;
  /** Executions of the run workflow (1 = first run, 2+ = retries with restart). */
  executions: number;
  /** A retry was requested: the next start is a restart (only failed jobs). */
  retry?: boolean;
  decision?: 'accepted' | 'rejected';
  /** Why the group failed (at most MAX_GROUP_MESSAGE characters); absent while it runs or once it succeeded. */
  message?: string;
  /** Run name (uniqProcName). Kept only by campaigns started before the compact state: groupRunId() names it. */
  runId?: string;
  /** Kept only by campaigns started before the compact state (now in the store). */
  dataQuery?: string;
  /** Kept only by campaigns started before the compact state (now in the store). */
  submitPath?: string;
  /** Kept only by campaigns started before the compact state (now from the store's jobs). */
  counts?: GroupCounts;
}

/** Longest failure message a group keeps in the workflow state (the run's full message is in the store). */
export const MAX_GROUP_MESSAGE = 300;

/** Operator actions carried into the next execution (older ones stay in the earlier executions' histories). */
export const MAX_ACTIONS_KEPT = 500;

/** A failure message cut to MAX_GROUP_MESSAGE characters. */
export function shortMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  return message.length > MAX_GROUP_MESSAGE ? `${message.slice(0, MAX_GROUP_MESSAGE - 1)}…` : message;
}

/**
 * The state handed to the next execution at continue-as-new: compact groups (without the fields older campaigns
 * kept and the store now holds) and the latest `maxActions` operator actions.
 */
export function continuedState(state: CampaignState, maxActions: number): CampaignState {
  return {
    ...state,
    steps: state.steps.map((s) => ({
      ...s,
      groups: s.groups.map(({ id, status, executions, retry, decision, message }) => ({
        id,
        status,
        executions,
        ...(retry ? { retry } : {}),
        ...(decision ? { decision } : {}),
        ...(message ? { message: shortMessage(message) } : {}),
      })),
    })),
    actions: state.actions.slice(-maxActions),
  };
}

export interface StepState {
  name: string;
  status: StepStatus;
  groups: GroupState[];
  edited?: boolean;
  decision?: 'accepted' | 'rejected';
  /** Auto-pause already applied for the current failures (reset by a retry). */
  failureHandled?: boolean;
  startedAt?: string;
  endedAt?: string;
}

export interface ActionRecord {
  action: string;
  operator: string;
  at: string;
  step?: string;
  groups?: string[];
  detail?: string;
}

export interface CampaignState {
  phase: CampaignPhase;
  paused: boolean;
  pauseReason?: string;
  current: number;
  steps: StepState[];
  actions: ActionRecord[];
  startedAt: string;
  endedAt?: string;
}

export interface CampaignInput {
  spec: CampaignSpec;
  /** Campaign file as the operator named it (messages). */
  specFile?: string;
  /** Directory relative paths and ${PWD} in the base config refer to (the starting client's working directory). */
  cwd: string;
  taskQueuePrefix: string;
  operator: string;
  /** Carried across continue-as-new. */
  state?: CampaignState;
  /**
   * Also continue-as-new once the history has more events than this (default: only when Temporal suggests it): at
   * a step boundary, and mid-step after the groups in flight have ended.
   */
  continueAsNewAfterEvents?: number;
}

export interface CampaignStatus extends CampaignState {
  name: string;
  operator: string;
  spec: CampaignSpec;
}

/** Groups that count as failed for the failure policy (failed, cancelled or rejected, and not accepted or skipped). */
export function failedGroups(step: StepState): GroupState[] {
  return step.groups.filter((g) => g.decision !== 'accepted' && (g.status === 'FAILED' || g.status === 'DELETED' || g.decision === 'rejected'));
}

export interface GroupAction {
  operator: string;
  step: string;
  groups?: string[];
  note?: string;
}

export interface EditAction {
  operator: string;
  step: string;
  patch: Record<string, unknown>;
}

export interface OperatorAction {
  operator: string;
  reason?: string;
}
