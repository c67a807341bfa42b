// Public record types of the store API (camelCase; the database columns are snake_case, see schema.ts).

import type { State } from '../core/states.js';

/** A failure kind (payload, infrastructure, out_of_memory, timeout, cancelled) or an error class's name. */
export type ErrorClassName = string;
import type { JobKind } from '../core/workflow/model.js';

export type { LabelCount } from '../core/report/types.js';

/** A timestamp as accepted by the store; stored and returned as an ISO-8601 UTC string. */
export type TimeInput = Date | string | number;

export interface RunRecord {
  /** = uniqProcName. */
  runId: string;
  workflowId: string;
  /** Run (output collection) name, the RUN column of the run list. */
  name: string;
  payloadName: string;
  operator: string;
  project: string;
  campaign: string;
  step: string;
  submitPath: string;
  /** The run's dataQuery ('' when it has none). */
  dataQuery: string;
  wms: string;
  computeSite: string;
  state: State;
  quanta: number;
  jobs: number;
  createdAt: string;
  updatedAt: string;
  message: string;
  restartCount: number;
}

/** Fields that may change after a run exists. */
export type RunFields = Partial<Omit<RunRecord, 'runId' | 'createdAt' | 'updatedAt'>> & { updatedAt?: TimeInput };

/**
 * What upsertRun accepts: a full RunRecord or only some fields. On insert, missing fields get defaults
 * ('' / 0, state UNREADY, timestamps now); on update only the given fields change and createdAt is kept.
 */
export type RunInput = { runId: string } & RunFields & { createdAt?: TimeInput };

export interface ListRunsOptions {
  limit: number;
  /** Only runs created at or after this time. */
  since?: TimeInput;
  computeSite?: string;
  campaign?: string;
}

export interface JobRecord {
  runId: string;
  name: string;
  seq: number;
  label: string;
  kind: JobKind;
  batch: number;
  quanta: number;
  state: State;
  attempts: number;
  maxAttempts: number;
  exitCode: number | null;
  signal: string | null;
  host: string | null;
  startedAt: string | null;
  endedAt: string | null;
  peakRssMb: number | null;
  memoryMb: number | null;
  logPath: string | null;
  errorClass: ErrorClassName | null;
  errorSummary: string | null;
  errorLine: string | null;
  dataId: string | null;
  computeSite: string | null;
  parents: string[];
}

export interface InsertJobsResult {
  /** Jobs read from the input (inserted now or already present). */
  jobs: number;
  quanta: number;
  /** Distinct payload batch ids, ascending. */
  batches: number[];
}

export interface BatchJob {
  name: string;
  state: State;
  /** numberOfRetries + 1. */
  maxAttempts: number;
  /** Indices into BatchJobs.jobs of the parents inside this batch. */
  parents: number[];
  /** Some parent outside the batch is not SUCCEEDED. */
  blocked: boolean;
}

export interface BatchJobs {
  /** Parents come before their children. */
  jobs: BatchJob[];
}

export interface AttemptStart {
  host?: string | null;
  memoryMb?: number | null;
  logPath?: string | null;
  startedAt?: TimeInput;
  /** State of the job while this attempt runs; default RUNNING. */
  state?: State;
  /** When the attempt was queued (ready to run); the queue wait is startedAt - readyAt. */
  readyAt?: TimeInput | null;
}

export interface AttemptEnd {
  state: State;
  exitCode?: number | null;
  signal?: string | null;
  peakRssMb?: number | null;
  errorClass?: ErrorClassName | null;
  errorSummary?: string | null;
  /** The log line an error class matched. */
  errorLine?: string | null;
  endedAt?: TimeInput;
}

export interface AttemptRecord {
  runId: string;
  jobName: string;
  /** Attempt number over the job's whole life (continues across restarts). */
  attempt: number;
  state: State;
  host: string | null;
  memoryMb: number | null;
  logPath: string | null;
  startedAt: string | null;
  endedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  peakRssMb: number | null;
  errorClass: ErrorClassName | null;
  errorSummary: string | null;
  errorLine: string | null;
  readyAt: string | null;
  waitSeconds: number | null;
  wallSeconds: number | null;
}
