// The run list of `tbps report` (as `bps report` prints it): X STATE %S ID OPERATOR PROJECT CAMPAIGN PAYLOAD RUN.

import type { State } from '../states.js';
import { plainTable } from './table.js';
import type { RunListRow } from './types.js';

export const RUN_LIST_COLUMNS = ['X', 'STATE', '%S', 'ID', 'OPERATOR', 'PROJECT', 'CAMPAIGN', 'PAYLOAD', 'RUN'] as const;

/**
 * The X column flags a RUNNING run that needs attention: F = some job FAILED, D = some job DELETED,
 * H = some job HELD (first that applies); blank otherwise.
 */
export function runFlag(state: State, counts: Partial<Record<State, number>> = {}): string {
  if (state !== 'RUNNING') return '';
  if ((counts.FAILED ?? 0) > 0) return 'F';
  if ((counts.DELETED ?? 0) > 0) return 'D';
  if ((counts.HELD ?? 0) > 0) return 'H';
  return '';
}

/** %S: succeeded jobs as a whole percentage (rounded down) of all jobs, or UNK when the total is unknown. */
export function percentSucceeded(jobs: number, counts: Partial<Record<State, number>> = {}): string {
  const total = jobs > 0 ? jobs : Object.values(counts).reduce((a, c) => a + (c ?? 0), 0);
  if (!total) return 'UNK';
  return String(Math.floor(((counts.SUCCEEDED ?? 0) * 100) / total));
}

export function formatRunList(rows: readonly RunListRow[]): string {
  const body = rows.map((r) => [
    runFlag(r.state, r.counts),
    r.state,
    percentSucceeded(r.jobs, r.counts),
    r.runId,
    r.operator,
    r.project,
    r.campaign,
    r.payloadName,
    r.name,
  ]);
  return plainTable([...RUN_LIST_COLUMNS], body, ['left', 'left', 'right', 'left', 'left', 'left', 'left', 'left', 'left']).join('\n');
}
