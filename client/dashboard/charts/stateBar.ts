// A stacked horizontal bar (inline SVG, full width): one segment per state, in the order given, coloured by tone,
// each with a tooltip. Used as the progress bar of campaigns and runs.
import { html, type Html } from '../html.js';
import { count, percent } from '../format.js';
import { toneClass } from '../tones.js';

export interface BarSegment {
  state: string;
  value: number;
}

export function stateBar(segments: readonly BarSegment[], opts: { total?: number; height?: number; label?: string } = {}): Html {
  const shown = segments.filter((s) => s.value > 0);
  const total = Math.max(opts.total ?? 0, shown.reduce((a, s) => a + s.value, 0));
  const h = opts.height ?? 12;
  let x = 0;
  const rects = shown.map((s) => {
    const w = total > 0 ? (s.value / total) * 100 : 0;
    const r = html`<rect class="seg ${toneClass(s.state)}" x="${x.toFixed(3)}%" y="0" width="${w.toFixed(3)}%" height="${h}"><title>${s.state}: ${count(s.value)} (${percent(s.value / total)})</title></rect>`;
    x += w;
    return r;
  });
  return html`<svg class="state-bar" role="img" aria-label="${opts.label ?? 'progress'}" width="100%" height="${h}"><rect class="track" x="0" y="0" width="100%" height="${h}"/>${rects}</svg>`;
}
