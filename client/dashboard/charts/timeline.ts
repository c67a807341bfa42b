// The job timeline of a run (inline SVG): one bar per attempt from its start to its end (or now, while it runs),
// packed into lanes like slots of the executors, coloured by outcome: succeeded, failed for good, failed and
// retried, running, other. Failed attempts link to their job.
import type { TimelineAttempt } from '../../services/index.js';
import { html, type Html } from '../html.js';
import { clock, duration } from '../format.js';
import { tone } from '../tones.js';
import { tickAnchor, tickLabel, timeTicks } from './axis.js';

const WIDTH = 1000;
const AXIS_H = 20;
const MAX_HEIGHT = 260;

export function outcomeOf(a: TimelineAttempt, lastAttempt: number): string {
  if (a.state === 'FAILED' && a.attempt < lastAttempt) return 'retry';
  if (!a.endedAt && a.state !== 'SUCCEEDED' && a.state !== 'FAILED') return 'run';
  return tone(a.state);
}

/** Lane index per attempt (attempts sorted by start): the first lane free at its start. */
export function packLanes(spans: readonly { start: number; end: number }[]): { lanes: number[]; count: number } {
  const laneEnds: number[] = [];
  const lanes = spans.map((s) => {
    let i = laneEnds.findIndex((end) => end <= s.start);
    if (i < 0) {
      i = laneEnds.length;
      laneEnds.push(s.end);
    } else laneEnds[i] = s.end;
    return i;
  });
  return { lanes, count: laneEnds.length };
}

export function timelineChart(attempts: readonly TimelineAttempt[], opts: { jobHref: (job: string) => string; now?: number }): Html {
  if (attempts.length === 0) return html`<p class="muted">No attempt has started yet.</p>`;
  const now = opts.now ?? Date.now();
  const spans = attempts.map((a) => {
    const start = Date.parse(a.startedAt);
    return { start, end: Math.max(start, a.endedAt ? Date.parse(a.endedAt) : now) };
  });
  const from = Math.min(...spans.map((s) => s.start));
  const to = Math.max(from + 1000, ...spans.map((s) => s.end));
  const scale = (t: number) => ((t - from) / (to - from)) * WIDTH;
  const { lanes, count } = packLanes(spans);
  const laneH = Math.max(3, Math.min(14, Math.floor(MAX_HEIGHT / count)));
  const gap = laneH >= 8 ? 2 : laneH >= 5 ? 1 : 0;
  const plotH = count * laneH;
  const last = new Map<string, number>();
  for (const a of attempts) last.set(a.jobName, Math.max(last.get(a.jobName) ?? 0, a.attempt));
  const bars = attempts.map((a, i) => {
    const s = spans[i];
    const x = scale(s.start);
    const w = Math.max(1.5, scale(s.end) - x);
    const outcome = outcomeOf(a, last.get(a.jobName) ?? a.attempt);
    const tip = `${a.jobName} · attempt ${a.attempt} · ${a.state} · ${clock(a.startedAt)}–${a.endedAt ? clock(a.endedAt) : 'now'} (${duration((s.end - s.start) / 1000)})${a.host ? ` · ${a.host}` : ''}${a.errorClass ? ` · ${a.errorClass}` : ''}`;
    const rect = html`<rect class="seg t-${outcome}" x="${x.toFixed(1)}" y="${lanes[i] * laneH}" width="${w.toFixed(1)}" height="${laneH - gap}"><title>${tip}</title></rect>`;
    return outcome === 'bad' || outcome === 'retry' ? html`<a href="${opts.jobHref(a.jobName)}">${rect}</a>` : rect;
  });
  const ticks = timeTicks(from, to);
  const axis = ticks.map((t) => {
    const x = scale(t);
    return html`<line class="grid" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="0" y2="${plotH + 4}"/><text class="tick" x="${x.toFixed(1)}" y="${plotH + 16}" text-anchor="${tickAnchor(x, 0, WIDTH)}">${tickLabel(t, ticks)}</text>`;
  });
  return html`<svg class="timeline" role="img" aria-label="job timeline" viewBox="0 0 ${WIDTH} ${plotH + AXIS_H}" width="100%">${axis}${bars}</svg>
<div class="legend">${legendItem('ok', 'succeeded')}${legendItem('bad', 'failed')}${legendItem('retry', 'failed, then retried')}${legendItem('run', 'running')}${legendItem('gone', 'cancelled / other')}<span class="muted">${count} lane${count === 1 ? '' : 's'} · UTC</span></div>`;
}

export function legendItem(t: string, label: string): Html {
  return html`<span class="legend-item"><i class="swatch t-${t}"></i>${label}</span>`;
}
