// Small building blocks shared by the pages: state badges, cards, key/value grids, pagination, links to the
// Temporal Web UI, and the operator controls (pause switch, action buttons) that are disabled on a read-only view.
import { html, query, seg, type Html, type Interpolated } from './html.js';
import { count, plural } from './format.js';
import { toneClass } from './tones.js';

export function badge(state: string, text: Interpolated = state): Html {
  return html`<span class="badge ${toneClass(state)}">${text}</span>`;
}

export function card(o: { title: Interpolated; sub?: Interpolated; actions?: Interpolated; body: Interpolated; id?: string; cls?: string }): Html {
  return html`<section class="card${o.cls ? ` ${o.cls}` : ''}"${o.id ? html` id="${o.id}"` : ''}><header class="card-head"><div><h2>${o.title}</h2>${o.sub ? html`<div class="card-sub">${o.sub}</div>` : ''}</div>${o.actions ? html`<div class="card-actions">${o.actions}</div>` : ''}</header><div class="card-body">${o.body}</div></section>`;
}

export function kvGrid(pairs: readonly (readonly [string, Interpolated])[]): Html {
  return html`<dl class="kv">${pairs.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v === '' || v === null || v === undefined ? html`<span class="muted">-</span>` : v}</dd></div>`)}</dl>`;
}

export function empty(text: Interpolated): Html {
  return html`<p class="empty">${text}</p>`;
}

export function notice(kind: 'warn' | 'error' | 'info', text: Interpolated): Html {
  return html`<div class="notice notice-${kind}" role="${kind === 'info' ? 'status' : 'alert'}">${text}</div>`;
}

/** A count cell: dimmed when 0, a link when given. */
export function num(n: number, href?: string): Html {
  if (n === 0) return html`<span class="zero">0</span>`;
  return href ? html`<a href="${href}">${count(n)}</a>` : html`${count(n)}`;
}

export function runHref(runId: string, site?: string): string {
  return `/runs/${seg(runId)}${query({ site })}`;
}

export function jobHref(runId: string, job: string, site?: string): string {
  return `/runs/${seg(runId)}/jobs/${seg(job)}${query({ site })}`;
}

export function campaignHref(name: string, site?: string): string {
  return `/campaigns/${seg(name)}${query({ site })}`;
}

export function jobsHref(runId: string, f: { label?: string; state?: string; errorClass?: string; site?: string; dataId?: string; page?: number }): string {
  return `/runs/${seg(runId)}/jobs${query({ label: f.label, state: f.state, dataId: f.dataId, errorClass: f.errorClass, site: f.site, page: f.page && f.page > 1 ? f.page : undefined })}`;
}

export function externalLink(href: string | undefined, text: string): Html {
  if (!href) return html``;
  return html`<a class="ext" href="${href}" target="_blank" rel="noopener noreferrer">${text}<span aria-hidden="true"> ↗</span></a>`;
}

export function pager(o: { page: number; pages: number; total: number; pageSize: number; href: (page: number) => string }): Html {
  const first = o.total === 0 ? 0 : (o.page - 1) * o.pageSize + 1;
  const last = Math.min(o.total, o.page * o.pageSize);
  const prev = o.page > 1 ? html`<a class="btn" rel="prev" href="${o.href(o.page - 1)}">← Previous</a>` : html`<span class="btn disabled">← Previous</span>`;
  const next = o.page < o.pages ? html`<a class="btn" rel="next" href="${o.href(o.page + 1)}">Next →</a>` : html`<span class="btn disabled">Next →</span>`;
  return html`<nav class="pager" aria-label="pages">${prev}<span class="pager-info">${count(first)}–${count(last)} of ${plural(o.total, 'job')} · page ${count(o.page)} of ${count(o.pages)}</span>${next}</nav>`;
}

const READ_ONLY = 'read-only: start the dashboard with --token and open it with ?token=… to act';

/** The pause/resume switch of a running campaign (on = running, off = paused). */
export function pauseSwitch(o: { campaign: string; paused: boolean; running: boolean; canAct: boolean }): Html {
  if (!o.running) return html``;
  const enabled = o.canAct;
  const verb = o.paused ? 'resume' : 'pause';
  const title = enabled ? (o.paused ? 'Resume the campaign' : 'Pause the campaign before its next step') : READ_ONLY;
  return html`<button type="button" class="switch${o.paused ? '' : ' on'}" role="switch" aria-checked="${o.paused ? 'false' : 'true'}" data-action="${verb}" data-campaign="${o.campaign}" title="${title}"${enabled ? '' : html` disabled`}><span class="switch-track"><span class="switch-knob"></span></span><span class="switch-label">${o.paused ? 'Paused' : 'Running'}</span></button>`;
}

/** A button posting an operator action (accept, reject, retry) on a campaign step or group. */
export function actionButton(o: { verb: 'accept' | 'reject' | 'retry'; campaign: string; step: string; group?: string; canAct: boolean; label?: string }): Html {
  const label = o.label ?? o.verb[0].toUpperCase() + o.verb.slice(1);
  const what = o.group ? `group ${o.group} of ${o.step}` : `step ${o.step}`;
  return html`<button type="button" class="btn small act-${o.verb}" data-action="${o.verb}" data-campaign="${o.campaign}" data-step="${o.step}"${o.group ? html` data-group="${o.group}"` : ''} data-confirm="${label} ${what}?" title="${o.canAct ? `${label} ${what}` : READ_ONLY}"${o.canAct ? '' : html` disabled`}>${label}</button>`;
}
