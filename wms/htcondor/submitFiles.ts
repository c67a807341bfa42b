// HTCondor files for one job batch: a DAG, one submit description per job, a node status file.
// Retries are HTCondor job retries (max_retries / retry_until), so one DAG node = one HTCondor job whose
// executions (NumJobStarts) are the job's attempts. Memory escalates by attempt as BPS does:
// min(requestMemory * memoryMultiplier^(attempt-1), memoryLimit). A job over its request is held (out of memory)
// and released with more memory until the limit, then removed (the node fails). A job killed by SIGKILL (what
// out-of-memory killers send) is held too and released with the next attempt's memory while retries are left.
import type { JobSpec } from '../../core/workflow/model.js';

export interface SubmitContext {
  runId: string;
  batch: number;
  submitPath: string;
  /** Extra submit commands for every job (site settings), `key = value` lines. */
  extraSubmit?: string[];
  /** Environment every job starts from (e.g. PATH with the LSST stack's bin/ first); the job's own goes on top. */
  baseEnvironment?: Record<string, string>;
}

/** HoldReasonSubCode of the on_exit_hold for a job killed by SIGKILL (HoldReasonCode 3). */
export const SIGKILL_HOLD_SUBCODE = 9;
/** Hold subcode of a job that exited non-zero, held until the poll decides whether it is retried. */
export const EXIT_HOLD_SUBCODE = 42;

/** Submit-language value: `$` must not start a macro. */
function lit(s: string): string {
  return s.replace(/\$/g, '$(DOLLAR)').replace(/\n/g, ' ');
}

/** New-syntax argument/environment quoting: "a 'b c' d"; ' -> '', " -> "". */
export function quoteArgs(argv: string[]): string {
  const one = (a: string) => {
    const e = lit(a).replace(/"/g, '""');
    return /[\s']/.test(e) || e === '' ? `'${e.replace(/'/g, "''")}'` : e;
  };
  return `"${argv.map(one).join(' ')}"`;
}

export function quoteEnv(env: Record<string, string>): string {
  const one = ([k, v]: [string, string]) => {
    const e = lit(v).replace(/"/g, '""');
    return /[\s']/.test(e) || e === '' ? `${k}='${e.replace(/'/g, "''")}'` : `${k}=${e}`;
  };
  return `"${Object.entries(env).map(one).join(' ')}"`;
}

function classadString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Memory cap used for escalation: memoryLimit, else requestMemoryMax, else no escalation beyond the request. */
export function memoryCap(job: JobSpec): number {
  return Math.round(job.memoryLimit ?? job.requestMemoryMax ?? job.requestMemory);
}

export function jobLogBase(submitPath: string, job: Pick<JobSpec, 'label' | 'name'>): string {
  return `${submitPath}/jobs/${job.label}/${job.name}`;
}

/** The submit description of one job. */
export function submitDescription(job: JobSpec, ctx: SubmitContext): string {
  const base = jobLogBase(ctx.submitPath, job);
  const attempt = '$$([NumJobStarts+1])';
  const cap = memoryCap(job);
  const mult = job.memoryMultiplier > 0 ? job.memoryMultiplier : 1;
  const mem = mult > 1 && cap > job.requestMemory
    ? `int(min({${cap}, ${Math.round(job.requestMemory)} * pow(${mult}, NumJobStarts ?: 0)}))`
    : String(Math.round(job.requestMemory));
  const retryUntil = job.retryUnlessExit.length > 0 ? job.retryUnlessExit.map((c) => `ExitCode == ${c}`).join(' || ') : 'false';
  const oomHold = '(HoldReasonCode =?= 34 || (HoldReasonCode =?= 3 && HoldReasonSubCode =?= 34))';
  const killHold = `(HoldReasonCode =?= 3 && HoldReasonSubCode =?= ${SIGKILL_HOLD_SUBCODE})`;
  const retriesLeft = 'NumJobStarts <= JobMaxRetries';
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...ctx.baseEnvironment,
    ...job.environment,
    TBPS_RUN: ctx.runId,
    TBPS_JOB_NAME: job.name,
    TBPS_JOB_LABEL: job.label,
  };
  const lines = [
    `# tbps job ${job.name} (label ${job.label}, batch ${ctx.batch})`,
    'universe = vanilla',
    'executable = /usr/bin/env',
    'transfer_executable = false',
    'should_transfer_files = NO',
    `arguments = ${quoteArgs(job.argv)}`,
    // TBPS_ATTEMPT / TBPS_MEMORY_MB are filled at match time from the job ad.
    `environment = ${quoteEnv(env).slice(0, -1)} TBPS_ATTEMPT=${attempt} TBPS_MEMORY_MB=$$([RequestMemory])"`,
    `initialdir = ${ctx.submitPath}`,
    `output = ${base}.${attempt}.out`,
    `error = ${base}.${attempt}.err`,
    `request_memory = ${mem}`,
    `request_cpus = ${job.requestCpus}`,
    `request_disk = ${job.requestDisk ? Math.round(job.requestDisk * 1024) : 1024}`,
    `max_retries = ${job.numberOfRetries}`,
    `retry_until = ${retryUntil}`,
    // Out of memory: hold (the pool may not enforce it), release with more memory while below the cap and retries
    // are left, else remove (the node fails).
    'periodic_hold = JobStatus == 2 && (MemoryUsage ?: 0) > RequestMemory',
    'periodic_hold_reason = strcat("out of memory: ", MemoryUsage, " MiB used, ", RequestMemory, " MiB requested")',
    'periodic_hold_subcode = 34',
    // Killed by SIGKILL: hold, then release while retries are left (request_memory follows NumJobStarts).
    // A non-zero exit: hold for tbps's poll, which decides with the run's error classes and retryUnlessExit
    // (core/run/retryDecision.ts) and releases (retry) or removes (final failure) the job.
    `on_exit_hold = (ExitBySignal =?= true && ExitSignal =?= 9) || (ExitBySignal =!= true && ExitCode =!= 0)`,
    `on_exit_hold_reason = ifThenElse(ExitBySignal =?= true, "killed by signal 9 (SIGKILL)", strcat("exit code ", ExitCode, ": held for the retry decision"))`,
    `on_exit_hold_subcode = ifThenElse(ExitBySignal =?= true, ${SIGKILL_HOLD_SUBCODE}, ${EXIT_HOLD_SUBCODE})`,
    `periodic_release = (${oomHold} && ${retriesLeft} && RequestMemory < ${cap}) || (${killHold} && ${retriesLeft})`,
    `periodic_remove = JobStatus == 5 && ((${oomHold} && (NumJobStarts > JobMaxRetries || RequestMemory >= ${cap})) || (${killHold} && NumJobStarts > JobMaxRetries))`,
    `+bps_run = ${classadString(ctx.runId)}`,
    `+bps_job_name = ${classadString(job.name)}`,
    `+bps_job_label = ${classadString(job.label)}`,
    `+bps_batch = ${ctx.batch}`,
    `+bps_orig_memory = ${Math.round(job.requestMemory)}`,
    `+bps_memory_multiplier = ${mult}`,
    `+bps_memory_limit = ${cap}`,
  ];
  if (job.requestWalltime) lines.push(`allowed_execute_duration = ${Math.round(job.requestWalltime)}`);
  if (job.priority !== undefined) lines.push(`priority = ${Math.round(job.priority)}`);
  if (job.concurrencyLimit) lines.push(`concurrency_limits = ${job.concurrencyLimit}`);
  if (job.queue) lines.push(`+bps_queue = ${classadString(job.queue)}`);
  for (const l of ctx.extraSubmit ?? []) lines.push(l);
  lines.push('queue', '');
  return lines.join('\n');
}

/** DAG node names: HTCondor allows letters, digits, _ - . ; others are replaced and the map kept. */
export function nodeName(jobName: string): string {
  return jobName.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export interface DagNode {
  node: string;
  subFile: string;
  parents: string[];
  /** A FINAL node: DAGMan runs it last, even when other nodes failed or the DAG was removed. */
  final?: boolean;
}

export function dagText(nodes: DagNode[], statusFile: string): string {
  const out: string[] = ['# tbps DAG'];
  for (const n of nodes) out.push(`${n.final ? 'FINAL' : 'JOB'} ${n.node} ${n.subFile}`);
  for (const n of nodes) if (n.parents.length > 0) out.push(`PARENT ${n.parents.join(' ')} CHILD ${n.node}`);
  out.push(`NODE_STATUS_FILE ${statusFile} 5 ALWAYS-UPDATE`);
  out.push('');
  return out.join('\n');
}
