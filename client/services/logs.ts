// Log slices of job attempts: per attempt a header (job, attempt, host, exit code or signal, memory requested and
// peak, error class, log path), the root-cause line, and the end of its stdout/stderr. Logs are read from the end
// (never whole), so a huge log costs no more than its tail.
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { rootCause } from '../../core/logs/rootCause.js';
import { readTailInfo } from '../../core/logs/tail.js';
import type { AttemptRecord, JobRecord } from '../../store/index.js';
import type { ServiceContext } from './context.js';
import { badFilter, notFound } from './errors.js';
import { jobPage, type JobQuery } from './jobs.js';
import { getRunOrThrow } from './runs.js';

export interface LogSelection extends Omit<JobQuery, 'page' | 'pageSize'> {
  job?: string;
  /** A number, or 'all' (default: the last attempt). */
  attempt?: number | 'all';
  /** Lines from the end of each log (default 100; 0 = the whole log up to maxBytes). */
  tail?: number;
  /** Most jobs shown for a filter (default 20). */
  maxJobs?: number;
}

export interface LogFile {
  path: string;
  exists: boolean;
  /** Size in bytes. */
  size: number;
  /** The slice's text (the last `tail` lines). */
  text: string;
  /** The slice starts after the beginning of the file. */
  truncated: boolean;
}

export interface AttemptLog {
  job: JobRecord;
  attempt: AttemptRecord;
  rootCause?: string;
  stdout: LogFile;
  stderr: LogFile;
}

export interface LogResult {
  runId: string;
  attempts: AttemptLog[];
  /** Jobs matching the selection (more than shown when above maxJobs). */
  matched: number;
}

const MAX_BYTES = 1 << 20;

/** The last `lines` lines of a file (at most maxBytes read). */
export function readLogSlice(file: string, lines: number, maxBytes = MAX_BYTES): LogFile {
  const tail = readTailInfo(file, maxBytes);
  if (!tail.exists) return { path: file, exists: false, size: 0, text: '', truncated: false };
  let text = tail.text;
  let truncated = tail.size > maxBytes;
  if (lines > 0) {
    const all = text.replace(/\n$/, '').split('\n');
    if (all.length > lines) {
      text = `${all.slice(-lines).join('\n')}\n`;
      truncated = true;
    }
  }
  return { path: file, exists: true, size: tail.size, text, truncated };
}

/** stdout/stderr paths of an attempt: the recorded .out, and .err beside it. */
export function attemptLogPaths(a: AttemptRecord): { stdout?: string; stderr?: string } {
  if (!a.logPath) return {};
  return { stdout: a.logPath, stderr: a.logPath.replace(/\.out$/, '.err') };
}

export async function jobLogs(ctx: ServiceContext, runId: string, sel: LogSelection): Promise<LogResult> {
  await getRunOrThrow(ctx, runId);
  if (sel.attempt !== undefined && sel.attempt !== 'all' && (!Number.isInteger(sel.attempt) || sel.attempt < 1)) {
    throw badFilter('--attempt', `expected an attempt number >= 1 or 'all', got ${sel.attempt}`);
  }
  const tail = sel.tail ?? 100;
  if (!Number.isInteger(tail) || tail < 0) throw badFilter('--tail', `expected a number of lines >= 0, got ${sel.tail}`);
  let jobs: JobRecord[];
  let matched: number;
  if (sel.job) {
    const job = await ctx.store.getJob(runId, sel.job);
    if (!job) throw notFound('job', sel.job, `'tbps logs --id ${runId} --state FAILED' shows the failed ones`);
    jobs = [job];
    matched = 1;
  } else {
    const page = await jobPage(ctx, runId, { ...sel, page: 1, pageSize: sel.maxJobs ?? 20 });
    jobs = page.jobs;
    matched = page.total;
  }
  const out: AttemptLog[] = [];
  for (const job of jobs) {
    const attempts = await ctx.store.attempts(runId, job.name);
    let chosen: AttemptRecord[];
    if (sel.attempt === 'all') chosen = attempts;
    else if (sel.attempt !== undefined) {
      chosen = attempts.filter((a) => a.attempt === sel.attempt);
      if (chosen.length === 0 && sel.job) {
        throw badFilter('--attempt', `job '${job.name}' has ${attempts.length} attempt(s); there is no attempt ${sel.attempt}`);
      }
    } else chosen = attempts.slice(-1);
    for (const a of chosen) {
      const paths = attemptLogPaths(a);
      const stdout = paths.stdout ? readLogSlice(paths.stdout, tail) : emptyLog();
      const stderr = paths.stderr ? readLogSlice(paths.stderr, tail) : emptyLog();
      const cause = a.state === 'SUCCEEDED' ? undefined : (a.errorSummary ?? rootCause(stderr.text) ?? rootCause(stdout.text));
      out.push({ job, attempt: a, rootCause: cause ?? undefined, stdout, stderr });
    }
  }
  return { runId, attempts: out, matched };
}

function emptyLog(): LogFile {
  return { path: '', exists: false, size: 0, text: '', truncated: false };
}

/** Reads what was appended to a file since `offset` (for --follow and the dashboard's live log). */
export function readFrom(file: string, offset: number, maxBytes = MAX_BYTES): { text: string; next: number } {
  if (!existsSync(file)) return { text: '', next: offset };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { text: '', next: size < offset ? size : offset };
    const len = Math.min(size - offset, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, offset);
    return { text: buf.toString('utf8'), next: offset + len };
  } finally {
    closeSync(fd);
  }
}
