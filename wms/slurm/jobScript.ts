// Slurm files and arguments for one job: the batch script (written once at prepare) and the sbatch argument vector of
// one attempt. The script is plain sh; sbatch passes it the attempt, the attempt's memory (MiB) and the file where
// GNU time (/usr/bin/time, when the node has it) writes the command's exit status and peak RSS, which the poll reads
// (Slurm keeps no peak memory without an accounting database). A command killed by a signal ends the script by the
// same signal, so Slurm's own record says so too.
import type { JobSpec } from '../../core/workflow/model.js';

export interface ScriptContext {
  runId: string;
  batch: number;
  /** Environment every job starts from (PATH with the LSST stack's bin/ first); the job's own goes on top. */
  baseEnvironment: Record<string, string>;
}

/** A word for sh: single-quoted, ' written as '\''. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Names fit for files and Slurm job names: letters, digits and _ - . (others become _). */
export function fileSafeName(jobName: string): string {
  return jobName.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The batch script of a job. */
export function jobScript(job: JobSpec, ctx: ScriptContext): string {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...ctx.baseEnvironment,
    ...job.environment,
    TBPS_RUN: ctx.runId,
    TBPS_JOB_NAME: job.name,
    TBPS_JOB_LABEL: job.label,
  };
  const command = job.argv.map(shellQuote).join(' ');
  return [
    '#!/bin/sh',
    `# tbps job ${job.name} (label ${job.label}, run ${ctx.runId}, batch ${ctx.batch}) for Slurm.`,
    '# Arguments (from sbatch): attempt, its memory in MiB, the status file GNU time writes.',
    ...Object.entries(env)
      .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    'export TBPS_ATTEMPT="$1" TBPS_MEMORY_MB="$2"',
    'status="$3"',
    'if [ -x /usr/bin/time ]; then',
    `  /usr/bin/time -f 'tbps exit=%x maxrss_kb=%M' -o "$status" ${command}`,
    'else',
    `  ${command}`,
    'fi',
    'rc=$?',
    'if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ] && grep -q "^Command terminated by signal" "$status" 2>/dev/null; then',
    '  kill -"$((rc - 128))" "$$"',
    'fi',
    'exit "$rc"',
    '',
  ].join('\n');
}

export interface AttemptOptions {
  runId: string;
  jobName: string;
  submitPath: string;
  script: string;
  /** <submitPath>/jobs/<label>/<name>: the attempt's logs are <logBase>.<attempt>.out/.err, as on every WMS. */
  logBase: string;
  statusFile: string;
  attempt: number;
  memoryMb: number;
  cpus: number;
  /** Seconds (Slurm rounds up to whole minutes). */
  walltimeSeconds?: number;
  /** BPS `queue`: the Slurm partition. */
  partition?: string;
  /** Slurm ids of unfinished parents (afterok). */
  afterOk: readonly string[];
  /** Site options put before the script (slurmSubmitOptions), e.g. --account=... */
  extraOptions?: readonly string[];
}

/**
 * sbatch's arguments for one attempt. `--export=ALL` hands the job the environment sbatch runs with, which tbps
 * keeps minimal (the script exports the job's own): NONE or NIL would make slurmd load the user's login
 * environment first (seconds per job). Slurm never requeues (tbps decides retries) and keeps a job whose parent
 * failed pending, so that a retry of the parent can take its place in the dependency.
 */
export function sbatchArguments(o: AttemptOptions): string[] {
  const args = [
    '--parsable',
    `--job-name=${fileSafeName(o.runId)}.${fileSafeName(o.jobName)}`,
    `--chdir=${o.submitPath}`,
    `--output=${o.logBase}.${o.attempt}.out`,
    `--error=${o.logBase}.${o.attempt}.err`,
    '--export=ALL',
    '--no-requeue',
    '--kill-on-invalid-dep=no',
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${Math.max(1, Math.round(o.cpus))}`,
    `--mem=${Math.max(1, Math.round(o.memoryMb))}`,
  ];
  if (o.walltimeSeconds && o.walltimeSeconds > 0) args.push(`--time=${Math.ceil(o.walltimeSeconds / 60)}`);
  if (o.partition) args.push(`--partition=${o.partition}`);
  if (o.afterOk.length > 0) args.push(`--dependency=afterok:${o.afterOk.join(':')}`);
  args.push(...(o.extraOptions ?? []), o.script, String(o.attempt), String(Math.round(o.memoryMb)), o.statusFile);
  return args;
}

/** What GNU time wrote for an attempt: exit code or signal, and peak RSS in MiB. */
export interface AttemptStatus {
  exitCode: number | null;
  signal: string | null;
  peakRssMb: number | null;
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

export function signalName(n: number): string {
  return SIGNALS[n] ?? `SIG${n}`;
}

/** Parses a status file ("Command terminated by signal 9" / "Command exited with non-zero status 3", then our line). */
export function parseAttemptStatus(text: string): AttemptStatus | undefined {
  const line = /^tbps exit=(-?\d+) maxrss_kb=(\d+)/m.exec(text);
  if (!line) return undefined;
  const sig = /^Command terminated by signal (\d+)/m.exec(text);
  const kb = Number(line[2]);
  return {
    exitCode: sig ? null : Number(line[1]),
    signal: sig ? signalName(Number(sig[1])) : null,
    peakRssMb: kb > 0 ? Math.max(1, Math.round(kb / 1024)) : null,
  };
}
