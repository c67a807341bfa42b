// Past runs as the cost estimate needs them (core/estimate): the most recent SUCCEEDED runs that ran any of some job
// labels, each with its duration and the span and seconds of its payload jobs. Times are read as text and turned
// into seconds here, so the query is the same on SQLite and PostgreSQL.
import type { Backend } from './backend.js';
import { num } from './convert.js';

export interface PastRun {
  runId: string;
  /** Seconds from the run's record to its last update (its end, for a finished run). */
  durationSeconds: number;
  quanta: number;
  /** Sum of the payload jobs' attempt seconds. */
  payloadSeconds: number;
  /** Seconds from the first payload job's start to the last one's end. */
  payloadSpanSeconds: number;
}

const seconds = (from: unknown, to: unknown): number => {
  const a = Date.parse(String(from ?? ''));
  const b = Date.parse(String(to ?? ''));
  return Number.isNaN(a) || Number.isNaN(b) ? 0 : Math.max(0, (b - a) / 1000);
};

export async function pastRuns(b: Backend, labels: readonly string[], limit: number): Promise<PastRun[]> {
  if (labels.length === 0) return [];
  const runs = await b.db
    .selectFrom('runs')
    .select(['run_id', 'created_at', 'updated_at', 'quanta'])
    .where('state', '=', 'SUCCEEDED')
    .where('run_id', 'in', (eb) => eb.selectFrom('run_labels').select('run_id').where('label', 'in', [...labels]))
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  if (runs.length === 0) return [];
  const payload = await b.db
    .selectFrom('jobs')
    .select((eb) => ['run_id', eb.fn.min('started_at').as('first'), eb.fn.max('ended_at').as('last')])
    .where('run_id', 'in', runs.map((r) => r.run_id))
    .where('kind', '=', 'payload')
    .groupBy('run_id')
    .execute();
  const attemptSeconds = await b.db
    .selectFrom('job_attempts')
    .innerJoin('jobs', (join) => join.onRef('jobs.run_id', '=', 'job_attempts.run_id').onRef('jobs.name', '=', 'job_attempts.job_name'))
    .select((eb) => ['job_attempts.run_id as run_id', eb.fn.sum('job_attempts.wall_s').as('wall')])
    .where('job_attempts.run_id', 'in', runs.map((r) => r.run_id))
    .where('jobs.kind', '=', 'payload')
    .groupBy('job_attempts.run_id')
    .execute();
  const spanOf = new Map(payload.map((p) => [p.run_id, seconds(p.first, p.last)]));
  const wallOf = new Map(attemptSeconds.map((a) => [a.run_id, num(a.wall ?? 0)]));
  return runs.map((r) => ({
    runId: r.run_id,
    durationSeconds: seconds(r.created_at, r.updated_at),
    quanta: num(r.quanta ?? 0),
    payloadSeconds: wallOf.get(r.run_id) ?? 0,
    payloadSpanSeconds: spanOf.get(r.run_id) ?? 0,
  }));
}
