// Inputs and outputs of the run-level Temporal workflows and activities. Only ids, paths and counts:
// graphs and job lists stay in the submit directory and the store.
import type { State } from '../states.js';
import type { BatchSpec, WhenRun } from '../workflow/model.js';

export interface SerializedConfig {
  tree: Record<string, unknown>;
  sources: Record<string, string>;
}

/** A run's saved config by reference (what travels through Temporal instead of the config): path and sha256. */
export interface ConfigRef {
  file: string;
  sha256: string;
}

/** How a run's config reaches its activities: by reference, or (runs started before references) inline. */
export type RunConfigArg = { configRef: ConfigRef; config?: undefined } | { config: SerializedConfig; configRef?: undefined };

export interface RunInput {
  /** uniqProcName: outputRun with '/' replaced by '_'. */
  runId: string;
  submitPath: string;
  /** The saved config in the submit directory, by path and hash (written before the workflow starts). */
  configRef?: ConfigRef;
  /** The whole config inline: only in inputs of runs started before configRef (kept readable for them). */
  config?: SerializedConfig;
  /** Prefix of the task queues (orchestrator queue = prefix, site queue = `${prefix}-site-${site}`). */
  taskQueuePrefix: string;
  /** Re-run only what did not succeed in a previous execution of this run. */
  restart?: boolean;
  /**
   * A campaign group's run: the campaign workflow (id campaign/<name>) to signal with the run's summary when it
   * ends, so a campaign that continued-as-new while the run ran learns its outcome.
   */
  campaignWorkflowId?: string;
  /** Carried across continue-as-new. */
  progress?: RunProgress;
}

export type RunPhase = 'prepare' | 'graph' | 'transform' | 'init' | 'jobs' | 'final' | 'done';

export interface RunProgress {
  phase: RunPhase;
  plan?: RunPlan;
  doneBatches: number[];
  initOk?: boolean;
  cancelled?: boolean;
}

/** What the run workflow needs to drive execution: small, O(batches). */
export interface RunPlan {
  computeSite: string;
  quanta: number;
  payloadJobs: number;
  batches: BatchSpec[];
  hasInit: boolean;
  hasFinal: boolean;
  finalWhenRun: WhenRun;
  initJob?: string;
  finalJob?: string;
  /** Jobs per batch workflow window (max activities in flight per batch). */
  window: number;
  maxBatchesInFlight: number;
  /** Heartbeat timeout of job activities: how fast a lost executor worker is noticed. */
  heartbeatSeconds: number;
  /** Most short jobs per activity (core/run/grouping; absent in plans made before groups: the default). */
  jobGroupMax?: number;
  /** Workload system of the payload batches (absent in plans made before it existed: local). */
  wms?: string;
  /** 'external': each batch is one WMS unit (externalBatchWorkflow); else activities (jobBatchWorkflow). */
  wmsMode?: 'activities' | 'external';
  /** Seconds between polls of an external batch. */
  wmsPollSeconds?: number;
}

export interface JobRef {
  runId: string;
  name: string;
  maxAttempts: number;
  submitPath: string;
}

export interface JobOutcome {
  name: string;
  state: State;
  attempt: number;
  exitCode: number | null;
  /** Wall seconds of the job's process (absent when none ran, or from executors before it was reported). */
  seconds?: number;
}

/** A group of short jobs run by one activity (runJobs); each keeps its own attempts, tries and state in the store. */
export interface JobGroupRef {
  runId: string;
  submitPath: string;
  jobs: Array<{ name: string; maxAttempts: number }>;
}

/**
 * How a job of a group ended in its activity: SUCCEEDED, FAILED (over: payload error, spent budget, misfit), or
 * RETRY (failed and may be tried again: the workflow retries it as a job of its own). `seconds`: its process's wall
 * time, when one ran.
 */
export interface JobGroupOutcome {
  name: string;
  state: 'SUCCEEDED' | 'FAILED' | 'RETRY';
  seconds?: number;
}

export interface JobGroupResult {
  outcomes: JobGroupOutcome[];
}

export interface BatchInput {
  runId: string;
  batch: number;
  submitPath: string;
  siteQueue: string;
  window: number;
  heartbeatSeconds: number;
  /** Names of jobs that failed terminally in earlier continue-as-new generations of this batch. */
  failed?: string[];
  /** Most jobs per activity (absent: core/run/grouping's default). */
  groupMax?: number;
  /** Running mean of the jobs' wall seconds, carried across continue-as-new (absent: not measured yet). */
  jobSeconds?: number;
}

export interface BatchResult {
  batch: number;
  succeeded: number;
  failed: number;
  pruned: number;
}

export interface RunSummary {
  runId: string;
  state: State;
  counts: Partial<Record<State, number>>;
  jobs: number;
  quanta: number;
  message?: string;
}

/** The compact view of one batch the batch workflow schedules from (from Store.loadBatch). */
export interface BatchJobs {
  jobs: Array<{ name: string; state: State; maxAttempts: number; parents: number[]; blocked: boolean }>;
}
