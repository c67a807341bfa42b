// The per-label table of `tbps report --id`: one row per label with the job count in every BPS state plus
// EXPECTED, and a TOTAL row first (as `bps report` prints it), separated by rules.

import { STATES, zeroCounts } from '../states.js';
import { plainTable } from './table.js';
import type { LabelCount } from './types.js';

export const LABEL_TABLE_COLUMNS = ['', ...STATES, 'EXPECTED'] as const;

/** Sums every state and EXPECTED over the labels. */
export function totalCounts(rows: readonly LabelCount[]): LabelCount {
  const counts = zeroCounts();
  let expected = 0;
  for (const r of rows) {
    for (const s of STATES) counts[s] += r.counts[s] ?? 0;
    expected += r.expected;
  }
  return { label: 'TOTAL', counts, expected };
}

export function formatLabelTable(rows: readonly LabelCount[]): string {
  const line = (r: LabelCount) => [r.label, ...STATES.map((s) => r.counts[s] ?? 0), r.expected];
  const body = [line(totalCounts(rows)), ...rows.map(line)];
  const aligns = LABEL_TABLE_COLUMNS.map((_, i) => (i === 0 ? 'left' : 'right') as 'left' | 'right');
  const lines = plainTable([...LABEL_TABLE_COLUMNS], body, aligns);
  // header, rule, TOTAL, rule, labels...
  if (rows.length > 0) lines.splice(3, 0, lines[1]);
  return lines.join('\n');
}
