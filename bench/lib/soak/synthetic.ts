// The synthetic soak campaign: 3 steps x 2 groups of synthetic-graph runs whose every job (pipetaskInit, quanta,
// finalJob) runs one shell script. The script appends a `start` line when it begins and an `end` line when its
// payload is done to a shared executions file, so executions per job are counted from the jobs' own output.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SyntheticCampaign {
  name: string;
  specFile: string;
  executionsFile: string;
  groups: number;
  /** Jobs expected per group before the graph is made (the generator picks a shape of about this many quanta). */
  jobsPerGroupGuess: number;
}

export interface SyntheticOptions {
  dir: string;
  name: string;
  quantaPerGroup: number;
  jobSeconds: number;
  numberOfRetries: number;
  /** jobHeartbeatTimeout in seconds; undefined keeps tbps's default. */
  heartbeatTimeout?: number;
}

export function writeSyntheticCampaign(o: SyntheticOptions): SyntheticCampaign {
  mkdirSync(o.dir, { recursive: true });
  const executionsFile = path.join(o.dir, 'executions.txt');
  writeFileSync(executionsFile, '');
  const script = path.join(o.dir, 'job.sh');
  // One line per event, appended with O_APPEND (atomic for short lines): event, time, run, job, attempt, pid, ppid,
  // and the worker instance that started the job (inherited from the executor's environment).
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'f="$1"',
      'echo "start $(date +%s.%N) $TBPS_RUN $TBPS_JOB_NAME $TBPS_ATTEMPT $$ $PPID $TBPS_SOAK_WORKER" >> "$f"',
      `sleep ${o.jobSeconds}`,
      'echo "end $(date +%s.%N) $TBPS_RUN $TBPS_JOB_NAME $TBPS_ATTEMPT $$ $PPID $TBPS_SOAK_WORKER" >> "$f"',
      '',
    ].join('\n'),
  );
  const job = `sh ${script} ${executionsFile}`;
  const base = path.join(o.dir, 'base.yaml');
  writeFileSync(
    base,
    [
      `payloadName: ${o.name}`,
      'inCollection: HSC/defaults',
      'dataQuery: "instrument=\'HSC\'"',
      `syntheticGraph: {quanta: ${o.quantaPerGroup}}`,
      `runQuantumCommand: "${job} {qgraphNodeId}"`,
      'requestMemory: 64',
      `numberOfRetries: ${o.numberOfRetries}`,
      ...(o.heartbeatTimeout !== undefined ? [`jobHeartbeatTimeout: ${o.heartbeatTimeout}`] : []),
      `pipetask: {pipetaskInit: {runQuantumCommand: "${job} init"}}`,
      `finalJob: {whenRun: ALWAYS, command1: "${job} final"}`,
      '',
    ].join('\n'),
  );
  const specFile = path.join(o.dir, 'campaign.yaml');
  writeFileSync(
    specFile,
    [
      `name: ${o.name}`,
      'baseConfig: base.yaml',
      'concurrency: 2',
      'steps:',
      '  - name: step1',
      '    split: {dimension: visit, values: [1, 2, 3, 4], groupSize: 2}',
      '  - name: step2',
      '    split: {dimension: visit, ranges: [{from: 1, to: 2}, {from: 3, to: 4}]}',
      '  - name: step3',
      '    split: {dimension: tract, groups: [[9615], [9697]]}',
      '',
    ].join('\n'),
  );
  return { name: o.name, specFile, executionsFile, groups: 6, jobsPerGroupGuess: o.quantaPerGroup + 2 };
}

export interface ExecutionEvent {
  event: 'start' | 'end';
  timeMs: number;
  run: string;
  job: string;
  attempt: number;
  pid: number;
  ppid: number;
  /** Worker instance that started the job (executor-1.3). */
  worker: string;
}

/** The executions file as events (a torn last line, from a job killed mid-write, is skipped). */
export function readExecutions(file: string): ExecutionEvent[] {
  const events: ExecutionEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f.length !== 8 || (f[0] !== 'start' && f[0] !== 'end')) continue;
    events.push({ event: f[0], timeMs: Number(f[1]) * 1000, run: f[2], job: f[3], attempt: Number(f[4]), pid: Number(f[5]), ppid: Number(f[6]), worker: f[7] });
  }
  return events;
}
