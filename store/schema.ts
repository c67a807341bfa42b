// Kysely table types of the run/job database (column names as stored; portable SQLite/PostgreSQL types).

import type { ColumnType } from 'kysely';

/** Integer columns: PostgreSQL drivers may return bigint/strings for aggregates, plain ints here. */
type Int = number;
type OptText = ColumnType<string | null, string | null | undefined, string | null>;
type OptInt = ColumnType<Int | null, Int | null | undefined, Int | null>;
type OptReal = ColumnType<number | null, number | null | undefined, number | null>;
type DefText = ColumnType<string, string | undefined, string>;
type DefInt = ColumnType<Int, Int | undefined, Int>;

export interface RunsTable {
  run_id: string;
  workflow_id: DefText;
  name: DefText;
  payload_name: DefText;
  operator: DefText;
  project: DefText;
  campaign: DefText;
  step: DefText;
  submit_path: DefText;
  /** The run's data query (campaign groups: the step's query ANDed with the group's clause). */
  data_query: DefText;
  wms: DefText;
  compute_site: DefText;
  state: string;
  quanta: DefInt;
  jobs: DefInt;
  created_at: string;
  updated_at: string;
  message: DefText;
  restart_count: DefInt;
  /** While its workload system does not answer: "waiting for <wms>: <error>, retry N"; '' otherwise. */
  waiting: DefText;
}

export interface JobsTable {
  run_id: string;
  name: string;
  /** Position in the generic workflow (parents before children). */
  seq: Int;
  label: string;
  kind: string;
  batch: Int;
  quanta: Int;
  state: string;
  max_attempts: Int;
  attempts: DefInt;
  /** Attempts recorded before the last restart; a caller's attempt n is stored as attempt_base + n. */
  attempt_base: DefInt;
  exit_code: OptInt;
  signal: OptText;
  host: OptText;
  started_at: OptText;
  ended_at: OptText;
  peak_rss_mb: OptReal;
  memory_mb: OptInt;
  log_path: OptText;
  error_class: OptText;
  error_summary: OptText;
  /** Data id as " key=value key=value " (leading/trailing space, keys sorted) for filters; null for init/final. */
  data_id: OptText;
  compute_site: OptText;
  /** The log line the error class matched. */
  error_line: OptText;
  /** JSON array of parent job names. */
  parents: string;
  /** JSON of the JobSpec. */
  spec: string;
}

export interface JobAttemptsTable {
  run_id: string;
  job_name: string;
  attempt: Int;
  state: string;
  host: OptText;
  memory_mb: OptInt;
  log_path: OptText;
  started_at: OptText;
  ended_at: OptText;
  exit_code: OptInt;
  signal: OptText;
  peak_rss_mb: OptReal;
  error_class: OptText;
  error_summary: OptText;
  /** Job label (denormalised for statistics). */
  label: OptText;
  /** When the attempt became ready to run (queued), and seconds from then to its start. */
  ready_at: OptText;
  wait_s: OptReal;
  /** Seconds from start to end. */
  wall_s: OptReal;
  error_line: OptText;
}

/** Task labels of clustered jobs: quanta per task, and the seconds pipetask logged for them (last attempt). */
export interface JobTasksTable {
  run_id: string;
  job_name: string;
  label: string;
  task_label: string;
  quanta: Int;
  seconds: OptReal;
}

/** Per-run label summary written by insertJobs: order of first appearance and expected job count. */
export interface RunLabelsTable {
  run_id: string;
  label: string;
  first_seq: Int;
  kind: string;
  expected: Int;
  quanta: Int;
}

/**
 * Per-(run, label) attempt statistics, maintained with every attempt record (see labelAggregates.ts). Sums are
 * compensated: the value is <x>_sum + <x>_err.
 */
export interface LabelAttemptStatsTable {
  run_id: string;
  label: string;
  attempts: Int;
  /** Attempts in a state other than SUCCEEDED, RUNNING, DELETED. */
  failed_attempts: Int;
  /** Attempts with a wall time, their sum (plus error term), minimum and maximum. */
  wall_n: Int;
  wall_sum: number;
  wall_err: number;
  wall_min: number | null;
  wall_max: number | null;
  /** Attempts with a peak memory, etc. */
  mem_n: Int;
  mem_sum: number;
  mem_err: number;
  mem_min: number | null;
  mem_max: number | null;
  /** Attempts with a queue wait, and their sum. */
  wait_n: Int;
  wait_sum: number;
  wait_err: number;
}

/** A site's limit of running jobs (`site.<name>.maxRunningJobs`), as the last run that set it recorded it. */
export interface SiteLimitsTable {
  site: string;
  max_running_jobs: Int;
  updated_at: string;
}

/** A run's share of its site: priority (1 highest ... 5), campaign and the campaign's limit (null: none). */
export interface RunSlotPoliciesTable {
  run_id: string;
  site: string;
  campaign: DefText;
  priority: Int;
  campaign_limit: OptInt;
}

/**
 * One job's slot lease on its site (store/siteSlots.ts): 'waiting' until granted, then 'running' until released.
 * Leases not renewed for a while belong to a lost executor and are dropped.
 */
export interface SiteSlotsTable {
  run_id: string;
  job: string;
  site: string;
  campaign: DefText;
  priority: Int;
  campaign_limit: OptInt;
  state: string;
  requested_at: string;
  granted_at: OptText;
  renewed_at: string;
  holder: DefText;
}

export interface PilotsTable {
  pilot_id: string;
  wms: string;
  wms_id: DefText;
  site: string;
  /** PENDING, RUNNING, DRAINING, ENDED, CANCELLED, FAILED, LOST (core/pilots/request.ts). */
  state: string;
  cpus: Int;
  memory_mb: Int;
  walltime_s: Int;
  submitted_at: string;
  started_at: OptText;
  ended_at: OptText;
  host: OptText;
  jobs_run: DefInt;
  message: DefText;
}

export interface Database {
  site_limits: SiteLimitsTable;
  run_slot_policies: RunSlotPoliciesTable;
  site_slots: SiteSlotsTable;
  runs: RunsTable;
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  run_labels: RunLabelsTable;
  job_tasks: JobTasksTable;
  label_attempt_stats: LabelAttemptStatsTable;
  pilots: PilotsTable;
}
