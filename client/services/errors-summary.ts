// Final failures grouped by error class, for a run or a whole campaign: count, one example job, its matched line
// and root cause.
import type { ErrorClassCount } from '../../store/index.js';
import type { ServiceContext } from './context.js';
import { scopeRunIds, type StatsScope } from './stats.js';

export interface ErrorSummary {
  scope: StatsScope;
  classes: ErrorClassCount[];
  /** Jobs whose last attempt failed. */
  failedJobs: number;
}

export async function errorSummary(ctx: ServiceContext, scope: StatsScope): Promise<ErrorSummary> {
  const runIds = await scopeRunIds(ctx, scope);
  const classes = await ctx.store.errorSummary(runIds);
  return { scope, classes, failedJobs: classes.reduce((a, c) => a + c.count, 0) };
}
