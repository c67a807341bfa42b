// The run page (`/runs/:id`): the run's summary and links (jobs, failures, errors, Temporal Web UI), the per-label
// table of BPS states with EXPECTED and TOTAL (the numbers of `tbps report --id`), the failed jobs, the attempt
// timeline, progress over time, the statistics of `tbps stats`, and the provenance.
import { STATES } from '../../../core/states.js';
import { runWorkflowId } from '../../../core/run/queues.js';
import type { LabelCount } from '../../../core/report/index.js';
import { runDetail, runProgressSeries, runTimeline, statistics, type RunDetail, type Statistics } from '../../services/index.js';
import { progressChart } from '../charts/progressChart.js';
import { stateBar } from '../charts/stateBar.js';
import { timelineChart } from '../charts/timeline.js';
import { badge, campaignHref, card, empty, externalLink, jobHref, jobsHref, kvGrid, num } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { count, dateTime, duration, mib, percent } from '../format.js';
import { html, query, seg, type Html } from '../html.js';
import type { PageView } from '../layout.js';
import { toneClass } from '../tones.js';

const BAR = ['SUCCEEDED', 'FAILED', 'PRUNED', 'DELETED', 'RUNNING', 'HELD', 'PENDING', 'READY', 'MISFIT', 'UNKNOWN', 'UNREADY'] as const;

function bucketName(seconds: number): string {
  const names: Record<number, string> = { 1: 'second', 10: '10 seconds', 60: 'minute', 600: '10 minutes', 3600: 'hour', 86400: 'day' };
  return names[seconds] ?? duration(seconds);
}

function labelTable(d: RunDetail, site?: string): Html {
  const row = (l: LabelCount, total: boolean) =>
    html`<tr${total ? html` class="total"` : ''}><th scope="row" class="name">${l.label}</th>${STATES.map((s) => html`<td class="num">${num(l.counts[s], jobsHref(d.run.runId, { label: total ? undefined : l.label, state: s, site }))}</td>`)}<td class="num">${count(l.expected)}</td></tr>`;
  return html`<div class="table-wrap"><table class="data states"><thead><tr><th></th>${STATES.map((s) => html`<th class="num state-head"><i class="swatch ${toneClass(s)}"></i>${s}</th>`)}<th class="num">EXPECTED</th></tr></thead>
<tbody>${row(d.total, true)}${d.labels.map((l) => row(l, false))}</tbody></table></div>`;
}

function failedJobs(d: RunDetail, site?: string): Html {
  if (d.failed.length === 0) return empty('No job failed.');
  return html`<div class="table-wrap"><table class="data"><thead><tr><th>Job</th><th>Label</th><th class="num">Attempts</th><th class="num">Exit</th><th>Error class</th><th>Root cause</th></tr></thead><tbody>
${d.failed.map((j) => html`<tr><td class="name"><a href="${jobHref(d.run.runId, j.name, site)}">${j.name}</a></td><td>${j.label}</td><td class="num">${j.attempts}</td><td class="num">${j.signal ?? j.exitCode ?? '-'}</td><td>${j.errorClass ? badge('FAILED', j.errorClass) : '-'}</td><td class="wrap mono">${j.errorLine ?? j.errorSummary ?? ''}</td></tr>`)}
</tbody></table></div>${d.total.counts.FAILED > d.failed.length ? html`<p class="small"><a href="${jobsHref(d.run.runId, { state: 'FAILED', site })}">All ${count(d.total.counts.FAILED)} failed jobs →</a></p>` : ''}`;
}

function statsTable(s: Statistics): Html {
  const row = (l: Statistics['total'], total: boolean) => html`<tr${total ? html` class="total"` : ''}><th scope="row" class="name">${l.label}</th>
<td class="num">${count(l.jobs)}</td><td class="num">${num(l.succeeded)}</td><td class="num">${num(l.failed)}</td><td class="num">${num(l.retries)}</td><td class="num">${count(l.attempts)}</td><td class="num">${num(l.failedAttempts)}</td>
<td class="num">${duration(l.wallMin)}</td><td class="num">${duration(l.wallMean)}</td><td class="num">${duration(l.wallMax)}</td><td class="num">${duration(l.wallTotal)}</td>
<td class="num">${mib(l.memMin)}</td><td class="num">${mib(l.memMean)}</td><td class="num">${mib(l.memMax)}</td><td class="num">${duration(l.waitMean)}</td></tr>`;
  const labels = html`<div class="table-wrap"><table class="data stats"><thead>
<tr><th rowspan="2">Label</th><th colspan="6" class="group">Jobs and attempts</th><th colspan="4" class="group">Wall time per attempt</th><th colspan="3" class="group">Peak memory</th><th rowspan="2" class="num">Queue wait</th></tr>
<tr><th class="num">Jobs</th><th class="num">Succeeded</th><th class="num">Failed</th><th class="num">Retries</th><th class="num">Attempts</th><th class="num">Failed att.</th><th class="num">Min</th><th class="num">Mean</th><th class="num">Max</th><th class="num">Total</th><th class="num">Min</th><th class="num">Mean</th><th class="num">Max</th></tr></thead>
<tbody>${row(s.total, true)}${s.labels.map((l) => row(l, false))}</tbody></table></div>`;
  if (s.tasks.length === 0 || s.tasks.every((t) => t.split === 'job')) return labels;
  const tasks = html`<h3>Per pipeline task</h3><div class="table-wrap"><table class="data"><thead><tr><th>Task</th><th class="num">Quanta</th><th class="num">Jobs</th><th class="num">Seconds</th><th class="num">Per quantum</th><th>Split</th></tr></thead><tbody>
${s.tasks.map((t) => html`<tr><th scope="row" class="name">${t.task}</th><td class="num">${count(t.quanta)}</td><td class="num">${count(t.jobs)}</td><td class="num">${duration(t.wallTotal)}</td><td class="num">${duration(t.wallPerQuantum)}</td><td class="muted">${t.split}</td></tr>`)}</tbody></table></div>`;
  return html`${labels}${tasks}`;
}

function provenance(d: RunDetail): Html {
  const p = d.provenance;
  if (!p) return empty('No provenance recorded (provenance.json is missing from the submit directory).');
  const lsst = p.lsst && Object.keys(p.lsst).length > 0 ? html`${Object.entries(p.lsst).map(([k, v]) => html`<span class="chip">${k} <b>${v}</b></span>`)}` : html`<span class="muted">none (no LSST stack used)</span>`;
  const env = Object.entries(p.environment ?? {});
  const files: [string, string | null | undefined][] = [
    ['Config file', p.configFile],
    ['Config snapshot', p.configSnapshot],
    ['Submit directory', d.run.submitPath],
  ];
  return html`${kvGrid([
    ['tbps', p.tbps ?? ''],
    ['Node / Temporal SDK', `${p.node ?? '-'} / ${p.temporalSdk ?? '-'}`],
    ['Host', p.host ?? ''],
    ['Prepared', dateTime(p.preparedAt)],
  ])}
<div class="kv-wide"><div class="kv-label">LSST stack</div><div>${lsst}</div></div>
<table class="files">${files.map(([k, v]) => html`<tr><th>${k}</th><td>${v ? html`<code>${v}</code>` : html`<span class="muted">-</span>`}</td></tr>`)}</table>
${env.length ? html`<details class="env" id="provenance-env"><summary>Environment <span class="muted">(${env.length} variables)</span></summary><pre class="code env-vars">${env.map(([k, v]) => `${k}=${v}`).join('\n')}</pre></details>` : ''}`;
}

export async function runPage(dash: Dashboard, r: PageRequest, runId: string): Promise<PageView> {
  const ctx = dash.services;
  const d = await runDetail(ctx, runId);
  const [stats, timeline, series] = await Promise.all([
    statistics(ctx, { runId }),
    runTimeline(ctx, runId, { computeSite: r.site }),
    runProgressSeries(ctx, runId, { computeSite: r.site }),
  ]);
  const run = d.run;
  const total = Object.values(d.total.counts).reduce((a, c) => a + c, 0);
  const done = d.total.counts.SUCCEEDED + d.total.counts.FAILED + d.total.counts.PRUNED + d.total.counts.DELETED;
  const live = !['SUCCEEDED', 'FAILED', 'DELETED', 'PRUNED'].includes(run.state);
  const jobsLink = (state?: string) => jobsHref(runId, { state, site: r.site });
  const header = card({
    title: html`${run.runId} ${badge(run.state)}`,
    sub: html`run <code>${run.name}</code>${run.campaign ? html` · campaign <a href="${campaignHref(run.campaign, r.site)}">${run.campaign}</a>${run.step ? html` step <b>${run.step}</b>` : ''}` : ''}`,
    actions: html`<a class="btn small" href="${jobsLink()}">Jobs</a>${d.total.counts.FAILED > 0 ? html`<a class="btn small danger" href="${jobsLink('FAILED')}">Failed jobs (${count(d.total.counts.FAILED)})</a>` : ''}<a class="btn small" href="/runs/${seg(runId)}/errors${query({ site: r.site })}">Errors</a>${externalLink(dash.webUi(runWorkflowId(runId)), 'Temporal')}`,
    body: html`<div class="progress-block">${stateBar(BAR.map((s) => ({ state: s, value: d.total.counts[s] })), { total, label: 'run progress' })}
<div class="progress-text"><strong>${percent(total ? done / total : 0)}</strong><span>${count(done)} of ${count(total)} jobs finished</span><span>${count(d.total.counts.SUCCEEDED)} succeeded</span>${d.total.counts.FAILED ? html`<span class="bad-text">${count(d.total.counts.FAILED)} failed</span>` : ''}${d.total.counts.RUNNING ? html`<span>${count(d.total.counts.RUNNING)} running</span>` : ''}</div></div>
${run.message ? html`<div class="notice notice-warn">${run.message}</div>` : ''}
${run.waiting ? html`<div class="notice notice-warn wms-waiting">${run.waiting}</div>` : ''}
${kvGrid([
      ['Operator', run.operator],
      ['Project', run.project],
      ['Payload', run.payloadName],
      ['Compute site', run.computeSite],
      ['Workload system', run.wms],
      ['Quanta / jobs', `${count(run.quanta)} / ${count(run.jobs || total)}`],
      ['Created', dateTime(run.createdAt)],
      ['Updated', dateTime(run.updatedAt)],
      ['Restarts', String(run.restartCount)],
    ])}`,
  });
  const siteNote = r.site ? html` · jobs at site <b>${r.site}</b>` : '';
  return {
    title: `Run ${runId}`,
    crumbs: [
      { label: 'Campaigns', href: `/${query({ site: r.site })}` },
      ...(run.campaign ? [{ label: run.campaign, href: campaignHref(run.campaign, r.site) }] : [{ label: 'Runs', href: `/runs${query({ site: r.site })}` }]),
      { label: runId },
    ],
    body: html`${header}
${card({ title: 'Jobs by label and state', sub: 'as tbps report prints it; every count links to its jobs', body: labelTable(d, r.site) })}
${d.failed.length ? card({ title: html`Failed jobs <span class="count bad">${count(d.total.counts.FAILED)}</span>`, body: failedJobs(d, r.site) }) : ''}
${card({
  title: 'Job timeline',
  sub: html`one bar per attempt${timeline.truncated ? html` · the ${count(timeline.attempts.length)} most recent of ${timeline.totalCapped ? 'more than ' : ''}${count(timeline.total)} attempts` : html` · ${count(timeline.total)} attempts`}${siteNote}`,
  body: timelineChart(timeline.attempts, { jobHref: (job) => jobHref(runId, job, r.site) }),
})}
${card({ title: 'Progress over time', sub: html`jobs finished, counted per ${bucketName(series.bucketSeconds)}${siteNote}`, body: progressChart(series.points, { totalJobs: total, live }) })}
${card({ title: 'Statistics', sub: 'per job label, from every attempt (as tbps stats)', body: stats.labels.length ? statsTable(stats) : empty('No job yet.') })}
${card({ title: 'Provenance', body: provenance(d) })}`,
  };
}
