// The one interface every workload system implements for a job batch (a bounded sub-DAG of the generic workflow).
// `local` runs the batch as Temporal activities on executor workers (jobBatchWorkflow drives it job by job);
// external systems (HTCondor, Slurm, PanDA) take the batch as one unit (DAG, dependent jobs, task) and are polled.
import type { State } from '../core/states.js';

/**
 * A unit an external WMS runs: a job batch, or (with `job`) one job outside the batches (pipetaskInit, finalJob),
 * which `final` marks as the run's final job (HTCondor: a FINAL node).
 */
export interface BatchRef {
  runId: string;
  batch: number;
  submitPath: string;
  job?: string;
  final?: boolean;
}

export interface BatchStatus {
  /** Counts of the batch's jobs by BPS state. */
  counts: Partial<Record<State, number>>;
  done: boolean;
}

export interface WorkloadSystem {
  readonly name: string;
  /** 'activities': each job is a Temporal activity on the site's queue; 'external': the WMS runs the batch. */
  readonly mode: 'activities' | 'external';
  /** Writes WMS-specific files for the batch (DAG, submit descriptions, scripts) into the submit directory. */
  prepare?(batch: BatchRef): Promise<void>;
  /** Submits the prepared batch; returns the WMS's id for it. */
  submit?(batch: BatchRef): Promise<string>;
  /** Bounded-cost status of a submitted batch (records job attempts in the store as a side effect). */
  poll?(batch: BatchRef, wmsId: string): Promise<BatchStatus>;
  cancel?(batch: BatchRef, wmsId: string): Promise<void>;
  /** Resubmits only what did not succeed (e.g. a rescue DAG). */
  restart?(batch: BatchRef, wmsId: string): Promise<string>;
}

/** What `tbps prepare` gives a workload system to write its files for a whole run (before anything runs). */
export interface WmsPrepareRequest {
  runId: string;
  submitPath: string;
  /** The generic workflow (generic_workflow/jobs.jsonl). */
  jobsFile: string;
  /** Number of job batches of the plan (ids 0..batches-1). */
  batches: number;
  initJob?: string;
  finalJob?: string;
  /** sha256 of the saved config the files are made from (a submit of that config uses them unchanged). */
  configSha256: string;
  /** Environment jobs on the pool start from (PATH with the LSST stack first). */
  baseEnvironment: Record<string, string>;
  /** The process environment (fallbacks of WMS settings). */
  env: Record<string, string | undefined>;
}
