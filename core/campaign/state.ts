// What the campaign workflow keeps (small: names, states, counts) and reports through its `status` query.
import type { CampaignSpec } from './spec.js';

export type GroupStatus = 'pending' | 'starting' | 'running' | 'SUCCEEDED' | 'FAILED' | 'DELETED' | 'skipped';
export type StepStatus = 'pending' | 'running' | 'awaiting-accept' | 'done' | 'accepted' | 'rejected';
export type CampaignPhase = 'running' | 'paused' | 'awaiting-accept' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface GroupState {
  id: string;
  runId: string;
  status: GroupStatus;
  /** Data query the group ran with (for show). */
  dataQuery?: string;
  submitPath?: string;
  /** Executions of the run workflow (1 = first run, 2+ = retries with restart). */
  executions: number;
  /** A retry was requested: the next start is a restart (only failed jobs). */
  retry?: boolean;
  decision?: 'accepted' | 'rejected';
  counts?: { succeeded: number; failed: number; pruned: number; jobs: number };
  message?: string;
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
  /** Also continue-as-new at a step boundary once the history has more events than this (default: when Temporal suggests it). */
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
