// Small helpers shared by the store's query modules: timestamps, chunking, row -> record mapping.

import type { Selectable } from 'kysely';
import type { State } from '../core/states.js';
import type { JobKind } from '../core/workflow/model.js';
import type { JobAttemptsTable, JobsTable, RunsTable } from './schema.js';
import type { AttemptRecord, JobRecord, RunRecord, TimeInput } from './types.js';

export function toIso(t: TimeInput | undefined): string {
  if (t === undefined) return new Date().toISOString();
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) throw new Error(`invalid timestamp: ${String(t)}`);
  return d.toISOString();
}

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Names per `IN (...)` list: well under every dialect's parameter limit. */
export const IN_CHUNK = 500;

export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export function runFromRow(r: Selectable<RunsTable>): RunRecord {
  return {
    runId: r.run_id,
    workflowId: r.workflow_id,
    name: r.name,
    payloadName: r.payload_name,
    operator: r.operator,
    project: r.project,
    campaign: r.campaign,
    step: r.step,
    submitPath: r.submit_path,
    dataQuery: r.data_query ?? '',
    wms: r.wms,
    computeSite: r.compute_site,
    state: r.state as State,
    quanta: num(r.quanta),
    jobs: num(r.jobs),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    message: r.message,
    restartCount: num(r.restart_count),
  };
}

export type JobRow = Omit<Selectable<JobsTable>, 'spec' | 'attempt_base'>;

export function jobFromRow(r: JobRow): JobRecord {
  return {
    runId: r.run_id,
    name: r.name,
    seq: num(r.seq),
    label: r.label,
    kind: r.kind as JobKind,
    batch: num(r.batch),
    quanta: num(r.quanta),
    state: r.state as State,
    attempts: num(r.attempts),
    maxAttempts: num(r.max_attempts),
    exitCode: r.exit_code,
    signal: r.signal,
    host: r.host,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    peakRssMb: r.peak_rss_mb,
    memoryMb: r.memory_mb,
    logPath: r.log_path,
    errorClass: r.error_class,
    errorSummary: r.error_summary,
    errorLine: r.error_line,
    dataId: r.data_id ? r.data_id.trim() : null,
    computeSite: r.compute_site,
    parents: JSON.parse(r.parents) as string[],
  };
}

export function attemptFromRow(r: Selectable<JobAttemptsTable>): AttemptRecord {
  return {
    runId: r.run_id,
    jobName: r.job_name,
    attempt: num(r.attempt),
    state: r.state as State,
    host: r.host,
    memoryMb: r.memory_mb,
    logPath: r.log_path,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    exitCode: r.exit_code,
    signal: r.signal,
    peakRssMb: r.peak_rss_mb,
    errorClass: r.error_class,
    errorSummary: r.error_summary,
    errorLine: r.error_line,
    readyAt: r.ready_at,
    waitSeconds: r.wait_s,
    wallSeconds: r.wall_s,
  };
}
