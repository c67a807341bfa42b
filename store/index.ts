// Public entry of the run/job database: openStore, the Store class and its record types.

export { openStore } from './open.js';
export { Store } from './store.js';
export type { InsertJobsOptions } from './jobs.js';
export type * from './types.js';
