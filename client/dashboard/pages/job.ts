// The job page (`/runs/:id/jobs/:name`): the job, its root cause, every attempt (host, memory requested and peak,
// exit code, signal, error class and matched line, times), the end of each attempt's logs with the root-cause line
// highlighted (element #root-cause), its command line, and links to the run and batch workflows in the Temporal
// Web UI.
import { batchWorkflowId, jobWorkflowId, runWorkflowId } from '../../../core/run/queues.js';
import type { AttemptRecord } from '../../services/index.js';
import { getRunOrThrow, jobDetail, jobLogs, type AttemptLog, type LogFile } from '../../services/index.js';
import { badge, card, empty, externalLink, jobsHref, kvGrid, notice, runHref } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { count, dateTime, duration, mib, secondsBetween } from '../format.js';
import { html, type Html } from '../html.js';
import type { PageView } from '../layout.js';
import { retriesNote } from './jobs.js';

const TAIL = 200;

/** A shell-quoted command line for display. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Index of the log line that holds the root cause (the last line containing it), or -1. */
export function rootCauseLine(lines: readonly string[], cause: string | undefined): number {
  const needle = cause?.trim();
  if (!needle) return -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (l && (l.includes(needle) || (l.length >= 12 && needle.includes(l)))) return i;
  }
  return -1;
}

interface Marker {
  /** The page's one #root-cause element is still to be placed. */
  pending: boolean;
}

function logView(name: string, f: LogFile, cause: string | undefined, marker: Marker): Html {
  if (!f.exists) return html`<div class="log-head"><b>${name}</b> <span class="muted">not written${f.path ? html` (${f.path})` : ''}</span></div>`;
  const lines = f.text.replace(/\n$/, '').split('\n');
  const at = rootCauseLine(lines, cause);
  const body = lines.map((l, i) => {
    if (i !== at) return html`<span class="ln">${l}</span>`;
    const id = marker.pending ? html` id="root-cause"` : '';
    marker.pending = false;
    return html`<span class="ln root-cause"${id} title="root cause">${l}</span>`;
  });
  return html`<div class="log-head"><b>${name}</b> <code class="small">${f.path}</code> <span class="muted small">${count(f.size)} bytes${f.truncated ? ` · last ${lines.length} lines` : ''}</span></div>
<pre class="log">${f.text === '' ? html`<span class="muted">(empty)</span>` : body}</pre>`;
}

function attemptsTable(attempts: readonly AttemptRecord[]): Html {
  if (attempts.length === 0) return empty('No attempt yet.');
  return html`<div class="table-wrap"><table class="data attempts"><thead><tr><th class="num">#</th><th>State</th><th>Host</th><th class="num">Memory req.</th><th class="num">Peak</th><th class="num">Exit</th><th>Signal</th><th>Error class</th><th>Matched line</th><th>Started (UTC)</th><th>Ended</th><th class="num">Wall</th><th class="num">Wait</th></tr></thead><tbody>
${attempts.map((a) => html`<tr>
<td class="num"><a href="#attempt-${a.attempt}">${a.attempt}</a></td><td>${badge(a.state)}</td><td class="small">${a.host ?? '-'}</td>
<td class="num">${mib(a.memoryMb)}</td><td class="num${a.peakRssMb !== null && a.memoryMb !== null && a.peakRssMb > a.memoryMb ? ' bad-text' : ''}">${mib(a.peakRssMb)}</td>
<td class="num">${a.exitCode ?? '-'}</td><td>${a.signal ?? ''}</td><td>${a.errorClass ?? ''}</td><td class="mono small wrap">${a.errorLine ?? ''}</td>
<td class="nowrap small">${dateTime(a.startedAt)}</td><td class="nowrap small">${dateTime(a.endedAt)}</td><td class="num">${duration(a.wallSeconds ?? secondsBetween(a.startedAt, a.endedAt))}</td><td class="num">${duration(a.waitSeconds)}</td></tr>`)}
</tbody></table></div>`;
}

function attemptLogs(a: AttemptLog, marker: Marker, open: boolean): Html {
  const t = a.attempt;
  const summary = html`Attempt ${t.attempt} ${badge(t.state)} <span class="muted small">${t.host ?? ''} · ${dateTime(t.startedAt)}${t.exitCode !== null ? ` · exit ${t.exitCode}` : ''}${t.signal ? ` · ${t.signal}` : ''}</span>`;
  const cause = t.errorLine ?? a.rootCause;
  return html`<details class="attempt-logs" id="attempt-${t.attempt}"${open ? html` open` : ''}><summary>${summary}</summary>
${a.rootCause ? html`<div class="cause-line"><span class="muted small">root cause</span> <code>${a.rootCause}</code></div>` : ''}
${logView('stderr', a.stderr, cause, marker)}${logView('stdout', a.stdout, cause, marker)}</details>`;
}

export async function jobPage(dash: Dashboard, r: PageRequest, runId: string, name: string): Promise<PageView> {
  const ctx = dash.services;
  const [run, d] = await Promise.all([getRunOrThrow(ctx, runId), jobDetail(ctx, runId, name)]);
  const logs = await jobLogs(ctx, runId, { job: name, attempt: 'all', tail: TAIL });
  const j = d.job;
  const lastLog = logs.attempts.at(-1);
  const failed = j.state === 'FAILED' || (lastLog && lastLog.attempt.state !== 'SUCCEEDED' && lastLog.attempt.endedAt);
  const cause = lastLog?.rootCause;
  const marker: Marker = { pending: true };
  // The newest attempt first, so its root-cause line is the one marked.
  const logBlocks = [...logs.attempts].reverse().map((a, i) => attemptLogs(a, marker, i === 0));
  const batchLink = j.batch >= 0 ? dash.webUi(batchWorkflowId(runId, j.batch)) : run.wms !== 'local' ? dash.webUi(jobWorkflowId(runId, j.name)) : undefined;
  const rootBox =
    failed && cause
      ? html`<div class="root-cause-box"><div><span class="muted small">Root cause${j.errorClass ? html` · ${badge('FAILED', j.errorClass)}` : ''}</span><code>${cause}</code></div>${marker.pending ? '' : html`<a class="btn small" href="#root-cause">Show in log ↓</a>`}</div>`
      : '';
  // The cause was not found in the log tails: the box itself is the root-cause element.
  const rootBoxMarked = marker.pending && rootBox ? html`<div id="root-cause" class="root-cause">${rootBox}</div>` : rootBox;
  const header = card({
    title: html`<span class="job-name">${j.name}</span> ${badge(j.state)} ${retriesNote(j)}`,
    sub: html`job of run <a href="${runHref(runId, r.site)}">${runId}</a>`,
    actions: html`${externalLink(dash.webUi(runWorkflowId(runId)), 'Run workflow')}${externalLink(batchLink, j.batch >= 0 ? `Batch ${j.batch} workflow` : 'Job workflow')}<a class="btn small" href="${jobsHref(runId, { label: j.label, site: r.site })}">Jobs of ${j.label}</a>`,
    body: html`${r.site && j.computeSite && j.computeSite !== r.site ? notice('info', html`This job ran at site <b>${j.computeSite}</b>, not <b>${r.site}</b>.`) : ''}${rootBoxMarked}
${kvGrid([
      ['Label', j.label],
      ['Kind', j.kind],
      ['Data id', j.dataId ? html`<code>${j.dataId}</code>` : ''],
      ['Quanta', count(j.quanta)],
      ['Batch', j.batch >= 0 ? String(j.batch) : '-'],
      ['Attempts', `${j.attempts} of at most ${j.maxAttempts}`],
      ['Compute site', j.computeSite ?? ''],
      ['Tasks', d.taskLabels?.join(', ') ?? ''],
      ['Parents', j.parents.length ? `${j.parents.length} job${j.parents.length === 1 ? '' : 's'}` : 'none'],
    ])}`,
  });
  return {
    title: `Job ${j.name}`,
    crumbs: [
      { label: 'Campaigns', href: '/' },
      ...(run.campaign ? [{ label: run.campaign, href: `/campaigns/${encodeURIComponent(run.campaign)}` }] : []),
      { label: runId, href: runHref(runId, r.site) },
      { label: 'Jobs', href: jobsHref(runId, { site: r.site }) },
      { label: j.name },
    ],
    body: html`${header}
${card({ title: 'Attempts', sub: 'memory requested per attempt (escalated on retries) and peak resident memory', body: attemptsTable(d.attempts) })}
${card({ title: 'Logs', sub: `the last ${TAIL} lines of each attempt's stderr and stdout, newest attempt first`, body: logBlocks.length ? html`${logBlocks}` : empty('No log yet.') })}
${card({ title: 'Command', body: html`<pre class="code">${shellLine(d.argv)}</pre>` })}`,
  };
}
