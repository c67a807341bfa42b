// The history a cost estimate needs (core/estimate/cost.ts), read from the store: the recent SUCCEEDED runs that ran
// some job labels, the seconds per quantum of their pipeline tasks (the per-task statistics of `tbps stats`) and the
// largest peak memory of each job label.
import type { CostHistory } from '../../core/estimate/cost.js';
import type { ServiceContext } from './context.js';

/** How many past runs of the same labels the estimate looks at (the most recent). */
export const HISTORY_RUNS = 20;

export async function costHistory(ctx: ServiceContext, payloadLabels: readonly string[]): Promise<CostHistory & { runIds: string[] }> {
  const runs = await ctx.store.pastRuns(payloadLabels, HISTORY_RUNS);
  const runIds = runs.map((r) => r.runId);
  const history: CostHistory & { runIds: string[] } = { taskSecondsPerQuantum: {}, labelPeakMemoryMb: {}, runs, runIds };
  if (runIds.length === 0) return history;
  const labels = await ctx.store.labelStats(runIds);
  for (const l of labels) if (l.memMax !== null) history.labelPeakMemoryMb[l.label] = l.memMax;
  for (const t of await ctx.store.taskStats(runIds, labels)) if (t.wallPerQuantum !== null) history.taskSecondsPerQuantum[t.task] = t.wallPerQuantum;
  return history;
}
