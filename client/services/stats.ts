// Statistics of a run or of every run of a campaign: per job label (the classic per-task table: count, failed, max,
// mean, total seconds, then retries, attempts, memory and queue wait) and per pipeline task label (clustered jobs'
// seconds split by pipetask's timings or by quanta; each row says which).
import type { LabelStats, TaskStats } from '../../store/index.js';
import type { ServiceContext } from './context.js';
import { notFound } from './errors.js';
import { getRunOrThrow } from './runs.js';

export type StatsScope = { runId: string } | { campaign: string };

export interface Statistics {
  scope: StatsScope;
  runIds: string[];
  labels: LabelStats[];
  tasks: TaskStats[];
  /** All labels together. */
  total: LabelStats;
}

export async function scopeRunIds(ctx: ServiceContext, scope: StatsScope): Promise<string[]> {
  if ('runId' in scope) {
    await getRunOrThrow(ctx, scope.runId);
    return [scope.runId];
  }
  const ids = await ctx.store.campaignRunIds(scope.campaign);
  if (ids.length === 0) throw notFound('campaign', scope.campaign, "no run of it is in the store; 'tbps campaign list' lists the campaigns");
  return ids;
}

export async function statistics(ctx: ServiceContext, scope: StatsScope, opts: { tasks?: boolean } = {}): Promise<Statistics> {
  const runIds = await scopeRunIds(ctx, scope);
  const unordered = await ctx.store.labelStats(runIds);
  // Order as the report does: the first run's label order (init first, final last), then any others.
  const order = new Map((await ctx.store.labelOrder(runIds[0])).map((label, i) => [label, i]));
  const labels = [...unordered].sort((a, c) => (order.get(a.label) ?? 1e9) - (order.get(c.label) ?? 1e9) || a.label.localeCompare(c.label));
  // Tasks in the order their job labels come (the init job first, the final job last), then by name.
  const labelRank = new Map(labels.map((l, i) => [l.label, i]));
  const tasks = (opts.tasks === false ? [] : await ctx.store.taskStats(runIds, labels)).sort(
    (a, c) => (labelRank.get(a.task) ?? labelRank.size / 2) - (labelRank.get(c.task) ?? labelRank.size / 2) || a.task.localeCompare(c.task),
  );
  return { scope, runIds, labels, tasks, total: totalStats(labels) };
}

export function totalStats(rows: readonly LabelStats[]): LabelStats {
  const withWall = rows.filter((r) => r.wallMean !== null);
  const attemptsWithWall = withWall.reduce((a, r) => a + r.attempts, 0);
  const mins = (xs: (number | null)[]) => (xs.some((x) => x !== null) ? Math.min(...xs.filter((x): x is number => x !== null)) : null);
  const maxs = (xs: (number | null)[]) => (xs.some((x) => x !== null) ? Math.max(...xs.filter((x): x is number => x !== null)) : null);
  const wavg = (pick: (r: LabelStats) => number | null) => {
    const xs = rows.filter((r) => pick(r) !== null && r.attempts > 0);
    const n = xs.reduce((a, r) => a + r.attempts, 0);
    return n > 0 ? xs.reduce((a, r) => a + (pick(r) as number) * r.attempts, 0) / n : null;
  };
  const wallTotal = rows.reduce((a, r) => a + r.wallTotal, 0);
  return {
    label: 'TOTAL',
    jobs: rows.reduce((a, r) => a + r.jobs, 0),
    succeeded: rows.reduce((a, r) => a + r.succeeded, 0),
    failed: rows.reduce((a, r) => a + r.failed, 0),
    retries: rows.reduce((a, r) => a + r.retries, 0),
    attempts: rows.reduce((a, r) => a + r.attempts, 0),
    failedAttempts: rows.reduce((a, r) => a + r.failedAttempts, 0),
    wallMin: mins(rows.map((r) => r.wallMin)),
    wallMean: attemptsWithWall > 0 ? wallTotal / attemptsWithWall : null,
    wallMax: maxs(rows.map((r) => r.wallMax)),
    wallTotal,
    memMin: mins(rows.map((r) => r.memMin)),
    memMean: wavg((r) => r.memMean),
    memMax: maxs(rows.map((r) => r.memMax)),
    waitMean: wavg((r) => r.waitMean),
  };
}
