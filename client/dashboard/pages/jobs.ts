// The jobs page (`/runs/:id/jobs?label=&state=&site=&dataId=&errorClass=&page=`): a run's jobs in workflow order,
// filtered and paginated by the jobs service (unknown labels, states or sites and bad data-id filters are bad
// input), with attempts and retries: a job that succeeded after retries shows SUCCEEDED and its retry count.
import { STATES } from '../../../core/states.js';
import type { JobRecord } from '../../services/index.js';
import { jobPage, runDetail, type JobQuery } from '../../services/index.js';
import { badge, card, empty, jobHref, jobsHref, pager, runHref } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { count, duration, plural, secondsBetween, shortTime } from '../format.js';
import { html, type Html } from '../html.js';
import type { PageView } from '../layout.js';

export interface JobsFilter {
  label?: string;
  state?: string;
  dataId?: string;
  errorClass?: string;
  page?: number;
}

function filterForm(runId: string, labels: string[], f: JobsFilter, site?: string): Html {
  const opt = (v: string, cur: string | undefined, text = v) => html`<option value="${v}"${v === (cur ?? '') ? html` selected` : ''}>${text}</option>`;
  return html`<form class="filters" method="get" action="/runs/${encodeURIComponent(runId)}/jobs">
${site ? html`<input type="hidden" name="site" value="${site}">` : ''}
<label>Label<select name="label">${opt('', f.label, 'any label')}${labels.map((l) => opt(l, f.label))}</select></label>
<label>State<select name="state">${opt('', f.state, 'any state')}${STATES.map((s) => opt(s, f.state))}${f.state && !(STATES as readonly string[]).includes(f.state) ? opt(f.state, f.state) : ''}</select></label>
<label>Data id<input name="dataId" value="${f.dataId ?? ''}" placeholder="visit=903334 detector=10" size="22"></label>
<label>Error class<input name="errorClass" value="${f.errorClass ?? ''}" placeholder="payload" size="14"></label>
<button class="btn primary small" type="submit">Filter</button>
${f.label || f.state || f.dataId || f.errorClass ? html`<a class="btn small" href="${jobsHref(runId, { site })}">Clear</a>` : ''}
</form>`;
}

export function retriesNote(j: JobRecord): Html {
  const retries = Math.max(0, j.attempts - 1);
  return retries > 0 ? html`<span class="retries" title="${j.attempts} attempts">after ${plural(retries, 'retry', 'retries')}</span>` : html``;
}

function jobRow(runId: string, j: JobRecord, site?: string): Html {
  const wall = secondsBetween(j.startedAt, j.endedAt ?? (j.state === 'RUNNING' ? null : j.startedAt));
  return html`<tr>
<td class="num muted">${j.seq}</td>
<td class="name"><a href="${jobHref(runId, j.name, site)}">${j.name}</a></td>
<td>${j.label}</td>
<td class="mono small">${j.dataId ?? ''}</td>
<td class="nowrap">${badge(j.state)} ${retriesNote(j)}</td>
<td class="num">${j.attempts}<span class="muted">/${j.maxAttempts}</span></td>
<td class="num">${j.signal ? html`<span title="signal">${j.signal}</span>` : (j.exitCode ?? html`<span class="muted">-</span>`)}</td>
<td>${j.errorClass ? html`<a href="${jobsHref(runId, { errorClass: j.errorClass, site })}">${j.errorClass}</a>` : ''}</td>
<td class="small">${j.host ?? ''}</td>
<td class="small">${j.computeSite ?? ''}</td>
<td class="nowrap small">${shortTime(j.startedAt)}</td>
<td class="num">${duration(wall)}</td>
</tr>`;
}

export async function jobsPage(dash: Dashboard, r: PageRequest, runId: string, f: JobsFilter): Promise<PageView> {
  const ctx = dash.services;
  const q: JobQuery = { label: f.label, state: f.state, dataId: f.dataId, errorClass: f.errorClass, computeSite: r.site, page: f.page };
  const [detail, page] = await Promise.all([runDetail(ctx, runId, { maxFailed: 0 }), jobPage(ctx, runId, q)]);
  const labels = detail.labels.map((l) => l.label);
  const href = (p: number) => jobsHref(runId, { ...f, site: r.site, page: p });
  const table = page.jobs.length
    ? html`<div class="table-wrap"><table class="data jobs"><thead><tr><th class="num">#</th><th>Job</th><th>Label</th><th>Data id</th><th>State</th><th class="num">Attempts</th><th class="num">Exit</th><th>Error class</th><th>Host</th><th>Site</th><th>Started</th><th class="num">Wall</th></tr></thead>
<tbody>${page.jobs.map((j) => jobRow(runId, j, r.site))}</tbody></table></div>${pager({ ...page, href })}`
    : empty(html`No job matches${r.site ? html` at site <b>${r.site}</b>` : ''}.`);
  return {
    title: `Jobs of ${runId}`,
    crumbs: [
      { label: 'Campaigns', href: '/' },
      ...(detail.run.campaign ? [{ label: detail.run.campaign, href: `/campaigns/${encodeURIComponent(detail.run.campaign)}` }] : []),
      { label: runId, href: runHref(runId, r.site) },
      { label: 'Jobs' },
    ],
    body: card({
      title: html`Jobs <span class="count">${count(page.total)}</span>`,
      sub: html`of run <a href="${runHref(runId, r.site)}">${runId}</a> in workflow order${r.site ? html` · site <b>${r.site}</b>` : ''}`,
      body: html`${filterForm(runId, labels, f, r.site)}${table}`,
    }),
  };
}
