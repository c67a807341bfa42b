// A horizontal histogram (inline SVG): one labelled bar per state with its count, bars scaled to the largest, each
// optionally a link (e.g. to the jobs in that state).
import { html, type Html } from '../html.js';
import { count } from '../format.js';
import { toneClass } from '../tones.js';

export interface HistogramRow {
  state: string;
  value: number;
  href?: string;
}

const ROW = 20;
const LABEL_W = 104;
const WIDTH = 360;

export function histogram(rows: readonly HistogramRow[], opts: { title: string; emptyText?: string }): Html {
  if (rows.length === 0 || rows.every((r) => r.value === 0)) {
    return html`<div class="histogram"><div class="chart-title">${opts.title}</div><p class="muted small">${opts.emptyText ?? 'nothing yet'}</p></div>`;
  }
  const max = Math.max(...rows.map((r) => r.value));
  const barMax = WIDTH - LABEL_W - 56;
  const height = rows.length * ROW;
  const bars = rows.map((r, i) => {
    const y = i * ROW;
    const w = max > 0 ? Math.max(r.value > 0 ? 2 : 0, (r.value / max) * barMax) : 0;
    const bar = html`<text class="h-label" x="${LABEL_W - 8}" y="${y + 14}" text-anchor="end">${r.state}</text><rect class="seg ${toneClass(r.state)}" x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" rx="3"/><text class="h-value" x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 14}">${count(r.value)}</text>`;
    return r.href ? html`<a href="${r.href}"><title>${r.state}: ${count(r.value)}</title>${bar}</a>` : html`<g><title>${r.state}: ${count(r.value)}</title>${bar}</g>`;
  });
  return html`<div class="histogram"><div class="chart-title">${opts.title}</div><svg role="img" aria-label="${opts.title}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">${bars}</svg></div>`;
}
