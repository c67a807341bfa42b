// The data layer under the CLI and the dashboard: plain, typed data about runs, jobs, attempts, statistics, logs,
// campaigns, error classes and sites. Neither view queries the store or Temporal on its own.
export * from './context.js';
export * from './errors.js';
export * from './runs.js';
export * from './jobs.js';
export * from './stats.js';
export * from './logs.js';
export * from './errors-summary.js';
export * from './campaigns.js';
export * from './sites.js';
export * from './timeline.js';
export * from './versions.js';
export * from './pilots.js';
export * from './costHistory.js';
export * from './records.js';
