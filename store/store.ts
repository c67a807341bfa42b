// The Store class: the run/job database API used by activities, workers, the CLI and the dashboard.
// Every method is safe to repeat (idempotent) and to call from several processes on the same database.

import type { State } from '../core/states.js';
import type { JobSpec } from '../core/workflow/model.js';
import {
  closeOpenAttempts,
  jobsWithOpenAttempts,
  listAttempts,
  nextTryOf,
  openAttempt,
  recordAttemptEnd,
  recordAttemptStart,
  recordNumberedAttemptEnd,
  recordTaskSeconds,
  type OpenedAttempt,
} from './attempts.js';
import type { Backend } from './backend.js';
import { loadBatch } from './batch.js';
import { countPilotJob, deletePilots, insertPilot, listPilots, updatePilot, type PilotInput, type PilotRecord, type PilotUpdate } from './pilots.js';
import { getJob, getJobSpec, insertJobs, jobsToRun, setJobStates, type InsertJobsOptions, type JobToRun } from './jobs.js';
import { cancelUnfinished, pruneBlocked, resetForRestart } from './prune.js';
import { batchCounts, jobsByState, labelCounts, labelOrder, stateCounts } from './reports.js';
import type { CampaignRunDetail } from '../core/campaign/view.js';
import { campaignRunDetails } from './campaignRuns.js';
import { pastRuns, type PastRun } from './runHistory.js';
import { campaignRunIds, errorSummary, listJobs, listSites, runsStateCounts, type ErrorClassCount, type JobFilter, type JobPage } from './jobList.js';
import { getRun, listRuns, setRunState, setRunWaiting, upsertRun } from './runs.js';
import { labelStats, taskStats, type LabelStats, type TaskStats } from './stats.js';
import { completionBuckets, recentAttempts, type CompletionBuckets, type RecentAttempts } from './timeline.js';
import { dataVersion } from './changes.js';
import type { SlotPolicy } from '../core/run/slotPolicy.js';
import { acquireSlot, limitedSites, recordSlotPolicy, releaseSlot, renewSlot, runSlotPolicy, siteUsage, type RunSlotPolicy, type SiteUsage, type SlotRequest, type SlotState } from './siteSlots.js';
import type {
  AttemptEnd,
  AttemptRecord,
  AttemptStart,
  BatchJobs,
  InsertJobsResult,
  JobRecord,
  LabelCount,
  ListRunsOptions,
  RunFields,
  RunInput,
  RunRecord,
} from './types.js';

export class Store {
  #b: Backend;
  #closed = false;

  constructor(backend: Backend) {
    this.#b = backend;
  }

  // ---- pilots (tbps pilot)

  insertPilot(p: PilotInput): Promise<void> {
    return insertPilot(this.#b, p);
  }

  /** False when nothing changed (no such pilot, or its state is one of `unlessState`). */
  updatePilot(pilotId: string, u: PilotUpdate, unlessState?: readonly string[]): Promise<boolean> {
    return updatePilot(this.#b, pilotId, u, unlessState);
  }

  deletePilots(pilotIds: readonly string[]): Promise<void> {
    return deletePilots(this.#b, pilotIds);
  }

  countPilotJob(pilotId: string): Promise<void> {
    return countPilotJob(this.#b, pilotId);
  }

  listPilots(site?: string): Promise<PilotRecord[]> {
    return listPilots(this.#b, site);
  }

  // ---- runs

  /** Creates the run or updates the given fields (createdAt is kept). */
  upsertRun(r: RunInput): Promise<void> {
    return upsertRun(this.#b, r);
  }

  /** Returns false when the run does not exist. */
  setRunState(runId: string, state: State, fields?: RunFields): Promise<boolean> {
    return setRunState(this.#b, runId, state, fields);
  }

  /** The run's waiting note ('' clears it): why its workload system's activities are being retried. */
  setRunWaiting(runId: string, waiting: string): Promise<boolean> {
    return setRunWaiting(this.#b, runId, waiting);
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return getRun(this.#b, runId);
  }

  /** Newest first. */
  listRuns(opts: ListRunsOptions): Promise<RunRecord[]> {
    return listRuns(this.#b, opts);
  }

  // ---- jobs

  /** Bulk, idempotent (existing jobs are left as they are). */
  insertJobs(runId: string, jobs: AsyncIterable<JobSpec> | Iterable<JobSpec>, opts?: InsertJobsOptions): Promise<InsertJobsResult> {
    return insertJobs(this.#b, runId, jobs, opts);
  }

  /** Throws when the job does not exist. */
  getJobSpec(runId: string, name: string): Promise<JobSpec> {
    return getJobSpec(this.#b, runId, name);
  }

  /** Specs and states of a group of jobs about to run, in one read; names not in the run are absent. */
  jobsToRun(runId: string, names: readonly string[]): Promise<Map<string, JobToRun>> {
    return jobsToRun(this.#b, runId, names);
  }

  getJob(runId: string, name: string): Promise<JobRecord | undefined> {
    return getJob(this.#b, runId, name);
  }

  loadBatch(runId: string, batch: number): Promise<BatchJobs> {
    return loadBatch(this.#b, runId, batch);
  }

  /** Returns the number of jobs changed; with `from`, only jobs in those states change. */
  setJobStates(runId: string, names: readonly string[], state: State, from?: readonly State[]): Promise<number> {
    return setJobStates(this.#b, runId, names, state, from);
  }

  /** Marks PRUNED the unfinished jobs below a FAILED/PRUNED job; returns how many. */
  pruneBlocked(runId: string, batch?: number): Promise<number> {
    return pruneBlocked(this.#b, runId, batch);
  }

  /** On cancel: jobs not yet terminal become DELETED; returns how many. */
  cancelUnfinished(runId: string): Promise<number> {
    return cancelUnfinished(this.#b, runId);
  }

  /** Unfinished jobs back to UNREADY; returns the payload batches with work left. */
  resetForRestart(runId: string): Promise<number[]> {
    return resetForRestart(this.#b, runId);
  }

  // ---- attempts

  recordAttemptStart(runId: string, name: string, attempt: number, s: AttemptStart): Promise<void> {
    return recordAttemptStart(this.#b, runId, name, attempt, s);
  }

  recordAttemptEnd(runId: string, name: string, attempt: number, e: AttemptEnd): Promise<void> {
    return recordAttemptEnd(this.#b, runId, name, attempt, e);
  }

  /** The next attempt of a job about to start: earlier open attempts closed as lost, numbered after the last. */
  openAttempt(runId: string, name: string, start: (number: number) => AttemptStart, lostSummary: string): Promise<OpenedAttempt> {
    return openAttempt(this.#b, runId, name, start, lostSummary);
  }

  /** The try number (1 + attempts that ran and failed) the job's next attempt would have. */
  nextTry(runId: string, name: string): Promise<number> {
    return nextTryOf(this.#b, runId, name);
  }

  /** How an attempt opened by openAttempt (its stored number) ended. */
  recordNumberedAttemptEnd(runId: string, name: string, number: number, e: AttemptEnd): Promise<void> {
    return recordNumberedAttemptEnd(this.#b, runId, name, number, e);
  }

  /** Closes open attempts (given numbers, or all of a job) whose worker is gone; returns how many. */
  closeOpenAttempts(runId: string, targets: ReadonlyArray<{ name: string; number?: number }>, summary: string, state?: State): Promise<number> {
    return closeOpenAttempts(this.#b, runId, targets, summary, state);
  }

  jobsWithOpenAttempts(runId: string): Promise<string[]> {
    return jobsWithOpenAttempts(this.#b, runId);
  }

  attempts(runId: string, name: string): Promise<AttemptRecord[]> {
    return listAttempts(this.#b, runId, name);
  }

  /** Seconds pipetask logged per task of a clustered job. */
  recordTaskSeconds(runId: string, name: string, seconds: Record<string, number>): Promise<void> {
    return recordTaskSeconds(this.#b, runId, name, seconds);
  }

  // ---- watching

  listJobs(runId: string, filter: JobFilter, offset: number, limit: number): Promise<JobPage> {
    return listJobs(this.#b, runId, filter, offset, limit);
  }

  labelStats(runIds: readonly string[]): Promise<LabelStats[]> {
    return labelStats(this.#b, runIds);
  }

  taskStats(runIds: readonly string[], byLabel: readonly LabelStats[]): Promise<TaskStats[]> {
    return taskStats(this.#b, runIds, byLabel);
  }

  errorSummary(runIds: readonly string[]): Promise<ErrorClassCount[]> {
    return errorSummary(this.#b, runIds);
  }

  /** The most recent SUCCEEDED runs with any of these job labels (for cost estimates). */
  pastRuns(labels: readonly string[], limit = 20): Promise<PastRun[]> {
    return pastRuns(this.#b, labels, limit);
  }

  campaignRunIds(campaign: string): Promise<string[]> {
    return campaignRunIds(this.#b, campaign);
  }

  /** The campaign's runs by run id, each with its submit directory, data query, site, message and job counts. */
  campaignRunDetails(campaign: string): Promise<Map<string, CampaignRunDetail>> {
    return campaignRunDetails(this.#b, campaign);
  }

  runsStateCounts(runIds: readonly string[], since: string): Promise<{ counts: Record<string, number>; recentDone: number }> {
    return runsStateCounts(this.#b, runIds, since);
  }

  listSites(): Promise<{ site: string; runs: number }[]> {
    return listSites(this.#b);
  }

  /** The `limit` most recently started attempts of a run, and how many it has (for the timeline). */
  recentAttempts(runId: string, limit: number, computeSite?: string): Promise<RecentAttempts> {
    return recentAttempts(this.#b, runId, limit, computeSite);
  }

  /** Finished jobs of a run per time bucket (at most maxBuckets buckets over the span of end times). */
  completionBuckets(runId: string, maxBuckets: number, computeSite?: string): Promise<CompletionBuckets> {
    return completionBuckets(this.#b, runId, maxBuckets, computeSite);
  }

  /** Moves when another connection commits a change (cheap; for live views). */
  dataVersion(): Promise<number> {
    return dataVersion(this.#b);
  }

  // ---- reports

  labelCounts(runId: string): Promise<LabelCount[]> {
    return labelCounts(this.#b, runId);
  }

  /** The run's labels in report order, without counting jobs. */
  labelOrder(runId: string): Promise<string[]> {
    return labelOrder(this.#b, runId);
  }

  stateCounts(runId: string): Promise<Record<State, number>> {
    return stateCounts(this.#b, runId);
  }

  batchCounts(runId: string, batch: number): Promise<Record<State, number>> {
    return batchCounts(this.#b, runId, batch);
  }

  jobsByState(runId: string, state: State, limit: number): Promise<JobRecord[]> {
    return jobsByState(this.#b, runId, state, limit);
  }

  // ---- per-site scheduler (siteSlots.ts)

  /** Records a run's slot policy and the site limits its config sets. */
  recordSlotPolicy(runId: string, policy: SlotPolicy, siteLimits: Map<string, number>): Promise<void> {
    return recordSlotPolicy(this.#b, runId, policy, siteLimits);
  }

  /** The run's slot policy with its site's current limit; undefined for a run recorded before the scheduler. */
  runSlotPolicy(runId: string): Promise<RunSlotPolicy | undefined> {
    return runSlotPolicy(this.#b, runId);
  }

  /** Asks for a job's slot (idempotent); returns 'running' once granted. */
  acquireSlot(request: SlotRequest, policy: RunSlotPolicy): Promise<SlotState> {
    return acquireSlot(this.#b, request, policy);
  }

  renewSlot(runId: string, job: string): Promise<void> {
    return renewSlot(this.#b, runId, job);
  }

  releaseSlot(runId: string, job: string): Promise<void> {
    return releaseSlot(this.#b, runId, job);
  }

  siteUsage(site: string): Promise<SiteUsage> {
    return siteUsage(this.#b, site);
  }

  /** Sites with a recorded maxRunningJobs. */
  limitedSites(): Promise<string[]> {
    return limitedSites(this.#b);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#b.close();
  }
}
