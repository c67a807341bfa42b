// The store's records as the data layer hands them out: views (dashboard pages, charts, commands) name these types
// through client/services, never through store/ (.dependency-cruiser.cjs, client-data-through-services).
export type { AttemptRecord, JobRecord, RunRecord, TimelineAttempt } from '../../store/index.js';
