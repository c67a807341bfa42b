// Input shapes of the report formatters. Plain data, no database: the store and the dashboard fill them.

import type { State } from '../states.js';

/** Job counts of one label, as `tbps report` prints them (one row per label). */
export interface LabelCount {
  label: string;
  /** Every state is present (0 when no job is in it). */
  counts: Record<State, number>;
  /** Number of jobs the run was planned with for this label. */
  expected: number;
}

/** One line of the run list (`X STATE %S ID OPERATOR PROJECT CAMPAIGN PAYLOAD RUN`). */
export interface RunListRow {
  /** ID column. */
  runId: string;
  state: State;
  operator: string;
  project: string;
  campaign: string;
  /** PAYLOAD column. */
  payloadName: string;
  /** RUN column (output run name). */
  name: string;
  /** Total number of jobs of the run (0 = unknown). */
  jobs: number;
  /** Job counts by state; drives the X flag and %S. Missing states count 0. */
  counts?: Partial<Record<State, number>>;
}

/** What formatRunSummary prints; a store RunRecord fits. */
export interface RunSummaryInput extends RunListRow {
  workflowId?: string;
  step?: string;
  submitPath?: string;
  wms?: string;
  computeSite?: string;
  quanta?: number;
  createdAt?: string;
  updatedAt?: string;
  message?: string;
  restartCount?: number;
  /** "waiting for <wms>: <error>, retry N" while the run's workload system does not answer. */
  waiting?: string;
}
