// Where the HTCondor plugin takes a unit's jobs from when it writes the unit's DAG: the store while a run executes
// (states decide what is left out), or the generic workflow on disk when `tbps prepare` writes every unit's files
// before anything ran (every job then is UNREADY and nothing is left out). For prepare the generic workflow is read
// one batch at a time (jobs.jsonl holds init, then the payload jobs grouped by batch, then final): only the batch
// being written is held, not every job of the run.
import type { BatchJobs } from '../../core/run/types.js';
import { readJobs, type JobSpec } from '../../core/workflow/index.js';
import type { BatchRef } from '../types.js';

export interface UnitJobs {
  /** The unit's jobs in dependency order, parents as indices into the list; one job for a job unit. */
  jobsOf(b: BatchRef): Promise<BatchJobs['jobs']>;
  specOf(b: BatchRef, name: string): Promise<JobSpec>;
  /** Records jobs left out of the DAG because an ancestor failed. */
  markPruned(b: BatchRef, names: string[]): Promise<void>;
}

/** The payload jobs of one batch (in file order) and the run's init/final jobs (kind other than payload). */
export interface WorkflowBatch {
  batch: number;
  jobs: JobSpec[];
}

/**
 * The generic workflow's payload jobs batch by batch, in batch order, every batch from 0 to `batches - 1` (an empty
 * one when no job names it); `others` collects the init and final jobs as they pass. A file whose payload jobs are
 * not grouped by ascending batch is an error (transform writes them so).
 */
export async function* workflowBatches(jobsFile: string, batches: number, others: Map<string, JobSpec>): AsyncGenerator<WorkflowBatch> {
  let current: WorkflowBatch = { batch: 0, jobs: [] };
  for await (const job of readJobs(jobsFile)) {
    if (job.kind !== 'payload') {
      others.set(job.name, job);
      continue;
    }
    if (job.batch < current.batch || job.batch >= batches)
      throw new Error(`${jobsFile}: job ${job.name} of batch ${job.batch} comes after batch ${current.batch}'s jobs or beyond the plan's ${batches} batches`);
    while (job.batch > current.batch) {
      yield current;
      current = { batch: current.batch + 1, jobs: [] };
    }
    current.jobs.push(job);
  }
  if (batches === 0) return;
  yield current;
  for (let batch = current.batch + 1; batch < batches; batch++) yield { batch, jobs: [] };
}

/** A unit's jobs for `tbps prepare`: the payload jobs of one batch, or one init/final job, all UNREADY. */
export function preparedUnitJobs(jobsFile: string, batchJobs: JobSpec[], others: Map<string, JobSpec>): UnitJobs {
  const byName = new Map<string, JobSpec>(others);
  for (const job of batchJobs) byName.set(job.name, job);
  const known = (name: string): JobSpec => {
    const job = byName.get(name);
    if (!job) throw new Error(`${jobsFile} has no job ${name}`);
    return job;
  };
  const maxAttempts = (j: JobSpec) => j.numberOfRetries + 1;
  return {
    async jobsOf(b) {
      if (b.job) return [{ name: b.job, state: 'UNREADY' as const, maxAttempts: maxAttempts(known(b.job)), parents: [], blocked: false }];
      const index = new Map<string, number>(batchJobs.map((j, i) => [j.name, i]));
      return batchJobs.map((j) => {
        // parents in other batches are not in this DAG (the run starts a batch once its upstream batches ended)
        const parents = j.parents.map((p) => index.get(p)).filter((k): k is number => k !== undefined);
        return { name: j.name, state: 'UNREADY' as const, maxAttempts: maxAttempts(j), parents, blocked: false };
      });
    },
    async specOf(_b, name) {
      return known(name);
    },
    async markPruned(b, names) {
      // Nothing has run when a run is prepared, so nothing can be pruned: a caller that gets here has a bug.
      if (names.length > 0) throw new Error(`prepare of ${jobsFile}: ${names.length} jobs of unit ${b.job ?? b.batch} would be pruned before anything ran`);
    },
  };
}
