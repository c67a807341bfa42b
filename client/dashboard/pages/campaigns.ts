// The campaigns page (`/`): running campaigns first, then those ended within the chosen window (7 days by default,
// `?days=0` for all), each with its progress bar and ETA, histograms of group and job states and the pause switch;
// below, the recent runs that belong to no campaign.
import { BadInputError } from '../../../core/errors.js';
import { campaignDetail, listCampaigns, listRuns, type CampaignDetail, type CampaignListItem } from '../../services/index.js';
import { badge, campaignHref, card, empty, notice, pauseSwitch } from '../components.js';
import type { Dashboard, PageRequest } from '../context.js';
import { shortTime } from '../format.js';
import { html, query, type Html } from '../html.js';
import type { PageView } from '../layout.js';
import { toneClass } from '../tones.js';
import { mapLimit } from '../mapLimit.js';
import { campaignProgress, groupHistogram, jobHistogram, phaseBadge } from './campaignParts.js';
import { runsTable } from './runs.js';

export const DAY_CHOICES = [1, 7, 30, 0];

function campaignCard(c: CampaignListItem, d: CampaignDetail | Error, r: PageRequest): Html {
  const head = html`<div class="cc-head"><a class="cc-name" href="${campaignHref(c.name, r.site)}">${c.name}</a>${d instanceof Error ? badge(c.status) : phaseBadge(d)}
<span class="cc-meta">${c.operator ? html`operator <b>${c.operator}</b> · ` : ''}started ${shortTime(c.started)}${c.closed ? html` · ended ${shortTime(c.closed)}` : ''}</span>
${d instanceof Error ? '' : pauseSwitch({ campaign: c.name, paused: d.status.paused, running: d.running, canAct: r.canAct })}</div>`;
  if (d instanceof Error) return html`<article class="campaign-card">${head}${notice('warn', `status unavailable: ${d.message}`)}</article>`;
  return html`<article class="campaign-card" data-campaign="${c.name}">${head}
${d.status.paused && d.status.pauseReason ? html`<div class="pause-reason"><b>Paused:</b> ${d.status.pauseReason}</div>` : ''}
${stepChips(d)}
${campaignProgress(d)}
<div class="cc-charts">${groupHistogram(d)}${jobHistogram(d)}</div></article>`;
}

/** The steps in order as small chips coloured by status, the current one marked. */
function stepChips(d: CampaignDetail): Html {
  const s = d.status;
  return html`<ol class="step-chips">${s.steps.map((st, i) => html`<li class="${toneClass(st.status)}${i === s.current && d.running ? ' current' : ''}" title="${st.name}: ${st.status}, ${st.groups.length} group(s)"><i class="swatch"></i>${st.name} <span class="muted">${st.status}</span></li>`)}</ol>`;
}

function daysFilter(days: number, site?: string): Html {
  const label = (d: number) => (d === 0 ? 'all' : d === 1 ? '1 day' : `${d} days`);
  return html`<span class="seg-control" role="group" aria-label="ended within">${DAY_CHOICES.map((d) =>
    d === days ? html`<span class="active">${label(d)}</span>` : html`<a href="/${query({ days: d === 7 ? undefined : d, site })}">${label(d)}</a>`,
  )}</span>`;
}

export async function campaignsPage(dash: Dashboard, r: PageRequest, days: number): Promise<PageView> {
  const ctx = dash.services;
  if (!Number.isInteger(days) || days < 0) throw new BadInputError(`expected a whole number of days >= 0, got ${days}`, { key: 'days' });
  let campaigns: CampaignListItem[] = [];
  let problem: string | undefined;
  try {
    campaigns = await listCampaigns(ctx, { endedWithinDays: days });
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    problem = (err as Error).message;
  }
  if (r.site) {
    const atSite = await Promise.all(campaigns.map(async (c) => (await listRuns(ctx, { campaign: c.name, computeSite: r.site, limit: 1 })).length > 0));
    campaigns = campaigns.filter((_, i) => atSite[i]);
  }
  const details = await mapLimit(campaigns, 6, (c) => campaignDetail(ctx, c.name).catch((e: Error) => e));
  const running = campaigns.map((c, i) => [c, details[i]] as const).filter(([c]) => c.status === 'RUNNING');
  const ended = campaigns.map((c, i) => [c, details[i]] as const).filter(([c]) => c.status !== 'RUNNING');
  const loose = (await listRuns(ctx, { campaign: '', computeSite: r.site, limit: 15 }));
  const siteNote = r.site ? html` at site <b>${r.site}</b>` : '';
  const body = html`${problem ? notice('error', html`Campaigns unavailable: ${problem}`) : ''}
${card({
  title: html`Running campaigns <span class="count">${running.length}</span>`,
  sub: siteNote,
  body: running.length ? html`<div class="campaign-list">${running.map(([c, d]) => campaignCard(c, d, r))}</div>` : empty(html`No campaign is running${siteNote}. Start one with <code>tbps campaign start SPEC</code>.`),
})}
${card({
  title: html`Recently ended <span class="count">${ended.length}</span>`,
  sub: html`ended within ${days === 0 ? 'any time' : days === 1 ? 'the last day' : `the last ${days} days`}${siteNote}`,
  actions: daysFilter(days, r.site),
  body: ended.length ? html`<div class="campaign-list">${ended.map(([c, d]) => campaignCard(c, d, r))}</div>` : empty('No campaign ended in this window.'),
})}
${card({
  title: 'Runs outside campaigns',
  sub: html`the most recent${siteNote}`,
  actions: html`<a class="btn small" href="/runs${query({ site: r.site })}">All runs →</a>`,
  body: loose.length ? runsTable(loose, r.site, { campaignColumn: false }) : empty('No run outside a campaign yet.'),
})}`;
  return { title: 'Campaigns', crumbs: [{ label: 'Campaigns' }], body };
}
