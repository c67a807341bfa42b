// Compute sites known to the store (runs' sites), for the site filter of every view.
import type { ServiceContext } from './context.js';
import { badFilter } from './errors.js';

export interface SiteInfo {
  site: string;
  runs: number;
}

export function listSites(ctx: ServiceContext): Promise<SiteInfo[]> {
  return ctx.store.listSites();
}

/**
 * Checks a site filter: an unknown site is bad input (naming the known ones). With a run, a site some of its jobs
 * were placed on (a per-label computeSite) counts as known too.
 */
export async function checkSite(ctx: ServiceContext, site: string | undefined, runId?: string): Promise<string | undefined> {
  if (!site) return undefined;
  const sites = (await listSites(ctx)).map((s) => s.site);
  if (sites.includes(site)) return site;
  if (runId !== undefined && (await ctx.store.listJobs(runId, { computeSite: site }, 0, 1)).total > 0) return site;
  throw badFilter('site', `unknown compute site '${site}'; known: ${sites.join(', ') || 'none yet'}`);
}
