// Progress over time (inline SVG step chart): jobs finished by each moment, succeeded and failed stacked, against
// the run's job count; the line runs on to now while the run is live.
import type { ProgressPoint } from '../../services/index.js';
import { html, type Html } from '../html.js';
import { count } from '../format.js';
import { legendItem } from './timeline.js';
import { tickAnchor, tickLabel, timeTicks } from './axis.js';

const W = 1000;
const H = 150;
const LEFT = 56;
const BOTTOM = 22;

export function progressChart(points: readonly ProgressPoint[], opts: { totalJobs: number; live: boolean; now?: number }): Html {
  if (points.length === 0) return html`<p class="muted">No job has finished yet.</p>`;
  const from = Date.parse(points[0].at);
  const lastPoint = points[points.length - 1];
  const to = Math.max(from + 1000, opts.live ? (opts.now ?? Date.now()) : Date.parse(lastPoint.at));
  const top = Math.max(1, opts.totalJobs, lastPoint.succeeded + lastPoint.failed);
  const x = (t: number) => LEFT + ((t - from) / (to - from)) * (W - LEFT - 8);
  const y = (n: number) => 6 + (1 - n / top) * (H - BOTTOM - 6);
  // Step paths: hold each cumulated value until the next point, then jump.
  const path = (value: (p: ProgressPoint) => number) => {
    let d = `M${x(from).toFixed(1)},${y(0).toFixed(1)}`;
    let prev = 0;
    for (const p of points) {
      const px = x(Date.parse(p.at)).toFixed(1);
      d += ` H${px} V${y(value(p)).toFixed(1)}`;
      prev = value(p);
    }
    d += ` H${x(to).toFixed(1)} V${y(0).toFixed(1)} Z`;
    return { d, end: prev };
  };
  const all = path((p) => p.succeeded + p.failed);
  const ok = path((p) => p.succeeded);
  const yTicks = [0, Math.round(top / 2), top];
  const xTicks = timeTicks(from, to);
  return html`<svg class="progress-chart" role="img" aria-label="jobs finished over time" viewBox="0 0 ${W} ${H}" width="100%">
${yTicks.map((n) => html`<line class="grid" x1="${LEFT}" x2="${W - 8}" y1="${y(n).toFixed(1)}" y2="${y(n).toFixed(1)}"/><text class="tick" x="${LEFT - 6}" y="${(y(n) + 4).toFixed(1)}" text-anchor="end">${count(n)}</text>`)}
${xTicks.map((t) => html`<text class="tick" x="${x(t).toFixed(1)}" y="${H - 6}" text-anchor="${tickAnchor(x(t), LEFT, W - 8)}">${tickLabel(t, xTicks)}</text>`)}
<path class="area t-bad" d="${all.d}"><title>finished: ${count(all.end)}</title></path>
<path class="area t-ok" d="${ok.d}"><title>succeeded: ${count(ok.end)}</title></path>
<line class="target" x1="${LEFT}" x2="${W - 8}" y1="${y(opts.totalJobs).toFixed(1)}" y2="${y(opts.totalJobs).toFixed(1)}"/>
</svg>
<div class="legend">${legendItem('ok', 'succeeded')}${legendItem('bad', 'failed')}<span class="legend-item"><i class="swatch dashed"></i>all ${count(opts.totalJobs)} jobs</span><span class="muted">cumulative · UTC</span></div>`;
}
