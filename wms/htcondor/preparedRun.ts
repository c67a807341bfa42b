// `tbps prepare` for HTCondor: the DAG and submit files of every unit of the run (each job batch, pipetaskInit and
// finalJob, as the workflow will submit them) written from the generic workflow before anything runs, so they can be
// inspected, and marked so that submitting the prepared run submits these very files. The generic workflow is read
// once, batch by batch, each batch's files written as soon as its jobs are read (unitJobs.ts: workflowBatches).
import path from 'node:path';
import type { BpsConfig } from '../../core/config/index.js';
import type { JobSpec } from '../../core/workflow/index.js';
import type { BatchRef, WmsPrepareRequest } from '../types.js';
import { HTCondorWms } from './index.js';
import { htcondorSettings } from './settings.js';
import { preparedUnitJobs, workflowBatches } from './unitJobs.js';

/** Writes every unit's files; returns their directories relative to the submit directory, in submission order. */
export async function prepareHtcondorRun(config: BpsConfig, request: WmsPrepareRequest): Promise<string[]> {
  const { submitPath, runId, configSha256, jobsFile } = request;
  const wms = new HTCondorWms({ ...htcondorSettings(config, request.env), baseEnvironment: request.baseEnvironment });
  const others = new Map<string, JobSpec>();
  const dirs: string[] = [];
  const write = async (unit: BatchRef, batchJobs: JobSpec[]) =>
    dirs.push(path.relative(submitPath, await wms.prepareFrom(unit, preparedUnitJobs(jobsFile, batchJobs, others), configSha256)));
  // init comes first in jobs.jsonl: it is known once the first batch arrives (or the file ended)
  let initWritten = !request.initJob;
  const writeInit = async () => {
    if (initWritten) return;
    initWritten = true;
    await write({ runId, batch: -1, submitPath, job: request.initJob }, []);
  };
  for await (const { batch, jobs } of workflowBatches(jobsFile, request.batches, others)) {
    await writeInit();
    await write({ runId, batch, submitPath }, jobs);
  }
  await writeInit();
  if (request.finalJob) await write({ runId, batch: -1, submitPath, job: request.finalJob, final: true }, []);
  return dirs;
}
