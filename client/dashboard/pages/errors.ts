// The errors pages (`/runs/:id/errors`, `/campaigns/:name/errors`): final failures grouped by error class, most
// frequent first, each with its count, one example job (linked) and the example's matched line or root cause.
import { errorSummary, type ErrorSummary, type StatsScope } from '../../services/index.js';
import { badge, campaignHref, card, empty, jobHref, jobsHref, runHref } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { count } from '../format.js';
import { html, type Html } from '../html.js';
import type { PageView } from '../layout.js';

function errorsTable(e: ErrorSummary, site?: string): Html {
  if (e.classes.length === 0) return empty('No job failed for good.');
  const run = 'runId' in e.scope ? e.scope.runId : undefined;
  const max = Math.max(...e.classes.map((c) => c.count));
  return html`<div class="table-wrap"><table class="data errors"><thead><tr><th>Error class</th><th class="num">Jobs</th><th class="bar-col"></th><th>Example job</th><th>Its line</th></tr></thead><tbody>
${e.classes.map((c) => html`<tr>
<td>${run ? html`<a href="${jobsHref(run, { errorClass: c.errorClass === 'unknown' ? undefined : c.errorClass, state: 'FAILED', site })}">${badge('FAILED', c.errorClass)}</a>` : badge('FAILED', c.errorClass)}</td>
<td class="num">${count(c.count)}</td>
<td class="bar-col"><svg class="mini-bar" width="100%" height="8"><rect class="seg t-bad" x="0" y="0" width="${((c.count / max) * 100).toFixed(1)}%" height="8" rx="4"/></svg></td>
<td class="name">${c.exampleJob ? html`<a href="${jobHref(c.exampleRun, c.exampleJob, site)}">${c.exampleJob}</a>` : '-'}<div class="muted small">${c.exampleLabel}${run ? '' : html` · run <a href="${runHref(c.exampleRun, site)}">${c.exampleRun}</a>`}</div></td>
<td class="mono small wrap">${c.exampleLine ?? c.exampleCause ?? ''}</td>
</tr>`)}</tbody></table></div>`;
}

export async function errorsPage(dash: Dashboard, r: PageRequest, scope: StatsScope): Promise<PageView> {
  const e = await errorSummary(dash.services, scope);
  const isRun = 'runId' in scope;
  const name = isRun ? scope.runId : scope.campaign;
  return {
    title: `Errors of ${name}`,
    crumbs: [
      { label: 'Campaigns', href: '/' },
      { label: name, href: isRun ? runHref(name, r.site) : campaignHref(name, r.site) },
      { label: 'Errors' },
    ],
    body: card({
      title: html`Errors <span class="count bad">${count(e.failedJobs)}</span>`,
      sub: html`final failures (jobs FAILED) of ${isRun ? 'run' : html`the runs of campaign`} <b>${name}</b> by error class`,
      body: errorsTable(e, r.site),
    }),
  };
}
