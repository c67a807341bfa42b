// The step sequence of a campaign (inline SVG): one node per step, left to right, joined by arrows; each node
// shows the step's status, its groups as dots coloured by their status, and a gate mark when the step waits for an
// operator's accept.
import type { StepState } from '../../../core/campaign/index.js';
import { html, type Html } from '../html.js';
import { toneClass } from '../tones.js';

const NODE_W = 168;
const NODE_H = 78;
const GAP = 44;
const DOT = 9;

export function stepGraph(steps: readonly StepState[], opts: { current: number; gates: readonly boolean[] }): Html {
  if (steps.length === 0) return html``;
  const width = steps.length * NODE_W + (steps.length - 1) * GAP + 8;
  const nodes = steps.map((s, i) => {
    const x = 4 + i * (NODE_W + GAP);
    const maxDots = Math.floor((NODE_W - 24) / (DOT + 3));
    const groups = s.groups.slice(0, maxDots * 2);
    const dots = groups.map((g, k) => {
      const row = Math.floor(k / maxDots);
      const col = k % maxDots;
      return html`<rect class="seg ${toneClass(g.status)}" x="${x + 12 + col * (DOT + 3)}" y="${50 + row * (DOT + 3)}" width="${DOT}" height="${DOT}" rx="2"><title>${g.id}: ${g.status}${g.decision ? ` (${g.decision})` : ''}</title></rect>`;
    });
    const more = s.groups.length > groups.length ? html`<text class="node-sub" x="${x + NODE_W - 10}" y="${NODE_H - 2}" text-anchor="end">+${s.groups.length - groups.length}</text>` : html``;
    const arrow =
      i < steps.length - 1
        ? html`<line class="edge" x1="${x + NODE_W + 2}" y1="${NODE_H / 2 + 4}" x2="${x + NODE_W + GAP - 8}" y2="${NODE_H / 2 + 4}" marker-end="url(#arrow)"/>`
        : html``;
    const groupsText = s.groups.length === 0 ? 'not split yet' : `${s.groups.length} group${s.groups.length === 1 ? '' : 's'}`;
    return html`<g class="node ${toneClass(s.status)}${i === opts.current ? ' current' : ''}">
<rect class="node-box" x="${x}" y="4" width="${NODE_W}" height="${NODE_H}" rx="10"/><rect class="node-stripe seg" x="${x}" y="4" width="6" height="${NODE_H}" rx="3"/>
<text class="node-title" x="${x + 14}" y="24">${s.name}</text>${opts.gates[i] ? html`<text class="node-flag" x="${x + NODE_W - 10}" y="22" text-anchor="end">GATE</text>` : ''}
<text class="node-sub" x="${x + 14}" y="41">${s.status}${s.decision ? ` · ${s.decision}` : ''} · ${groupsText}</text>${more}
${dots}</g>${arrow}`;
  });
  return html`<svg class="step-graph" role="img" aria-label="campaign steps" viewBox="0 0 ${width} ${NODE_H + 10}" width="${width}" style="max-width:100%">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker></defs>
${nodes}</svg>`;
}
