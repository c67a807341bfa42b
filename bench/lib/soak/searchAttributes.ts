// Whether every workflow of the soak's campaign can be found by it in the Web UI: the campaign, its runs and their
// job batches all carry BpsCampaign, and every workflow below the campaign carries BpsRun (read from visibility).
import type { Client } from '@temporalio/client';
import { BpsCampaign, BpsRun } from '../../../workflows/searchKeys.js';

export interface AttributeCensus {
  workflows: number;
  withoutCampaign: string[];
  withoutRun: string[];
}

/** The campaign's workflows (campaign/<name>, run/<runId> and everything under run/<runId>/), checked for the two attributes. */
export async function searchAttributeCensus(client: Client, campaign: string, runIds: readonly string[]): Promise<AttributeCensus> {
  const census: AttributeCensus = { workflows: 0, withoutCampaign: [], withoutRun: [] };
  const ofCampaign = (id: string) => id === `campaign/${campaign}` || runIds.some((r) => id === `run/${r}` || id.startsWith(`run/${r}/`));
  for await (const wf of client.workflow.list()) {
    if (!ofCampaign(wf.workflowId)) continue;
    census.workflows++;
    if (wf.typedSearchAttributes.get(BpsCampaign) !== campaign) census.withoutCampaign.push(`${wf.workflowId} (${wf.type})`);
    if (wf.workflowId !== `campaign/${campaign}` && !wf.typedSearchAttributes.get(BpsRun)) census.withoutRun.push(`${wf.workflowId} (${wf.type})`);
  }
  return census;
}
