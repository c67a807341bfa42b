// Entry point of the workflow bundle loaded by the orchestrator worker.
export { runWorkflow, runStatusQuery } from './run.js';
export { jobBatchWorkflow } from './batch.js';
export { externalBatchWorkflow } from './externalBatch.js';
export {
  campaignWorkflow,
  campaignStatusQuery,
  pauseSignal,
  resumeSignal,
  editStepUpdate,
  acceptUpdate,
  rejectUpdate,
  retryUpdate,
  skipUpdate,
  groupRunEndedSignal,
} from './campaign.js';
export { nightlyWorkflow } from './nightly.js';
