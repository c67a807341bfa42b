// The one contract every workload system implements, and what a registry entry (wms/index.ts) holds.
// `local` runs a batch as Temporal activities on executor workers (jobBatchWorkflow drives it job by job) and has
// no external methods. An external system (HTCondor, Slurm, PanDA) takes a batch as one unit (DAG, dependent jobs,
// task) and implements every method of WorkloadSystem; activities/wms.ts builds it from the run's saved config
// through its plugin's `create` and calls it. Nothing outside wms/ names a workload system.
import type { BpsConfig } from '../core/config/index.js';
import type { BatchJobs } from '../core/run/types.js';
import type { State } from '../core/states.js';
import type { JobSpec } from '../core/workflow/model.js';

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

/** Whether a workload system answers (its controller, pool or scheduler), with what it said. */
export interface PingResult {
  ok: boolean;
  /** One line: what answered (e.g. "slurmctld on localhost is UP") or the error. */
  detail: string;
}

/** The contract of an external workload system: every method is required. */
export interface WorkloadSystem {
  readonly name: string;
  /** Writes the unit's WMS files (DAG, submit descriptions, scripts) into the submit directory. Repeatable. */
  prepare(unit: BatchRef): Promise<void>;
  /** Submits the prepared unit; returns the WMS's id for it. A repeat after success returns the same id. */
  submit(unit: BatchRef): Promise<string>;
  /**
   * Status of a submitted unit at a bounded cost (only what changed since the last poll, only the unit's own ids);
   * records every attempt (host, times, exit, memory, error class) in the store as a side effect, idempotently.
   */
  poll(unit: BatchRef, wmsId: string): Promise<BatchStatus>;
  /** Removes the unit's jobs from the WMS; the next polls record what ended as DELETED. */
  cancel(unit: BatchRef, wmsId: string): Promise<void>;
  /** Resubmits only what did not succeed; returns the new id. */
  restart(unit: BatchRef, wmsId: string): Promise<string>;
  /** Whether the system answers at all (no unit needed). */
  ping(): Promise<PingResult>;
}

/** An attempt's start as a workload system records it (times as ISO strings). */
export interface WmsAttemptStart {
  host?: string | null;
  memoryMb?: number | null;
  logPath?: string | null;
  startedAt?: string;
  readyAt?: string;
  state?: State;
}

/** How an attempt ended. */
export interface WmsAttemptEnd {
  state: State;
  exitCode?: number | null;
  signal?: string | null;
  peakRssMb?: number | null;
  errorClass?: string | null;
  errorSummary?: string | null;
  errorLine?: string | null;
  endedAt?: string;
}

/** What a workload system may use of the store (structurally the Store class of store/; wms/ imports only core/). */
export interface WmsStore {
  loadBatch(runId: string, batch: number): Promise<BatchJobs>;
  getJobSpec(runId: string, name: string): Promise<JobSpec>;
  getJob(runId: string, name: string): Promise<{ state: State; maxAttempts: number } | undefined>;
  setJobStates(runId: string, names: readonly string[], state: State, from?: readonly State[]): Promise<number>;
  recordAttemptStart(runId: string, name: string, attempt: number, s: WmsAttemptStart): Promise<void>;
  recordAttemptEnd(runId: string, name: string, attempt: number, e: WmsAttemptEnd): Promise<void>;
  pruneBlocked(runId: string, batch?: number): Promise<number>;
  batchCounts(runId: string, batch: number): Promise<Record<State, number>>;
}

/** What a plugin builds its workload system from (given by activities/wms.ts). */
export interface WmsContext {
  /** The run's saved config (plugin settings such as command prefixes are read from it). */
  config: BpsConfig;
  store: WmsStore;
  /** Environment every job starts from (e.g. PATH with the LSST stack's bin/ first); the job's own goes on top. */
  baseEnvironment: Record<string, string>;
  /** The worker's environment (settings such as TBPS_HTCONDOR_PREFIX / TBPS_SLURM_PREFIX when the config is empty). */
  env: Record<string, string | undefined>;
}

/** A registry entry: how a workload system runs batches and, when external, how to build it. */
export type WmsPlugin =
  | {
      readonly name: string;
      /** Each job is a Temporal activity on the site's queue (tbps-site-<computeSite>). */
      readonly mode: 'activities';
    }
  | {
      readonly name: string;
      /** The WMS runs a batch as one unit, polled by externalBatchWorkflow. */
      readonly mode: 'external';
      /** Seconds between polls when the config sets neither wmsPollSeconds nor its alias. */
      readonly defaultPollSeconds: number;
      create(context: WmsContext): WorkloadSystem;
      /**
       * Whether the environment names this system's settings (its command prefix, its cluster config): `tbps ping`
       * without --wms checks the systems configured so.
       */
      configuredIn(env: Record<string, string | undefined>): boolean;
      /** A workload system built from the worker's environment alone, for a health check without a run. */
      forPing(env: Record<string, string | undefined>): Pick<WorkloadSystem, 'ping'>;
      /**
       * `tbps prepare`: writes the files of every unit of the run (e.g. a DAG and submit files per unit) so they can
       * be inspected before submit; returns their directories relative to the submit directory. A system without it
       * writes its files when a unit is submitted.
       */
      prepareRun?(config: BpsConfig, request: WmsPrepareRequest): Promise<string[]>;
      /** Starts one pilot (an executor worker as a batch job of this system); returns the WMS's id for it. */
      submitPilot?(request: PilotRequest): Promise<string>;
      /** Removes pilots by their WMS ids (their executors get SIGTERM and hand their jobs back). */
      cancelPilot?(wmsIds: readonly string[], env: Record<string, string | undefined>): Promise<void>;
      /** The WMS's view of the given pilots, by WMS id; an id the system no longer knows is absent. */
      listPilots?(wmsIds: readonly string[], env: Record<string, string | undefined>): Promise<Map<string, PilotWmsState>>;
    };

export type ExternalWmsPlugin = Extract<WmsPlugin, { mode: 'external' }>;

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

/** What `tbps pilot submit` asks a workload system to start: one executor worker as a batch job. */
export interface PilotRequest {
  /** tbps's id of the pilot (also the job's name suffix). */
  pilotId: string;
  site: string;
  walltimeSeconds: number;
  cpus: number;
  memoryMb: number;
  /** Directory for the pilot's script and logs (under the data directory). */
  workDir: string;
  /** The command the job runs (node bin/tbps-worker.js executor SITE). */
  argv: string[];
  /** The pilot's environment (Temporal address, store, data dir, venv, pilot settings). */
  environment: Record<string, string>;
  /** The submitting process's environment (the WMS command prefix settings). */
  env: Record<string, string | undefined>;
}

/** A pilot as the workload system sees it. */
export interface PilotWmsState {
  state: 'PENDING' | 'RUNNING' | 'ENDED' | 'CANCELLED' | 'FAILED';
  host?: string;
  /** What the WMS said (its own state name, a reason). */
  detail: string;
}
