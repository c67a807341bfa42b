// Plain aligned text tables on top of cli-table3: no borders, no colour codes, a dashed rule under the header
// (the look of `bps report`), trailing blanks trimmed.

import Table from 'cli-table3';

export type Align = 'left' | 'right' | 'center';

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '-', 'mid-mid': ' ', right: '', 'right-mid': '', middle: ' ',
};

/** Renders head + rows as lines: header, rule, rows. Cells are converted with String(). */
export function plainTable(head: string[], rows: Array<Array<string | number>>, aligns: Align[]): string[] {
  const t = new Table({
    head,
    chars: PLAIN_CHARS,
    colAligns: aligns,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of rows) t.push(r.map((c) => String(c)));
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd());
}
