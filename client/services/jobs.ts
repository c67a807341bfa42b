// Jobs: a filtered, paginated job list of a run (label, state, compute site, data id, error class) and one job's
// detail with every attempt. Filters are checked against the run (an unknown label or site is bad input).
import { STATES, type State } from '../../core/states.js';
import type { AttemptRecord, JobFilter, JobRecord } from '../../store/index.js';
import type { ServiceContext } from './context.js';
import { badFilter, notFound } from './errors.js';
import { getRunOrThrow } from './runs.js';
import { checkSite } from './sites.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface JobQuery {
  label?: string;
  state?: string;
  computeSite?: string;
  /** "visit=903334 detector=10" or "visit=903334,detector=10". */
  dataId?: string;
  errorClass?: string;
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export interface JobPageResult {
  runId: string;
  jobs: JobRecord[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  filter: JobFilter;
}

/** "visit=903334 detector=10" -> {visit: '903334', detector: '10'}; throws on anything else. */
export function parseDataIdFilter(text: string): Record<string, string> {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) throw badFilter('--data-id', `expected key=value pairs such as "visit=903334 detector=10", got '${text}'`);
  const out: Record<string, string> = {};
  for (const p of parts) {
    const m = /^([A-Za-z_][\w.]*)=([^=\s]+)$/.exec(p);
    if (!m) throw badFilter('--data-id', `expected key=value (e.g. visit=903334), got '${p}'`);
    out[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
  }
  return out;
}

export function parseStateFilter(text: string): State[] {
  const states = text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const s of states) {
    if (!(STATES as readonly string[]).includes(s)) throw badFilter('--state', `unknown state '${s}'; one of ${STATES.join(', ')}`);
  }
  return states as State[];
}

export async function buildJobFilter(ctx: ServiceContext, runId: string, q: JobQuery): Promise<JobFilter> {
  const filter: JobFilter = {};
  if (q.label) {
    const labels = await ctx.store.labelOrder(runId);
    if (!labels.includes(q.label)) throw badFilter('label', `run '${runId}' has no label '${q.label}'; its labels: ${labels.join(', ')}`);
    filter.label = q.label;
  }
  if (q.state) filter.states = parseStateFilter(q.state);
  if (q.computeSite) filter.computeSite = await checkSite(ctx, q.computeSite, runId);
  if (q.dataId) filter.dataId = parseDataIdFilter(q.dataId);
  if (q.errorClass) filter.errorClass = q.errorClass;
  return filter;
}

export async function jobPage(ctx: ServiceContext, runId: string, q: JobQuery = {}): Promise<JobPageResult> {
  await getRunOrThrow(ctx, runId);
  const pageSize = q.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw badFilter('pageSize', `expected an integer from 1 to ${MAX_PAGE_SIZE}, got ${q.pageSize}`);
  }
  const page = q.page ?? 1;
  if (!Number.isInteger(page) || page < 1) throw badFilter('page', `expected a page number >= 1, got ${q.page}`);
  const filter = await buildJobFilter(ctx, runId, q);
  const res = await ctx.store.listJobs(runId, filter, (page - 1) * pageSize, pageSize);
  const pages = Math.max(1, Math.ceil(res.total / pageSize));
  if (page > pages) throw badFilter('page', `page ${page} is out of range: ${res.total} jobs match, ${pages} page(s) of ${pageSize}`);
  return { runId, jobs: res.jobs, total: res.total, page, pageSize, pages, filter };
}

export interface JobDetail {
  job: JobRecord;
  attempts: AttemptRecord[];
  /** The job's command line as run (argv). */
  argv: string[];
  taskLabels?: string[];
}

export async function jobDetail(ctx: ServiceContext, runId: string, name: string): Promise<JobDetail> {
  await getRunOrThrow(ctx, runId);
  const job = await ctx.store.getJob(runId, name);
  if (!job) throw notFound('job', name, `'tbps logs --id ${runId} --state FAILED' or the dashboard's jobs page lists the run's jobs`);
  const [attempts, spec] = await Promise.all([ctx.store.attempts(runId, name), ctx.store.getJobSpec(runId, name)]);
  return { job, attempts, argv: spec.argv, taskLabels: spec.taskLabels };
}
