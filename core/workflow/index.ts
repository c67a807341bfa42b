// Public API of the generic-workflow module: build jobs from clusters, plan batches, write/read the submit
// directory's generic_workflow/, and the whole transform stage.

export type { BatchPlan, BatchSpec, JobKind, JobSpec, WhenRun } from './model.js';
export { buildGenericWorkflow, GenericWorkflow, INIT_JOB, FINAL_JOB, readWhenRun, type BuildOptions, type LabelSummary } from './generic.js';
export { compileCommand, fillCommand, JOB_VARS, type CommandTemplate } from './argv.js';
export { aggregateAttributes } from './resources.js';
export { planBatches, MAX_BATCHES } from './batches.js';
export { GW_DIR, readJobs, summaryText, writeGenericWorkflow, type WrittenWorkflow } from './io.js';
export { transform, type TransformCounts, type TransformOptions, type TransformResult } from './transform.js';
