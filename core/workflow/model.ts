// The generic workflow: what every WMS plugin consumes. Written to the submit directory as
// generic_workflow/jobs.jsonl (one JobSpec a line, parents before children) plus batches.json.

import type { JobAttributes } from '../config/types.js';

export type JobKind = 'init' | 'payload' | 'final';
export type WhenRun = 'ALWAYS' | 'SUCCESS' | 'NEVER';

/** One job: its identity and command, plus the per-job values of BPS (resources, retries, site) it was built with. */
export interface JobSpec extends JobAttributes {
  name: string;
  kind: JobKind;
  /** Cluster label (task label for single-quantum jobs); "pipetaskInit" / "finalJob" for the special jobs. */
  label: string;
  /** Batch index for payload jobs; -1 for init and final jobs. */
  batch: number;
  /** Number of quanta run by the job (0 for init/final). */
  quanta: number;
  /** Argument vector: argv[0] is the executable. Never run through a shell unless argv says so. */
  argv: string[];
  /** Names of jobs that must succeed first. */
  parents: string[];
  /** Task labels of the quanta in the job (payload jobs; in pipeline order). */
  taskLabels?: string[];
  /** Dimension values that define the job's cluster (dimension clustering only). */
  tags?: Record<string, string | number>;
  /** Quanta per task label, for jobs holding several tasks (statistics split a job's time by them). */
  taskQuanta?: Record<string, number>;
  /** Data id of a single-quantum job (clustered jobs have `tags`). */
  dataId?: Record<string, string | number>;
}

export interface BatchSpec {
  id: number;
  jobs: number;
  /** Ids of batches whose jobs this batch depends on (always lower than id). */
  upstream: number[];
  /** Quanta run by the batch's jobs. */
  quanta?: number;
  /** Payload jobs per cluster label in this batch. */
  labels?: Record<string, number>;
}

export interface BatchPlan {
  batches: BatchSpec[];
  payloadJobs: number;
  quanta: number;
  /** finalJob.whenRun */
  finalWhenRun: WhenRun;
  hasInit: boolean;
  hasFinal: boolean;
  /** Jobs per batch the plan aimed at (maxBatchJobs, raised so there are at most 1000 batches). */
  batchSize?: number;
}
