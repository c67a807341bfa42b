// Where the HTCondor plugin takes a unit's jobs from when it writes the unit's DAG: the store while a run executes
// (states decide what is left out), or the generic workflow on disk when `tbps prepare` writes every unit's files
// before anything ran (every job then is UNREADY and nothing is left out).
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

/** The jobs of a generic workflow file (generic_workflow/jobs.jsonl), read once; all UNREADY. */
export async function workflowUnitJobs(jobsFile: string): Promise<UnitJobs> {
  const byName = new Map<string, JobSpec>();
  const byBatch = new Map<number, JobSpec[]>();
  for await (const job of readJobs(jobsFile)) {
    byName.set(job.name, job);
    if (job.kind !== 'payload') continue;
    const list = byBatch.get(job.batch) ?? byBatch.set(job.batch, []).get(job.batch)!;
    list.push(job);
  }
  const known = (name: string): JobSpec => {
    const job = byName.get(name);
    if (!job) throw new Error(`${jobsFile} has no job ${name}`);
    return job;
  };
  return {
    async jobsOf(b) {
      const maxAttempts = (j: JobSpec) => j.numberOfRetries + 1;
      if (b.job) return [{ name: b.job, state: 'UNREADY' as const, maxAttempts: maxAttempts(known(b.job)), parents: [], blocked: false }];
      const jobs = byBatch.get(b.batch) ?? [];
      const index = new Map<string, number>(jobs.map((j, i) => [j.name, i]));
      return jobs.map((j) => {
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
