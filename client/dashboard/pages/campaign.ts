// The campaign page (`/campaigns/:name`): the campaign's phase, progress and pause switch; its steps drawn as a
// graph; every step with its groups (run link, state, counts, decision) and the accept / reject / retry buttons;
// and the operator actions recorded in the campaign's history.
import type { GroupView, StepView } from '../../../core/campaign/index.js';
import { campaignWorkflowId } from '../../../core/campaign/index.js';
import { campaignDetail, listRuns, type CampaignDetail, type RunListItem } from '../../services/index.js';
import { stepGraph } from '../charts/stepGraph.js';
import { actionButton, badge, card, empty, externalLink, kvGrid, num, pauseSwitch, runHref } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { dateTime, duration, secondsBetween, shortTime } from '../format.js';
import { html, query, seg, type Html } from '../html.js';
import type { PageView } from '../layout.js';
import { campaignProgress, groupHistogram, jobHistogram, phaseBadge } from './campaignParts.js';

const FAILED_GROUP = ['FAILED', 'DELETED'];
/** The status word whose colour an operator action takes. */
const ACTION_TONE: Record<string, string> = { pause: 'paused', 'auto-pause': 'paused', resume: 'running', accept: 'accepted', reject: 'rejected', retry: 'running', skip: 'skipped', edit: 'awaiting-accept' };

function groupCounts(g: GroupView, run: RunListItem | undefined): { succeeded: number; failed: number; pruned: number; jobs: number } | undefined {
  if (run) {
    const jobs = Object.values(run.counts).reduce((a, c) => a + c, 0);
    return { succeeded: run.counts.SUCCEEDED, failed: run.counts.FAILED, pruned: run.counts.PRUNED, jobs };
  }
  return g.counts;
}

function stepRows(name: string, step: StepView, gate: boolean, runs: Map<string, RunListItem>, r: PageRequest, running: boolean): Html {
  const groups = r.site ? step.groups.filter((g) => runs.get(g.runId)?.computeSite === r.site) : step.groups;
  const failed = step.groups.filter((g) => (FAILED_GROUP.includes(g.status) || g.decision === 'rejected') && g.decision !== 'accepted');
  const canAccept = step.status === 'awaiting-accept' || step.status === 'rejected' || (step.status === 'done' && failed.length > 0);
  const stepActions = running
    ? html`${canAccept ? actionButton({ verb: 'accept', campaign: name, step: step.name, canAct: r.canAct, label: 'Accept step' }) : ''}${step.status === 'awaiting-accept' ? actionButton({ verb: 'reject', campaign: name, step: step.name, canAct: r.canAct, label: 'Reject step' }) : ''}${failed.length > 0 && step.status !== 'pending' ? actionButton({ verb: 'retry', campaign: name, step: step.name, canAct: r.canAct, label: 'Retry failed groups' }) : ''}`
    : html``;
  const flags = [step.edited ? 'edited' : '', gate ? 'gate' : ''].filter(Boolean).join(' · ');
  const took = step.startedAt ? duration(secondsBetween(step.startedAt, step.endedAt)) : '';
  const head = html`<tr class="step-row"><th colspan="9"><div class="step-head"><span class="step-name">${step.name}</span>${badge(step.status)}${step.decision ? badge(step.decision) : ''}${flags ? html`<span class="muted small">${flags}</span>` : ''}<span class="muted small">${step.startedAt ? html`started ${shortTime(step.startedAt)}${step.endedAt ? html` · ended ${shortTime(step.endedAt)}` : ''} · ${took}` : 'not started'}</span><span class="step-actions">${stepActions}</span></div></th></tr>`;
  if (groups.length === 0) {
    return html`${head}<tr><td colspan="9" class="muted">${step.groups.length === 0 ? 'Groups are made when the step starts.' : `No group of this step ran at site ${r.site}.`}</td></tr>`;
  }
  return html`${head}${groups.map((g) => {
    const run = runs.get(g.runId);
    const c = groupCounts(g, run);
    const failedGroup = FAILED_GROUP.includes(g.status) && g.decision !== 'accepted';
    return html`<tr>
<td class="name">${g.id}</td>
<td class="name">${run ? html`<a href="${runHref(g.runId, r.site)}">${g.runId}</a>` : html`<span class="muted">${g.runId}</span>`}</td>
<td>${badge(g.status)}${g.retry ? html` <span class="muted small">retry queued</span>` : ''}</td>
<td class="num">${g.executions}</td>
<td class="num">${c ? num(c.succeeded) : '-'}</td>
<td class="num">${c ? num(c.failed, c.failed ? `/runs/${seg(g.runId)}/jobs${query({ state: 'FAILED', site: r.site })}` : undefined) : '-'}</td>
<td class="num">${c ? num(c.pruned) : '-'}</td>
<td>${g.decision ? badge(g.decision) : ''}${run ? html` <span class="muted small">${run.computeSite}</span>` : ''}</td>
<td class="actions">${running && failedGroup ? html`${actionButton({ verb: 'retry', campaign: name, step: step.name, group: g.id, canAct: r.canAct })}${actionButton({ verb: 'accept', campaign: name, step: step.name, group: g.id, canAct: r.canAct })}` : ''}${g.message ? html`<span class="muted small" title="${g.message}">${g.message.length > 60 ? `${g.message.slice(0, 60)}…` : g.message}</span>` : ''}</td>
</tr>`;
  })}`;
}

function actionsTable(d: CampaignDetail): Html {
  const actions = [...d.status.actions].reverse();
  if (actions.length === 0) return empty('No operator action recorded yet.');
  return html`<div class="table-wrap"><table class="data"><thead><tr><th>Time (UTC)</th><th>Operator</th><th>Action</th><th>Step / groups</th><th>Detail</th></tr></thead><tbody>
${actions.map((a) => html`<tr><td class="nowrap">${dateTime(a.at)}</td><td>${a.operator}</td><td>${badge(ACTION_TONE[a.action] ?? 'pending', a.action)}</td><td>${[a.step, a.groups?.join(', ')].filter(Boolean).join(' · ') || html`<span class="muted">-</span>`}</td><td class="wrap">${a.detail ?? ''}</td></tr>`)}
</tbody></table></div>`;
}

export async function campaignPage(dash: Dashboard, r: PageRequest, name: string): Promise<PageView> {
  const ctx = dash.services;
  const d = await campaignDetail(ctx, name);
  const runs = new Map((await listRuns(ctx, { campaign: name, limit: 1000 })).map((x) => [x.runId, x]));
  const s = d.status;
  const gates = s.steps.map((_, i) => !!s.spec.steps[i]?.gate);
  const header = card({
    title: html`${s.name} ${phaseBadge(d)}`,
    sub: html`campaign · operator <b>${s.operator}</b> · started ${dateTime(s.startedAt)}${s.endedAt ? html` · ended ${dateTime(s.endedAt)}` : ''}`,
    actions: html`${pauseSwitch({ campaign: name, paused: s.paused, running: d.running, canAct: r.canAct })}<a class="btn small" href="/campaigns/${seg(name)}/errors${query({ site: r.site })}">Errors</a><a class="btn small" href="/runs${query({ campaign: name, site: r.site })}">Runs</a>${externalLink(dash.webUi(campaignWorkflowId(name)), 'Temporal')}`,
    body: html`${s.paused && s.pauseReason ? html`<div class="pause-reason"><b>Paused:</b> ${s.pauseReason}</div>` : ''}${campaignProgress(d)}
<div class="cc-charts">${groupHistogram(d)}${jobHistogram(d)}${kvGrid([
      ['Current step', s.steps[s.current]?.name ?? '-'],
      ['Base config', s.spec.baseConfig],
      ['Output', s.spec.output ?? ''],
      ['Concurrency', String(s.spec.concurrency ?? '')],
      ['Runs in store', String(d.runIds.length)],
    ])}</div>`,
  });
  const graph = card({ title: 'Steps', sub: 'in order; a step starts when the previous one is done (and accepted, behind a gate)', body: html`<div class="graph-wrap">${stepGraph(s.steps, { current: s.current, gates })}</div>` });
  const steps = card({
    title: 'Groups',
    sub: r.site ? html`groups that ran at site <b>${r.site}</b>` : 'each group is one run',
    body: html`<div class="table-wrap"><table class="data groups"><thead><tr><th>Group</th><th>Run</th><th>State</th><th class="num" title="executions of the run workflow">Exec</th><th class="num">Succeeded</th><th class="num">Failed</th><th class="num">Pruned</th><th>Decision · site</th><th>Actions</th></tr></thead><tbody>
${s.steps.map((st, i) => stepRows(name, st, gates[i], runs, r, d.running))}</tbody></table></div>`,
  });
  const actions = card({ title: 'Operator actions', sub: 'newest first, as recorded in the campaign history', body: actionsTable(d) });
  return {
    title: `Campaign ${name}`,
    crumbs: [{ label: 'Campaigns', href: `/${query({ site: r.site })}` }, { label: name }],
    body: html`${header}${graph}${steps}${actions}`,
  };
}
