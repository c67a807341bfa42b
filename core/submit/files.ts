// Names of the files tbps keeps in a run's submit directory besides the generic workflow.
/** The serialized config the run was started with (restart and retries reuse it). */
export const SAVED_CONFIG = 'tbps_config.json';
/** The run plan (batches, init/final job names) written by transform (restart reuses it). */
export const SAVED_PLAN = 'tbps_plan.json';
