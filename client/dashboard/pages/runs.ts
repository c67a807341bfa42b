// The runs page (`/runs`): the most recent runs, newest first, as the run list of `tbps report` (state, %
// succeeded, id, operator, project, campaign, payload) plus site, age and a progress bar; `?campaign=` narrows it.
import { percentSucceeded, runFlag } from '../../../core/report/index.js';
import { listRuns, progressOf, type RunListItem } from '../../services/index.js';
import { stateBar } from '../charts/stateBar.js';
import { badge, campaignHref, card, empty, runHref } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { count, shortTime } from '../format.js';
import { html, type Html } from '../html.js';
import type { PageView } from '../layout.js';

const BAR = ['SUCCEEDED', 'FAILED', 'PRUNED', 'DELETED', 'RUNNING', 'HELD', 'PENDING', 'READY', 'UNREADY'] as const;

export function runsTable(runs: readonly RunListItem[], site: string | undefined, opts: { campaignColumn?: boolean } = {}): Html {
  const withCampaign = opts.campaignColumn !== false;
  return html`<div class="table-wrap"><table class="data runs">
<thead><tr><th>State</th><th class="num">%S</th><th>Run</th><th class="bar-col">Jobs</th><th>Operator</th><th>Project</th>${withCampaign ? html`<th>Campaign</th>` : ''}<th>Payload</th><th>Site</th><th>Created</th></tr></thead>
<tbody>${runs.map((r) => {
    const { done, total } = progressOf(r.counts);
    return html`<tr>
<td class="nowrap">${badge(r.state)}${runFlag(r.state, r.counts) ? html` <span class="flag" title="needs attention: F failed, D deleted, H held jobs">${runFlag(r.state, r.counts)}</span>` : ''}</td>
<td class="num">${percentSucceeded(r.jobs, r.counts)}</td>
<td class="name"><a href="${runHref(r.runId, site)}">${r.runId}</a></td>
<td class="bar-col">${stateBar(BAR.map((s) => ({ state: s, value: r.counts[s] })), { total, height: 8, label: `${done} of ${total} jobs done` })}<span class="small muted">${count(done)} / ${count(total)}</span></td>
<td>${r.operator}</td><td>${r.project}</td>
${withCampaign ? html`<td>${r.campaign ? html`<a href="${campaignHref(r.campaign, site)}">${r.campaign}</a>${r.step ? html` <span class="muted">${r.step}</span>` : ''}` : html`<span class="muted">-</span>`}</td>` : ''}
<td>${r.payloadName}</td><td>${r.computeSite}</td><td class="nowrap">${shortTime(r.createdAt)}</td></tr>`;
  })}</tbody></table></div>`;
}

export async function runsPage(dash: Dashboard, r: PageRequest, campaign?: string): Promise<PageView> {
  const runs = await listRuns(dash.services, { limit: 100, computeSite: r.site, campaign });
  const sub = html`newest first, at most 100${campaign ? html` · campaign <b>${campaign}</b>` : ''}${r.site ? html` · site <b>${r.site}</b>` : ''}`;
  return {
    title: 'Runs',
    crumbs: [{ label: 'Campaigns', href: '/' }, { label: 'Runs' }],
    body: card({ title: html`Runs <span class="count">${runs.length}</span>`, sub, body: runs.length ? runsTable(runs, r.site) : empty('No run matches.') }),
  };
}
