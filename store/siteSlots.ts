// The per-site scheduler's data: sites' running-job limits, runs' slot policies and job slot leases. A job that
// starts on a throttled site first takes a lease: `acquireSlot` adds it as waiting and, in the same write
// transaction (the database's write lock: one grant pass at a time over every process), grants waiting leases in
// order (priority, then request time) while the site's limit and each campaign's limit leave room. A lease is
// released when the job ends; one not renewed for STALE_MS belongs to a lost executor and is dropped. The tables
// hold only jobs that wait or run, so a grant pass reads O(active jobs of one site), never a run's history.
import type { Kysely } from 'kysely';
import type { SlotPolicy } from '../core/run/slotPolicy.js';
import type { Backend } from './backend.js';
import type { Database } from './schema.js';

/** A lease not renewed for this long is taken as lost with its executor (holders renew every RENEW_MS). */
export const STALE_MS = 60_000;
export const RENEW_MS = 10_000;

export type SlotState = 'waiting' | 'running';

export interface SlotRequest {
  runId: string;
  job: string;
  /** Who holds the lease (host and process), shown by `tbps site show`. */
  holder: string;
}

/** A run's policy with its site's current limit: what a job of the run needs to ask for a slot. */
export interface RunSlotPolicy extends SlotPolicy {
  /** The site's limit as recorded now (the newest run that set site.<name>.maxRunningJobs); null: none. */
  siteLimit: number | null;
}

export interface CampaignUsage {
  campaign: string;
  priority: number;
  running: number;
  waiting: number;
  limit: number | null;
}

export interface SiteUsage {
  site: string;
  limit: number | null;
  running: number;
  waiting: number;
  campaigns: CampaignUsage[];
}

const now = () => new Date().toISOString();

/** Records a run's policy and every site limit its config sets (site config: the newest value wins). */
export async function recordSlotPolicy(b: Backend, runId: string, policy: SlotPolicy, siteLimits: Map<string, number>): Promise<void> {
  const at = now();
  await b.writeTx(async (trx) => {
    const row = { site: policy.site, campaign: policy.campaign, priority: policy.priority, campaign_limit: policy.campaignLimit };
    await trx
      .insertInto('run_slot_policies')
      .values({ run_id: runId, ...row })
      .onConflict((oc) => oc.column('run_id').doUpdateSet(row))
      .execute();
    for (const [site, limit] of siteLimits) {
      await trx
        .insertInto('site_limits')
        .values({ site, max_running_jobs: limit, updated_at: at })
        .onConflict((oc) => oc.column('site').doUpdateSet({ max_running_jobs: limit, updated_at: at }))
        .execute();
    }
  });
}

/** The run's policy and its site's limit; undefined for a run recorded before the scheduler (never throttled). */
export async function runSlotPolicy(b: Backend, runId: string): Promise<RunSlotPolicy | undefined> {
  const row = await b.db.selectFrom('run_slot_policies').selectAll().where('run_id', '=', runId).executeTakeFirst();
  if (!row) return undefined;
  return { site: row.site, campaign: row.campaign, priority: Number(row.priority), campaignLimit: nullableInt(row.campaign_limit), siteLimit: await siteLimit(b.db, row.site) };
}

async function siteLimit(db: Kysely<Database>, site: string): Promise<number | null> {
  const row = await db.selectFrom('site_limits').select('max_running_jobs').where('site', '=', site).executeTakeFirst();
  return row ? Number(row.max_running_jobs) : null;
}

/** Known sites with a recorded limit. */
export async function limitedSites(b: Backend): Promise<string[]> {
  return (await b.db.selectFrom('site_limits').select('site').orderBy('site').execute()).map((r) => r.site);
}

/**
 * Asks for (or renews the request of) a slot for one job and runs a grant pass over its site. Returns the lease's
 * state after the pass. Repeating it is safe: a job whose lease is already granted (a retry after a lost worker,
 * or the holder polling) keeps it.
 */
export async function acquireSlot(b: Backend, request: SlotRequest, policy: RunSlotPolicy): Promise<SlotState> {
  return b.writeTx(async (trx) => {
    const at = now();
    const existing = await trx.selectFrom('site_slots').select('state').where('run_id', '=', request.runId).where('job', '=', request.job).executeTakeFirst();
    if (existing) {
      await trx.updateTable('site_slots').set({ renewed_at: at, holder: request.holder }).where('run_id', '=', request.runId).where('job', '=', request.job).execute();
      if (existing.state === 'running') return 'running';
    } else {
      await trx
        .insertInto('site_slots')
        .values({
          run_id: request.runId,
          job: request.job,
          site: policy.site,
          campaign: policy.campaign,
          priority: policy.priority,
          campaign_limit: policy.campaignLimit,
          state: 'waiting',
          requested_at: at,
          renewed_at: at,
          holder: request.holder,
        })
        .execute();
    }
    await grantPass(trx, policy.site, at);
    const mine = await trx.selectFrom('site_slots').select('state').where('run_id', '=', request.runId).where('job', '=', request.job).executeTakeFirst();
    return (mine?.state as SlotState | undefined) ?? 'waiting';
  });
}

/** Keeps a granted lease alive (the holder calls it every RENEW_MS while its job runs). */
export async function renewSlot(b: Backend, runId: string, job: string): Promise<void> {
  await b.writeTx((trx) => trx.updateTable('site_slots').set({ renewed_at: now() }).where('run_id', '=', runId).where('job', '=', job).execute());
}

/** Ends a job's lease (granted or not) and hands its slot on at once. */
export async function releaseSlot(b: Backend, runId: string, job: string): Promise<void> {
  await b.writeTx(async (trx) => {
    const row = await trx.selectFrom('site_slots').select('site').where('run_id', '=', runId).where('job', '=', job).executeTakeFirst();
    if (!row) return;
    await trx.deleteFrom('site_slots').where('run_id', '=', runId).where('job', '=', job).execute();
    await grantPass(trx, row.site, now());
  });
}

/**
 * Grants waiting leases of a site in order (priority, then request time) while the site's limit leaves room; a
 * waiter whose campaign is at its limit is passed over (it does not hold up other campaigns).
 */
async function grantPass(trx: Kysely<Database>, site: string, at: string): Promise<void> {
  const staleBefore = new Date(Date.parse(at) - STALE_MS).toISOString();
  await trx.deleteFrom('site_slots').where('site', '=', site).where('renewed_at', '<', staleBefore).execute();
  const limit = await siteLimit(trx, site);
  const rows = await trx
    .selectFrom('site_slots')
    .select(['run_id', 'job', 'campaign', 'campaign_limit', 'state'])
    .where('site', '=', site)
    .orderBy('priority')
    .orderBy('requested_at')
    .orderBy('run_id')
    .orderBy('job')
    .execute();
  let running = 0;
  const runningByCampaign = new Map<string, number>();
  for (const r of rows) {
    if (r.state !== 'running') continue;
    running++;
    runningByCampaign.set(r.campaign, (runningByCampaign.get(r.campaign) ?? 0) + 1);
  }
  for (const r of rows) {
    if (r.state !== 'waiting') continue;
    if (limit !== null && running >= limit) break;
    const campaignLimit = nullableInt(r.campaign_limit);
    const campaignRunning = runningByCampaign.get(r.campaign) ?? 0;
    if (r.campaign !== '' && campaignLimit !== null && campaignRunning >= campaignLimit) continue;
    await trx.updateTable('site_slots').set({ state: 'running', granted_at: at }).where('run_id', '=', r.run_id).where('job', '=', r.job).execute();
    running++;
    runningByCampaign.set(r.campaign, campaignRunning + 1);
  }
}

/** Running and waiting jobs of a site per campaign, against the site's and the campaigns' limits. */
export async function siteUsage(b: Backend, site: string): Promise<SiteUsage> {
  const limit = await siteLimit(b.db, site);
  const rows = await b.db
    .selectFrom('site_slots')
    .select(['campaign', 'state', 'priority', 'campaign_limit'])
    .where('site', '=', site)
    .where('renewed_at', '>=', new Date(Date.now() - STALE_MS).toISOString())
    .execute();
  const byCampaign = new Map<string, CampaignUsage>();
  for (const r of rows) {
    const c = byCampaign.get(r.campaign) ?? { campaign: r.campaign, priority: Number(r.priority), running: 0, waiting: 0, limit: nullableInt(r.campaign_limit) };
    if (r.state === 'running') c.running++;
    else c.waiting++;
    c.priority = Math.min(c.priority, Number(r.priority));
    byCampaign.set(r.campaign, c);
  }
  const campaigns = [...byCampaign.values()].sort((x, y) => x.priority - y.priority || x.campaign.localeCompare(y.campaign));
  return {
    site,
    limit,
    running: campaigns.reduce((n, c) => n + c.running, 0),
    waiting: campaigns.reduce((n, c) => n + c.waiting, 0),
    campaigns,
  };
}

function nullableInt(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
