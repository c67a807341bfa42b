// A run's share of its compute site: its priority (1 highest ... 5 lowest, default 3), the site's limit of running
// jobs (`site.<name>.maxRunningJobs`, site config) and its campaign's limit (the campaign spec's `maxRunningJobs`,
// set on each group's run as `campaignMaxRunningJobs`). The per-site scheduler (store/siteSlots.ts) grants job slots
// by this policy. Pure: reads a loaded config, throws BadInputError naming the key for a value out of range.
import { BadInputError } from '../errors.js';

export const PRIORITY_HIGHEST = 1;
export const PRIORITY_LOWEST = 5;
export const PRIORITY_DEFAULT = 3;

/** Config keys (root level; a campaign sets the two campaign ones on each group's run). */
export const CAMPAIGN_PRIORITY_KEY = 'campaignPriority';
export const CAMPAIGN_LIMIT_KEY = 'campaignMaxRunningJobs';
export const SITE_LIMIT_KEY = 'maxRunningJobs';

export interface SlotPolicy {
  site: string;
  /** '' for a run outside any campaign (it has no campaign limit). */
  campaign: string;
  priority: number;
  /** Jobs that may run at once on the site, over every run; null: no limit. */
  siteLimit: number | null;
  /** Jobs of this campaign that may run at once on the site; null: no limit. */
  campaignLimit: number | null;
}

/** The part of a config the policy reads (BpsConfig satisfies it). */
export interface PolicySource {
  get(key: string): unknown;
  section(key: string): Record<string, unknown> | undefined;
  fileOf(path: string): string | undefined;
  readonly configFile?: string;
}

/** A campaign priority: a whole number 1 (highest) ... 5 (lowest). Undefined is the default. */
export function checkPriority(value: unknown, where: { file?: string; key: string }): number {
  if (value === undefined || value === null || value === '') return PRIORITY_DEFAULT;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < PRIORITY_HIGHEST || n > PRIORITY_LOWEST)
    throw new BadInputError(`must be a whole number from ${PRIORITY_HIGHEST} (highest) to ${PRIORITY_LOWEST} (lowest), got ${JSON.stringify(value)}`, where);
  return n;
}

/** A running-jobs limit: a whole number >= 1. Undefined means no limit. */
export function checkLimit(value: unknown, where: { file?: string; key: string }): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw new BadInputError(`must be a whole number of jobs, 1 or more (leave it out for no limit), got ${JSON.stringify(value)}`, where);
  return n;
}

/**
 * Every `site.<name>.maxRunningJobs` of the config, checked (a site section's limit is bad input even when the run
 * goes to another site). Returns the limits by site name.
 */
export function siteLimits(config: PolicySource): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, section] of Object.entries(config.section('site') ?? {})) {
    if (!section || typeof section !== 'object' || Array.isArray(section)) continue;
    const key = `site.${name}.${SITE_LIMIT_KEY}`;
    const limit = checkLimit((section as Record<string, unknown>)[SITE_LIMIT_KEY], { file: config.fileOf(key) ?? config.configFile, key });
    if (limit !== null) out.set(name, limit);
  }
  return out;
}

/** The slot policy of a run on `site`; every key checked. */
export function readSlotPolicy(config: PolicySource, site: string): SlotPolicy {
  const where = (key: string) => ({ file: config.fileOf(key) ?? config.configFile, key });
  const campaign = config.get('campaign');
  return {
    site,
    campaign: typeof campaign === 'string' ? campaign : campaign === undefined || campaign === null ? '' : String(campaign),
    priority: checkPriority(config.get(CAMPAIGN_PRIORITY_KEY), where(CAMPAIGN_PRIORITY_KEY)),
    siteLimit: siteLimits(config).get(site) ?? null,
    campaignLimit: checkLimit(config.get(CAMPAIGN_LIMIT_KEY), where(CAMPAIGN_LIMIT_KEY)),
  };
}

/** True when the scheduler has something to hold: a run with no limit anywhere never waits for a slot. */
export function isThrottled(policy: SlotPolicy): boolean {
  return policy.siteLimit !== null || policy.campaignLimit !== null;
}
