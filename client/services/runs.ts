// Runs: the run list (with job counts by state) and one run's detail (per-label BPS table, totals, failed jobs whose
// last attempt failed, provenance). Plain data for `tbps report` and the dashboard's run pages.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { totalCounts, type LabelCount } from '../../core/report/index.js';
import type { State } from '../../core/states.js';
import type { JobRecord, RunRecord } from '../../store/index.js';
import type { ServiceContext } from './context.js';
import { notFound } from './errors.js';

export interface RunListItem extends RunRecord {
  counts: Record<State, number>;
}

export interface RunListQuery {
  limit?: number;
  /** Only runs created at or after this time. */
  since?: string | Date;
  computeSite?: string;
  campaign?: string;
}

export async function listRuns(ctx: ServiceContext, q: RunListQuery = {}): Promise<RunListItem[]> {
  const runs = await ctx.store.listRuns({ limit: q.limit ?? 20, since: q.since, computeSite: q.computeSite, campaign: q.campaign });
  return Promise.all(runs.map(async (r) => ({ ...r, counts: await ctx.store.stateCounts(r.runId) })));
}

export async function getRunOrThrow(ctx: ServiceContext, runId: string): Promise<RunRecord> {
  const run = await ctx.store.getRun(runId);
  if (!run) throw notFound('run', runId, "'tbps report' lists the runs");
  return run;
}

export interface Provenance {
  tbps?: string;
  node?: string;
  temporalSdk?: string;
  lsst?: Record<string, string> | null;
  configFile?: string | null;
  /** The config as the run used it (saved in the submit directory). */
  configSnapshot?: string;
  environment?: Record<string, string>;
  host?: string;
  preparedAt?: string;
}

/** What produced a run: <submitPath>/provenance.json, and the saved config's path. */
export function runProvenance(run: RunRecord): Provenance | undefined {
  const file = path.join(run.submitPath, 'provenance.json');
  if (!run.submitPath || !existsSync(file)) return undefined;
  const p = JSON.parse(readFileSync(file, 'utf8')) as Provenance;
  const snapshot = path.join(run.submitPath, `${run.runId}_config.yaml`);
  return { ...p, configSnapshot: existsSync(snapshot) ? snapshot : undefined };
}

export interface RunDetail {
  run: RunRecord;
  labels: LabelCount[];
  total: LabelCount;
  /** Jobs whose last attempt failed (state FAILED), first `maxFailed` in workflow order. */
  failed: JobRecord[];
  provenance?: Provenance;
}

export async function runDetail(ctx: ServiceContext, runId: string, opts: { maxFailed?: number } = {}): Promise<RunDetail> {
  const run = await getRunOrThrow(ctx, runId);
  const labels = await ctx.store.labelCounts(runId);
  const failed = await ctx.store.jobsByState(runId, 'FAILED', opts.maxFailed ?? 20);
  return { run, labels, total: totalCounts(labels), failed, provenance: runProvenance(run) };
}

/** A run's progress: done (terminal) jobs of all jobs. */
export function progressOf(counts: Record<State, number>): { done: number; total: number } {
  const total = Object.values(counts).reduce((a, c) => a + c, 0);
  const done = counts.SUCCEEDED + counts.FAILED + counts.PRUNED + counts.DELETED;
  return { done, total };
}
