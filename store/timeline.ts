// A run over time, for the dashboard: its most recent attempts by start time (one timeline bar each, bounded by a
// limit, read through the (run_id, started_at) index) and its finished jobs counted per time bucket (read through the
// (run_id, ended_at, state) index). Buckets are prefixes of the stored ISO-8601 UTC timestamps (one second up to one
// day), so the grouping is plain `substr` in every dialect.

import { sql } from 'kysely';
import type { State } from '../core/states.js';
import type { Backend } from './backend.js';
import { num } from './convert.js';

export interface TimelineAttempt {
  jobName: string;
  label: string | null;
  attempt: number;
  state: State;
  host: string | null;
  startedAt: string;
  endedAt: string | null;
  errorClass: string | null;
}

export interface RecentAttempts {
  /** Newest start first. */
  attempts: TimelineAttempt[];
  /** Attempts of the run with a start time, counted up to `countCap` (more than returned when above the limit). */
  total: number;
  /** The count stopped at the cap: the run has at least `total` attempts. */
  totalCapped: boolean;
}

/** Most attempts counted for the "N attempts" figure (a count costs one index entry per attempt). */
export const COUNT_CAP = 100_000;

/** The `limit` most recently started attempts of a run (optionally only jobs of one compute site). */
export async function recentAttempts(b: Backend, runId: string, limit: number, computeSite?: string): Promise<RecentAttempts> {
  const base = () => {
    let q = b.db.selectFrom('job_attempts as a').where('a.run_id', '=', runId).where('a.started_at', 'is not', null);
    if (computeSite !== undefined) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('jobs as j')
            .select('j.name')
            .whereRef('j.run_id', '=', 'a.run_id')
            .whereRef('j.name', '=', 'a.job_name')
            .where('j.compute_site', '=', computeSite),
        ),
      );
    }
    return q;
  };
  const [list, n] = await Promise.all([
    base()
      .select(['a.job_name', 'a.label', 'a.attempt', 'a.state', 'a.host', 'a.started_at', 'a.ended_at', 'a.error_class'])
      .orderBy('a.started_at', 'desc')
      .orderBy('a.job_name')
      .orderBy('a.attempt', 'desc')
      .limit(Math.max(0, limit))
      .execute(),
    b.db
      .selectFrom(base().select(sql<number>`1`.as('one')).limit(COUNT_CAP + 1).as('capped'))
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const counted = num(n.n);
  return {
    attempts: list.map((r) => ({
      jobName: r.job_name,
      label: r.label,
      attempt: num(r.attempt),
      state: r.state as State,
      host: r.host,
      startedAt: r.started_at as string,
      endedAt: r.ended_at,
      errorClass: r.error_class,
    })),
    total: Math.min(counted, COUNT_CAP),
    totalCapped: counted > COUNT_CAP,
  };
}

/** Bucket widths: seconds and the length of the ISO timestamp prefix that makes one bucket. */
export const BUCKETS = [
  { seconds: 1, prefix: 19 }, // 2025-06-01T12:34:56
  { seconds: 10, prefix: 18 }, // 2025-06-01T12:34:5
  { seconds: 60, prefix: 16 }, // 2025-06-01T12:34
  { seconds: 600, prefix: 15 }, // 2025-06-01T12:3
  { seconds: 3600, prefix: 13 }, // 2025-06-01T12
  { seconds: 86400, prefix: 10 }, // 2025-06-01
] as const;

export interface CompletionBuckets {
  /** First and last end time of a finished job; null when none finished. */
  first: string | null;
  last: string | null;
  bucketSeconds: number;
  /** Jobs that finished (SUCCEEDED or FAILED) per bucket, ascending; `start` is the bucket's ISO start. */
  buckets: { start: string; succeeded: number; failed: number }[];
}

const DONE: State[] = ['SUCCEEDED', 'FAILED'];

/**
 * Finished jobs of a run per time bucket, the bucket the smallest width giving at most `maxBuckets` over the span
 * from the first to the last end (optionally only jobs of one compute site).
 */
export async function completionBuckets(b: Backend, runId: string, maxBuckets: number, computeSite?: string): Promise<CompletionBuckets> {
  const base = () => {
    let q = b.db.selectFrom('jobs').where('run_id', '=', runId).where('ended_at', 'is not', null).where('state', 'in', DONE);
    if (computeSite !== undefined) q = q.where('compute_site', '=', computeSite);
    return q;
  };
  // First and last end from the ends of the (run_id, ended_at) index.
  const end = (dir: 'asc' | 'desc') => {
    let q = b.db.selectFrom('jobs').select('ended_at').where('run_id', '=', runId).where('ended_at', 'is not', null);
    if (computeSite !== undefined) q = q.where('compute_site', '=', computeSite);
    return q.orderBy('ended_at', dir).limit(1).executeTakeFirst();
  };
  const [a, z] = await Promise.all([end('asc'), end('desc')]);
  const first = a?.ended_at ?? null;
  const last = z?.ended_at ?? null;
  if (!first || !last) return { first: null, last: null, bucketSeconds: BUCKETS[0].seconds, buckets: [] };
  const seconds = (Date.parse(last) - Date.parse(first)) / 1000;
  const width = BUCKETS.find((w) => seconds / w.seconds < maxBuckets) ?? BUCKETS[BUCKETS.length - 1];
  const key = sql<string>`substr(ended_at, 1, ${sql.lit(width.prefix)})`;
  // Literal 1 and 0 (not bound parameters, which PostgreSQL would type as text inside CASE).
  const rows = await base()
    .select((eb) => [
      key.as('bucket'),
      eb.fn.sum(eb.case().when('state', '=', 'SUCCEEDED').then(eb.lit(1)).else(eb.lit(0)).end()).as('succeeded'),
      eb.fn.sum(eb.case().when('state', '=', 'FAILED').then(eb.lit(1)).else(eb.lit(0)).end()).as('failed'),
    ])
    .groupBy(key)
    .orderBy(key)
    .execute();
  return {
    first,
    last,
    bucketSeconds: width.seconds,
    buckets: rows.map((r) => ({ start: bucketStart(r.bucket, width.prefix), succeeded: num(r.succeeded ?? 0), failed: num(r.failed ?? 0) })),
  };
}

/** "2025-06-01T12:3" -> "2025-06-01T12:30:00.000Z". */
function bucketStart(prefix: string, len: number): string {
  const full = '0000-01-01T00:00:00';
  return `${prefix}${full.slice(len)}.000Z`;
}
