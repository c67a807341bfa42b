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

/** Checks a site filter: an unknown site is bad input (naming the known ones). */
export async function checkSite(ctx: ServiceContext, site: string | undefined): Promise<string | undefined> {
  if (!site) return undefined;
  const sites = await listSites(ctx);
  if (!sites.some((s) => s.site === site)) {
    throw badFilter('site', `unknown compute site '${site}'; known: ${sites.map((s) => s.site).join(', ') || 'none yet'}`);
  }
  return site;
}
