// Crash semantics of the local executor on the real dev server with real worker processes (issue 10, item 9):
// SIGKILL of an executor that runs jobs and holds more waiting for a CPU slot. The job processes die with it
// (checked by pid in /proc before any new executor starts), the restarted executor reaps and closes the lost
// attempts, the run (a one-group campaign) finishes; no attempt is left RUNNING, attempt numbers have no gaps, the
// jobs that only waited for a slot got no extra attempt, and every job executed exactly once except those running at
// the kill (counted from the jobs' own output: each job appends lines to a file). Then SIGTERM of the next executor:
// its running jobs are killed and handed back as lost attempts at once. Batch workflows carry BpsCampaign.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../core/campaign/index.js';
import { groupRunId } from '../../core/campaign/spec.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { waitFor, withStore } from '../helpers/runs.js';
import { isAlive as alive } from '../../processes/procStat.js';

let h: Harness;
let client: Client;
const EXECUTOR = { TBPS_EXECUTOR_CPUS: '2', TBPS_EXECUTOR_SLOTS: '4', TBPS_EXECUTOR_MEMORY_MB: '4000' };

beforeAll(async () => {
  h = createHarness('crash');
  h.startOrchestrator();
  client = await h.client();
});
afterAll(async () => h?.stopAll());

interface LogLine {
  kind: 'start' | 'child' | 'end';
  job: string;
  value: string;
}

function readJobLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [kind, job, value] = l.split(' ');
      return { kind: kind as LogLine['kind'], job, value };
    });
}


/** Jobs started but not ended in the log, with the pids of their shell and of its child. */
function runningInLog(lines: LogLine[]): Map<string, number[]> {
  const running = new Map<string, number[]>();
  for (const l of lines) {
    if (l.kind === 'start') running.set(l.job, [Number(l.value)]);
    else if (l.kind === 'child') running.get(l.job)?.push(Number(l.value));
    else running.delete(l.job);
  }
  return running;
}

async function pendingJobActivities(batchWorkflowId: string): Promise<Array<{ job: string; waiting: boolean }>> {
  const d = await client.workflow.getHandle(batchWorkflowId).describe();
  const out: Array<{ job: string; waiting: boolean }> = [];
  for (const a of d.raw.pendingActivities ?? []) {
    const payload = a.heartbeatDetails?.payloads?.[0]?.data;
    if (!payload) continue;
    const details = JSON.parse(Buffer.from(payload).toString('utf8')) as { job?: string; waiting?: boolean };
    if (details.job) out.push({ job: details.job, waiting: details.waiting === true });
  }
  return out;
}

describe('losing an executor', () => {
  it('kills its jobs, closes their attempts, spends no attempt of waiting jobs, and runs every job once more at most', async () => {
    const jobLog = path.join(h.home, 'executions.log');
    const script = path.join(h.home, 'job.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `echo "start $TBPS_JOB_NAME $$" >> ${jobLog}`,
        'sleep 4 &',
        `echo "child $TBPS_JOB_NAME $!" >> ${jobLog}`,
        'wait',
        `echo "end $TBPS_JOB_NAME" >> ${jobLog}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(h.home, 'base.yaml'),
      [
        'payloadName: crashsem',
        'inCollection: HSC/defaults',
        'dataQuery: "instrument=\'HSC\'"',
        'syntheticGraph: {visits: 2, detectors: 4}',
        `runQuantumCommand: "sh ${script}"`,
        'requestMemory: 64',
        'jobBatchWindow: 50',
        'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
        'finalJob: {whenRun: ALWAYS, command1: "true"}',
        '',
      ].join('\n'),
    );
    const spec = path.join(h.home, 'campaign.yaml');
    writeFileSync(spec, ['name: itc_crashsem', 'baseConfig: base.yaml', 'steps:', '  - name: step1', '    split: {dimension: visit, values: [1], groupSize: 1}', ''].join('\n'));
    let executor: ChildProcess = h.startExecutor(EXECUTOR);
    const start = h.tbps(['campaign', 'start', spec]);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const status = async () => (await client.workflow.getHandle('campaign/itc_crashsem').query('status')) as CampaignStatus;
    let runId = '';
    await waitFor('the group run to start', async () => {
      // The workflow keeps compact state: the group's run is named by groupRunId and found in the store.
      const group = (await status().catch(() => undefined))?.steps[0].groups[0];
      runId = group && group.status !== 'pending' ? (group.runId ?? groupRunId('itc_crashsem', 'step1', group.id)) : '';
      return runId !== '' && (await withStore(h.home, async (s) => (await s.getRun(runId)) !== undefined));
    });

    // Every workflow of the campaign carries BpsCampaign: the batch workflow is found by a campaign query.
    let batchId = '';
    await waitFor('a batch workflow listed by BpsCampaign', async () => {
      for await (const wf of client.workflow.list({ query: `BpsCampaign = "itc_crashsem" AND WorkflowType = "jobBatchWorkflow"` })) batchId = wf.workflowId;
      return batchId !== '';
    });
    expect(batchId.startsWith(`run/${runId}/batch/`)).toBe(true);

    // Two jobs run (2 CPUs) and two more wait inside the executor for a slot (4 activity slots).
    let waiting: string[] = [];
    await waitFor('2 jobs running and 2 waiting for a slot', async () => {
      const pending = await pendingJobActivities(batchId);
      const lines = readJobLog(jobLog);
      waiting = pending.filter((p) => p.waiting && !lines.some((l) => l.job === p.job)).map((p) => p.job);
      return runningInLog(lines).size === 2 && waiting.length === 2;
    });
    executor.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = readJobLog(jobLog);
    const killedJobs = runningInLog(atKill);
    // Heartbeat details lag up to 2 s: a job seen waiting that had already started counts as running, not waiting.
    waiting = waiting.filter((job) => !atKill.some((l) => l.job === job));
    expect(waiting.length).toBeGreaterThan(0);

    // The jobs' processes (the shell and its child) die with the executor: no new executor has started yet.
    const pids = [...killedJobs.values()].flat();
    expect(pids.length).toBeGreaterThanOrEqual(4);
    await waitFor('the killed jobs processes to be gone', async () => pids.every((pid) => !alive(pid)), 5000);
    expect(readJobLog(jobLog).filter((l) => l.kind === 'end' && killedJobs.has(l.job))).toHaveLength(0);

    executor = h.startExecutor(EXECUTOR);
    let retriedAt = 0;
    await waitFor('a killed job to start again', async () => {
      const again = readJobLog(jobLog).filter((l) => l.kind === 'start' && killedJobs.has(l.job)).length > killedJobs.size;
      if (again && retriedAt === 0) retriedAt = Date.now();
      return again;
    }, 120_000);
    console.log(`crash test: first killed job started again ${((retriedAt - killedAt) / 1000).toFixed(1)} s after the SIGKILL (executor restarted at once)`);

    // SIGTERM of the new executor: its running jobs are killed and handed back as lost attempts, not cancelled.
    let stoppedJobs = new Map<string, number[]>();
    await waitFor('2 other jobs running on the second executor', async () => {
      stoppedJobs = runningInLog(readJobLog(jobLog));
      return stoppedJobs.size === 2 && [...stoppedJobs.keys()].every((job) => !killedJobs.has(job) && !waiting.includes(job));
    });
    executor.kill('SIGTERM');
    await waitFor('the second executor to exit', async () => executor.exitCode !== null || executor.signalCode !== null, 30_000);
    for (const pid of [...stoppedJobs.values()].flat()) expect(alive(pid)).toBe(false);
    executor = h.startExecutor(EXECUTOR);

    await waitFor('the campaign to end', async () => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes((await status().catch(() => undefined))?.phase ?? ''), 300_000);
    expect((await status()).phase).toBe('SUCCEEDED');

    const lines = readJobLog(jobLog);
    const executions = new Map<string, number>();
    for (const l of lines) if (l.kind === 'start') executions.set(l.job, (executions.get(l.job) ?? 0) + 1);
    await withStore(h.home, async (s) => {
      expect((await s.getRun(runId))?.state).toBe('SUCCEEDED');
      const jobs = (await s.jobsByState(runId, 'SUCCEEDED', 100_000)).filter((j) => j.kind === 'payload');
      const counts = await s.stateCounts(runId);
      expect(jobs.length + 2).toBe(Object.values(counts).reduce((a, b) => a + b, 0)); // + pipetaskInit and finalJob
      expect(jobs.length).toBe(executions.size);
      for (const j of jobs) {
        const att = await s.attempts(runId, j.name);
        // No attempt left open or RUNNING, numbers without gaps, one success.
        expect(att.every((a) => a.endedAt !== null && a.state !== 'RUNNING')).toBe(true);
        expect(att.map((a) => a.attempt)).toEqual(att.map((_, i) => i + 1));
        expect(att.filter((a) => a.state === 'SUCCEEDED')).toHaveLength(1);
        const hit = killedJobs.has(j.name) || stoppedJobs.has(j.name);
        // Executed exactly once, except the jobs running when their executor went: once more, after one lost attempt.
        expect({ job: j.name, executions: executions.get(j.name), attempts: att.length }).toEqual({ job: j.name, executions: hit ? 2 : 1, attempts: hit ? 2 : 1 });
        if (hit) {
          expect(att[0].state).toBe('READY');
          expect(att[0].errorClass).toBe('lost');
          expect(att[0].errorSummary).toMatch(killedJobs.has(j.name) ? /died while the job ran/ : /stopped while the job ran/);
          // A lost attempt does not escalate memory: the retry asks for the same.
          expect(att[1].memoryMb).toBe(att[0].memoryMb);
        }
      }
      // The jobs that only waited for a slot on the killed executor got no attempt there.
      for (const name of waiting) expect((await s.attempts(runId, name)).map((a) => a.attempt)).toEqual([1]);
    });
  }, 400_000);
});
