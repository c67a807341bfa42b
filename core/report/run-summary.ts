// The heading block of `tbps report --id`: the run's list row, then its details as aligned "key: value" lines.

import { formatRunList } from './run-list.js';
import type { RunSummaryInput } from './types.js';

export function formatRunSummary(run: RunSummaryInput): string {
  const details: Array<[string, string | number | undefined]> = [
    ['Workflow', run.workflowId],
    ['Step', run.step],
    ['WMS', run.wms],
    ['Compute site', run.computeSite],
    ['Quanta', run.quanta],
    ['Jobs', run.jobs],
    ['Restarts', run.restartCount],
    ['Created', run.createdAt],
    ['Updated', run.updatedAt],
    ['Path', run.submitPath],
    ['Message', run.message],
    ['Waiting', run.waiting],
  ];
  const shown = details.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length)) + 1;
  const lines = shown.map(([k, v]) => `${`${k}:`.padEnd(width)} ${String(v)}`);
  return [formatRunList([run]), '', ...lines].join('\n');
}
