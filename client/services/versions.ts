// Cheap "has anything changed?" stamps for live views: the store's change counter, and for campaign views the
// Temporal side (each campaign's status and history length, which grow with every signal, update and finished
// group). A view re-reads its data only when its stamp moves.
import type { ServiceContext } from './context.js';
import { campaignWorkflowId } from '../../core/campaign/index.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { listCampaigns } from './campaigns.js';

/** Moves whenever a worker or the CLI commits a change to the store. */
export async function storeVersion(ctx: ServiceContext): Promise<string> {
  return `s${await ctx.store.dataVersion()}`;
}

/** Most running campaigns whose history length goes into the list's stamp. */
const MAX_DESCRIBED = 20;

/** The campaign list (ended within `days`; 0 = all): names, states and the running ones' history lengths. */
export async function campaignsVersion(ctx: ServiceContext, days: number): Promise<string> {
  const list = await listCampaigns(ctx, { endedWithinDays: days });
  const running = list.filter((c) => c.status === 'RUNNING').slice(0, MAX_DESCRIBED);
  const lengths = await Promise.all(running.map((c) => historyLength(ctx, c.name)));
  const parts = list.map((c) => `${c.name}:${c.status}:${c.state}:${c.step}`);
  return `${parts.join(',')}|${lengths.join(',')}`;
}

/** One campaign: its execution status and history length ('missing' when there is no such campaign). */
export async function campaignVersion(ctx: ServiceContext, name: string): Promise<string> {
  return historyLength(ctx, name);
}

async function historyLength(ctx: ServiceContext, name: string): Promise<string> {
  const { client } = await ctx.temporal();
  try {
    const d = await client.workflow.getHandle(campaignWorkflowId(name)).describe();
    return `${d.runId}:${d.status.name}:${d.historyLength}`;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'missing';
    throw err;
  }
}
