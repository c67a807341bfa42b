// A run over time: the attempt timeline (the most recent attempts, each with start, end and outcome; bounded, since
// a run may hold a million jobs) and the progress over time (finished jobs per time bucket, cumulated), both
// computed by the store from indexes.
import type { TimelineAttempt } from '../../store/index.js';
import type { ServiceContext } from './context.js';
import { badFilter } from './errors.js';
import { getRunOrThrow } from './runs.js';

export const DEFAULT_TIMELINE_LIMIT = 2000;
export const MAX_TIMELINE_LIMIT = 10_000;

export interface RunTimeline {
  runId: string;
  /** Oldest start first (the most recent `limit` attempts of the run). */
  attempts: TimelineAttempt[];
  /** Attempts of the run with a start time (more than shown when truncated), counted up to a cap. */
  total: number;
  /** The run has more attempts than `total` (the count stopped at its cap). */
  totalCapped: boolean;
  limit: number;
  truncated: boolean;
  /** Earliest start and latest end (or now, for attempts still running) of the attempts shown. */
  from: string | null;
  to: string | null;
}

export async function runTimeline(ctx: ServiceContext, runId: string, q: { limit?: number; computeSite?: string } = {}): Promise<RunTimeline> {
  await getRunOrThrow(ctx, runId);
  const limit = q.limit ?? DEFAULT_TIMELINE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_LIMIT) {
    throw badFilter('limit', `expected an integer from 1 to ${MAX_TIMELINE_LIMIT}, got ${q.limit}`);
  }
  const { attempts, total, totalCapped } = await ctx.store.recentAttempts(runId, limit, q.computeSite);
  attempts.reverse();
  const now = new Date().toISOString();
  let from: string | null = null;
  let to: string | null = null;
  for (const a of attempts) {
    const end = a.endedAt ?? now;
    if (from === null || a.startedAt < from) from = a.startedAt;
    if (to === null || end > to) to = end;
  }
  return { runId, attempts, total, totalCapped, limit, truncated: totalCapped || total > attempts.length, from, to };
}

export interface ProgressPoint {
  /** End of the bucket (ISO). */
  at: string;
  /** Jobs finished by then, cumulated. */
  succeeded: number;
  failed: number;
}

export interface RunProgressSeries {
  runId: string;
  bucketSeconds: number;
  /** Starts at 0 just before the first finished job; one point per bucket with finishes. */
  points: ProgressPoint[];
}

/** Cumulated finished jobs of a run over time (at most ~maxBuckets points). */
export async function runProgressSeries(ctx: ServiceContext, runId: string, q: { computeSite?: string; maxBuckets?: number } = {}): Promise<RunProgressSeries> {
  await getRunOrThrow(ctx, runId);
  const res = await ctx.store.completionBuckets(runId, q.maxBuckets ?? 200, q.computeSite);
  const points: ProgressPoint[] = [];
  let succeeded = 0;
  let failed = 0;
  for (const b of res.buckets) {
    if (points.length === 0) points.push({ at: b.start, succeeded: 0, failed: 0 });
    succeeded += b.succeeded;
    failed += b.failed;
    points.push({ at: new Date(Date.parse(b.start) + res.bucketSeconds * 1000).toISOString(), succeeded, failed });
  }
  return { runId, bucketSeconds: res.bucketSeconds, points };
}
