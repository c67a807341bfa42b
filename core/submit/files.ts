// Names of the files tbps keeps in a run's submit directory besides the generic workflow.
/** The serialized config the run was started with (restart and retries reuse it). */
export const SAVED_CONFIG = 'tbps_config.json';
/** The run plan (batches, init/final job names) written by transform (restart reuses it). */
export const SAVED_PLAN = 'tbps_plan.json';
/** What `tbps prepare` made (graph files, config hash, init/final job names): `tbps submit <submit dir>` runs it as is. */
export const PREPARED_RUN = 'tbps_prepared.json';
