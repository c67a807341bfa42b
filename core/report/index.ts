// Report formatting (pure, no database): run list, per-label state table, run summary.

export { formatRunList, runFlag, percentSucceeded, RUN_LIST_COLUMNS } from './run-list.js';
export { formatLabelTable, totalCounts, LABEL_TABLE_COLUMNS } from './label-table.js';
export { formatRunSummary } from './run-summary.js';
export type { LabelCount, RunListRow, RunSummaryInput } from './types.js';
export { estimateProgress, formatDuration, type ProgressEstimate, type ProgressInput } from './eta.js';
