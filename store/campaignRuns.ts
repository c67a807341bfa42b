// The runs of one campaign with what `campaign show` and the dashboard print per group: submit directory, data
// query, compute site, message and job counts by state. Two queries whatever the number of groups (the runs by
// their campaign column, the jobs grouped by run and state), so a step of thousands of groups shows at once.
import type { CampaignRunDetail } from '../core/campaign/view.js';
import type { Backend } from './backend.js';
import { num } from './convert.js';

export async function campaignRunDetails(b: Backend, campaign: string): Promise<Map<string, CampaignRunDetail>> {
  const runs = await b.db
    .selectFrom('runs')
    .select(['run_id', 'submit_path', 'data_query', 'compute_site', 'message'])
    .where('campaign', '=', campaign)
    .execute();
  const out = new Map<string, CampaignRunDetail>();
  for (const r of runs)
    out.set(r.run_id, { runId: r.run_id, submitPath: r.submit_path, dataQuery: r.data_query, computeSite: r.compute_site, message: r.message, jobStates: {} });
  if (out.size === 0) return out;
  const counts = await b.db
    .selectFrom('jobs')
    .select((eb) => ['run_id', 'state', eb.fn.countAll().as('n')])
    .where('run_id', 'in', b.db.selectFrom('runs').select('run_id').where('campaign', '=', campaign))
    .groupBy(['run_id', 'state'])
    .execute();
  for (const c of counts) {
    const run = out.get(c.run_id);
    if (run) run.jobStates[c.state] = num(c.n);
  }
  return out;
}
