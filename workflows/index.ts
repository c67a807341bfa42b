// Entry point of the workflow bundle loaded by the orchestrator worker.
export { runWorkflow, runStatusQuery } from './run.js';
export { jobBatchWorkflow } from './batch.js';
