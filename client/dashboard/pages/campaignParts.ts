// Pieces of a campaign shared by the campaign list and the campaign page: phase badge, the progress bar with its
// ETA, and the histograms of group statuses and job states.
import { STATES } from '../../../core/states.js';
import type { CampaignDetail } from '../../services/index.js';
import { histogram } from '../charts/histogram.js';
import { stateBar } from '../charts/stateBar.js';
import { badge } from '../components.js';
import { count, duration, percent } from '../format.js';
import { html, type Html } from '../html.js';

const GROUP_ORDER = ['running', 'starting', 'pending', 'SUCCEEDED', 'FAILED', 'DELETED', 'skipped'];
/** Job states, active ones first. */
export const JOB_STATE_ORDER = ['RUNNING', 'PENDING', 'READY', 'HELD', 'UNREADY', 'SUCCEEDED', 'FAILED', 'PRUNED', 'DELETED', 'MISFIT', 'UNKNOWN'];
/** Stacking order of a progress bar: what is done first, then what is in flight. */
const BAR_ORDER = ['SUCCEEDED', 'FAILED', 'PRUNED', 'DELETED', 'RUNNING', 'HELD', 'PENDING', 'READY', 'MISFIT', 'UNKNOWN', 'UNREADY'];

export function phaseBadge(d: Pick<CampaignDetail, 'status'>): Html {
  const s = d.status;
  return badge(s.phase, s.phase === 'awaiting-accept' ? 'awaiting accept' : s.phase);
}

export function campaignProgress(d: CampaignDetail): Html {
  const p = d.progress;
  const done = d.jobCounts.SUCCEEDED + d.jobCounts.FAILED + d.jobCounts.PRUNED + d.jobCounts.DELETED;
  const known = Object.values(d.jobCounts).reduce((a, c) => a + c, 0);
  const eta = !d.running ? '' : p.etaSeconds !== null ? `ETA ${duration(p.etaSeconds)}` : d.status.paused ? 'ETA: paused' : d.status.phase === 'awaiting-accept' ? 'ETA: waiting for accept' : 'ETA: not yet known';
  const estimate = p.estimatedJobs > known ? `~${count(p.estimatedJobs)} expected` : `${count(known)} jobs`;
  return html`<div class="progress-block">
${stateBar(BAR_ORDER.map((s) => ({ state: s, value: d.jobCounts[s as keyof typeof d.jobCounts] ?? 0 })), { total: p.estimatedJobs, label: 'campaign progress' })}
<div class="progress-text"><strong>${percent(p.fraction)}</strong><span>${count(done)} done of ${estimate}</span>${eta ? html`<span class="eta">${eta}</span>` : ''}${d.running && p.rate > 0 ? html`<span class="muted">${p.rate.toFixed(p.rate < 10 ? 2 : 0)} jobs/s</span>` : ''}</div>
</div>`;
}

export function groupHistogram(d: CampaignDetail): Html {
  const rows = GROUP_ORDER.map((s) => ({ state: s, value: d.groupCounts[s] ?? 0 })).filter((r) => r.value > 0);
  return histogram(rows, { title: 'Groups', emptyText: 'no group split yet' });
}

export function jobHistogram(d: CampaignDetail): Html {
  const rows = JOB_STATE_ORDER.filter((s) => (STATES as readonly string[]).includes(s))
    .map((s) => ({ state: s, value: d.jobCounts[s as keyof typeof d.jobCounts] ?? 0 }))
    .filter((r) => r.value > 0);
  return histogram(rows, { title: 'Jobs', emptyText: 'no job in the store yet' });
}
