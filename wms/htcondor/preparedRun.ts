// `tbps prepare` for HTCondor: the DAG and submit files of every unit of the run (each job batch, pipetaskInit and
// finalJob, as the workflow will submit them) written from the generic workflow before anything runs, so they can be
// inspected, and marked so that submitting the prepared run submits these very files.
import path from 'node:path';
import type { BpsConfig } from '../../core/config/index.js';
import type { WmsPrepareRequest } from '../types.js';
import { HTCondorWms } from './index.js';
import { htcondorSettings } from './settings.js';
import { workflowUnitJobs } from './unitJobs.js';

/** Writes every unit's files; returns their directories relative to the submit directory, in submission order. */
export async function prepareHtcondorRun(config: BpsConfig, request: WmsPrepareRequest): Promise<string[]> {
  const { submitPath, runId, configSha256 } = request;
  const wms = new HTCondorWms({ ...htcondorSettings(config, request.env), baseEnvironment: request.baseEnvironment });
  const jobs = await workflowUnitJobs(request.jobsFile);
  const units = [
    ...(request.initJob ? [{ runId, batch: -1, submitPath, job: request.initJob }] : []),
    ...Array.from({ length: request.batches }, (_, batch) => ({ runId, batch, submitPath })),
    ...(request.finalJob ? [{ runId, batch: -1, submitPath, job: request.finalJob, final: true }] : []),
  ];
  const dirs: string[] = [];
  for (const unit of units) dirs.push(path.relative(submitPath, await wms.prepareFrom(unit, jobs, configSha256)));
  return dirs;
}
