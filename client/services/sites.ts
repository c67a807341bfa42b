// Compute sites known to the store (runs' sites), for the site filter of every view; and one site's running jobs
// per campaign against its limits (the per-site scheduler, store/siteSlots.ts).
import { BPS_DEFAULTS_FILE } from '../../core/config/load.js';
import { readConfigTree } from '../../core/config/yamlFile.js';
import type { SiteUsage } from '../../store/index.js';
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

/** A site's running and waiting jobs per campaign against the site's and campaigns' limits (`tbps site show`). */
export interface SiteView extends SiteUsage {
  /** Runs the store has seen on the site. */
  runs: number;
}

/**
 * The sites a config defines: the default computeSite and `site.<name>` sections of the built-in defaults, the sites
 * of recorded runs and the sites with a recorded maxRunningJobs.
 */
export async function definedSites(ctx: ServiceContext): Promise<string[]> {
  const defaults = readConfigTree('bps_defaults.yaml', BPS_DEFAULTS_FILE) ?? {};
  const names = new Set<string>();
  if (typeof defaults.computeSite === 'string') names.add(defaults.computeSite);
  const sections = defaults.site;
  if (sections && typeof sections === 'object' && !Array.isArray(sections)) for (const k of Object.keys(sections)) names.add(k);
  for (const s of await listSites(ctx)) names.add(s.site);
  for (const s of await ctx.store.limitedSites()) names.add(s);
  return [...names].sort();
}

/** `tbps site show SITE`: a site no config defines is bad input (exit 2, naming the known ones). */
export async function siteView(ctx: ServiceContext, site: string): Promise<SiteView> {
  const known = await definedSites(ctx);
  if (!known.includes(site)) throw badFilter('site', `no config defines compute site '${site}'; known: ${known.join(', ') || 'none yet'}`);
  const usage = await ctx.store.siteUsage(site);
  const runs = (await listSites(ctx)).find((s) => s.site === site)?.runs ?? 0;
  return { ...usage, runs };
}
