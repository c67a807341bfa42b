// The text of `tbps campaign plan`: per step its groups, per group its labels (jobs, quanta) and the estimate, then
// the totals and the notes where history is missing.
import { formatDuration } from '../../core/report/index.js';
import type { CampaignPlan } from './campaignPlan.js';

const hours = (h: number | null) => (h === null ? '-' : h.toFixed(h < 0.1 ? 4 : 2));
const memory = (m: number | null) => (m === null ? '-' : `${Math.round(m)} MiB`);
const wall = (s: number | null) => (s === null ? '-' : formatDuration(s));

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

export function formatPlan(plan: CampaignPlan): string {
  const out: string[] = [`Plan of campaign ${plan.campaign}`];
  for (const step of plan.steps) {
    out.push('', `${step.step}: ${step.groups.length} group(s), ${step.concurrency} at a time, wall ${wall(step.wallSeconds)}`);
    for (const g of step.groups) {
      out.push(`  ${g.group} ${g.runId}  ${g.dataQuery ?? ''}  (graph: ${g.graph})`);
      const rows = [['label', 'jobs', 'quanta'], ...g.labels.map((l) => [l.label, String(l.jobs), String(l.quanta)])];
      out.push(...table(rows).map((line) => `    ${line}`));
      out.push(`    estimate: ${hours(g.estimate.cpuHours)} CPU-hours, peak memory ${memory(g.estimate.peakMemoryMb)}, wall ${wall(g.estimate.wallSeconds)}`);
    }
  }
  const t = plan.totals;
  out.push('', `Total: ${t.quanta} quanta, ${t.jobs} jobs, ${hours(t.cpuHours)} CPU-hours, peak memory ${memory(t.peakMemoryMb)}, wall ${wall(t.wallSeconds)}`);
  for (const n of plan.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
