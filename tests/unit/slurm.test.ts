// Slurm plugin pieces that need no cluster: the job script (quoting, environment, the status file and the signal it
// passes on, run for real with sh), sbatch's arguments per attempt, squeue/scontrol parsing and the mapping of Slurm
// states, and the environment sbatch (hence the job) gets. The cluster itself: tests/integration/slurm.test.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../core/workflow/model.js';
import { jobScript, parseAttemptStatus, sbatchArguments, shellQuote } from '../../wms/slurm/jobScript.js';
import { commandEnvironment } from '../../wms/slurm/plugin.js';
import { failureReason, parseExitCode, parseQueue, phaseOf, slurmTime } from '../../wms/slurm/queueState.js';

const job: JobSpec = {
  name: 'isr_903342_10', kind: 'payload', label: 'isr', batch: 0, quanta: 1,
  argv: ['sh', '-c', `echo "$MSG it's $1"; echo err >&2; exit "$2"`, 'x', 'ARG'],
  environment: { MSG: 'two words' },
  requestMemory: 2048, memoryMultiplier: 2, memoryLimit: 8192, requestCpus: 2, numberOfRetries: 3,
  retryUnlessExit: [1, 2], computeSite: 'local', parents: [],
};

function runScript(argv: string[], statusFile: string): { code: number | null; signal: string | null; out: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tbps-slurm-script-'));
  const script = path.join(dir, 'job.sh');
  writeFileSync(script, jobScript({ ...job, argv }, { runId: 'u_run', batch: 0, baseEnvironment: { PATH: '/usr/bin:/bin' } }));
  chmodSync(script, 0o755);
  const r = spawnSync('sh', [script, '2', '400', statusFile], { encoding: 'utf8', env: {} });
  return { code: r.status, signal: r.signal, out: r.stdout };
}

describe('Slurm job script', () => {
  it('quotes words for sh', () => {
    expect(shellQuote('plain/path-1.0')).toBe('plain/path-1.0');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('runs the command with the job environment, attempt and memory, and leaves the exit status', () => {
    const status = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbps-slurm-status-')), 'st');
    const r = runScript(['sh', '-c', 'echo "$MSG|$TBPS_ATTEMPT|$TBPS_MEMORY_MB|$TBPS_JOB_NAME"; exit 3'], status);
    expect(r.out.trim()).toBe('two words|2|400|isr_903342_10');
    expect(r.code).toBe(3);
    if (existsSync('/usr/bin/time')) expect(parseAttemptStatus(readFileSync(status, 'utf8'))).toMatchObject({ exitCode: 3, signal: null });
    else expect(existsSync(status)).toBe(false);
  });

  it('ends by the signal that killed the command, so Slurm records it too', () => {
    const status = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbps-slurm-status-')), 'st');
    const r = runScript(['sh', '-c', 'kill -9 $$'], status);
    if (!existsSync('/usr/bin/time')) return void expect(r.code).toBe(137);
    expect(r.signal).toBe('SIGKILL');
    expect(parseAttemptStatus(readFileSync(status, 'utf8'))).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('parses the status file GNU time writes', () => {
    expect(parseAttemptStatus('tbps exit=0 maxrss_kb=307200\n')).toEqual({ exitCode: 0, signal: null, peakRssMb: 300 });
    expect(parseAttemptStatus('Command exited with non-zero status 3\ntbps exit=3 maxrss_kb=1000\n')).toEqual({ exitCode: 3, signal: null, peakRssMb: 1 });
    expect(parseAttemptStatus('Command terminated by signal 9\ntbps exit=0 maxrss_kb=2048\n')).toEqual({ exitCode: null, signal: 'SIGKILL', peakRssMb: 2 });
    expect(parseAttemptStatus('')).toBeUndefined();
  });
});

describe('sbatch arguments', () => {
  it('size the attempt from the job and chain it after its parents', () => {
    const args = sbatchArguments({
      runId: 'u/me run', jobName: 'isr_903342_10', submitPath: '/s', script: '/s/slurm/batch_0/try1/jobs/isr.sh', logBase: '/s/jobs/isr/isr_903342_10',
      statusFile: '/s/st', attempt: 2, memoryMb: 4096, cpus: 2, walltimeSeconds: 90, partition: 'short', afterOk: ['11', '12'], extraOptions: ['--account=rubin'],
    });
    expect(args).toEqual([
      '--parsable', '--job-name=u_me_run.isr_903342_10', '--chdir=/s', '--output=/s/jobs/isr/isr_903342_10.2.out', '--error=/s/jobs/isr/isr_903342_10.2.err',
      '--export=ALL', '--no-requeue', '--kill-on-invalid-dep=no', '--nodes=1', '--ntasks=1', '--cpus-per-task=2', '--mem=4096', '--time=2',
      '--partition=short', '--dependency=afterok:11:12', '--account=rubin', '/s/slurm/batch_0/try1/jobs/isr.sh', '2', '4096', '/s/st',
    ]);
  });

  it('hands the job only PATH, HOME and the SLURM_* settings of the worker', () => {
    expect(commandEnvironment({ PATH: '/bin', HOME: '/h', SLURM_CONF: '/c', TEMPORAL_ADDRESS: 'x', TBPS_HOME: 'y' })).toEqual({ PATH: '/bin', HOME: '/h', SLURM_CONF: '/c' });
  });
});

describe('squeue and scontrol output', () => {
  it('reads rows, keeps start times only of jobs that started, and maps states', () => {
    const rows = parseQueue(
      [
        '609|COMPLETED|vm|2026-12-03T07:59:09|2026-12-03T07:59:44|2026-12-03T07:59:45|None',
        '613|PENDING||Unknown|2026-12-03T08:04:51|NONE|Dependency',
        '614|CANCELLED by 0||2026-12-03T08:04:51|2026-12-03T08:03:51|2026-12-03T08:03:51|None',
        'junk',
      ].join('\n'),
    );
    expect([...rows.keys()]).toEqual(['609', '613', '614']);
    expect(rows.get('609')).toMatchObject({ state: 'COMPLETED', host: 'vm', startedAt: new Date('2026-12-03T07:59:44').toISOString(), endedAt: new Date('2026-12-03T07:59:45').toISOString() });
    expect(rows.get('613')).toMatchObject({ state: 'PENDING', host: '', eligibleAt: undefined, startedAt: undefined, endedAt: undefined });
    expect(rows.get('614')).toMatchObject({ state: 'CANCELLED', startedAt: undefined });
    expect(['PENDING', 'RUNNING', 'COMPLETING', 'COMPLETED', 'OUT_OF_MEMORY', 'NODE_FAIL'].map(phaseOf)).toEqual(['queued', 'running', 'running', 'succeeded', 'failed', 'failed']);
    expect(slurmTime('N/A')).toBeUndefined();
  });

  it('reads exit codes and signals, and Slurm reasons as failure kinds', () => {
    expect(parseExitCode('JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 RunTime=00:00:01')).toEqual({ exitCode: 3, signal: null });
    expect(parseExitCode('DerivedExitCode=0:0 ExitCode=0:9')).toEqual({ exitCode: null, signal: 9 });
    expect(failureReason('OUT_OF_MEMORY', false)).toMatchObject({ oom: true, infrastructure: false });
    expect(failureReason('TIMEOUT', false)).toMatchObject({ timedOut: true });
    expect(failureReason('CANCELLED', false)).toMatchObject({ infrastructure: true, reason: 'cancelled in Slurm outside tbps (scancel)' });
    expect(failureReason('CANCELLED', true)).toMatchObject({ infrastructure: false, reason: 'cancelled' });
    expect(failureReason('PREEMPTED', false).infrastructure).toBe(true);
    expect(failureReason('NODE_FAIL', false).infrastructure).toBe(true);
  });
});
