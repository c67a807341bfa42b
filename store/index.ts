// Public entry of the run/job database: openStore, the Store class and its record types.

export { isPostgresUrl, openStore } from './open.js';
export { StoreUnreachableError, redactUrl } from './errors.js';
export { Store } from './store.js';
export type { InsertJobsOptions, JobToRun } from './jobs.js';
export type { PilotInput, PilotRecord, PilotUpdate } from './pilots.js';
export type * from './types.js';
export type { JobFilter, JobPage, ErrorClassCount } from './jobList.js';
export type { LabelStats, TaskStats } from './stats.js';
export type { CompletionBuckets, RecentAttempts, TimelineAttempt } from './timeline.js';
export { dataIdText } from './jobs.js';
export type { CampaignUsage, RunSlotPolicy, SiteUsage, SlotRequest, SlotState } from './siteSlots.js';
