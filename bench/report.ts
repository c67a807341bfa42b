// `npm run bench:report -- --jobs 1000000 [--reps 5] [--db FILE|postgres://…] [--seed 1]`: the watching queries on a
// big store.
//
// Fills a fresh SQLite store (a temp dir, removed at the end; with --db FILE the store is kept, and reused when it
// already holds the bench run; with --db postgres://… that PostgreSQL database, which must exist, is the store, kept
// and reused the same way, e.g. `--db "$(bash scripts/postgres.sh url)"`) with one DRP-shaped run of N jobs (the 15 labels of the synthetic DRP graph plus
// pipetaskInit and finalJob, single-quantum jobs named as BPS names them, data ids, two compute sites) and ~3
// attempts per job (retried memory/connection/lock failures, error classes and matched lines, hosts, ready/start/end
// times, peak memory), mostly SUCCEEDED, some FAILED (payload errors or retries used up; step 1 fails on a few bad
// visits) and the jobs below those PRUNED. Jobs go in through the store API (upsertRun, insertJobs, setJobStates,
// setRunState); attempts are bulk-inserted with Kysely through a store backend in big transactions, with the jobs
// rows set to their last attempt and the per-label aggregates (label_attempt_stats) as recordAttemptStart/End leave
// them. Checked first on a sample (on SQLite files, whatever the store): the same jobs recorded through the real API
// and through the bulk path give identical rows in every table. After the fill, labelStats is checked against SQL over every job and attempt.
//
// Then times, through client/services (what the CLI and the dashboard use), each as a median over --reps on a warm
// connection (after one warm-up call) and on fresh ones (opened per repetition; the open is reported apart):
//   report   runDetail (tbps report --id RUN)
//   stats    statistics(ctx, {runId}, {tasks: false})
//   api_run  runDetail + statistics (the dashboard's run page)
//   api_jobs jobPage: label characterizeImage + state FAILED, page 3; and data id "visit=903340 detector=10" + compute
//            site cc-in2p3 (the slower of the two)
//   baseline select count(*) from jobs where run_id = ? (a store backend: same driver and pragmas)
// Progress goes to stderr, with a digest of each result (to compare runs across store changes); the last line on
// stdout:
//   jobs=… attempts=… fill_s=… report_ms=… stats_ms=… api_run_ms=… api_jobs_ms=… baseline_count_ms=… ratio_report=…
//   ratio_stats=… ratio_api_run=… ratio_api_jobs=…
// Each figure in that line is the larger of its warm and fresh medians; ratios are figure / baseline.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Insertable } from 'kysely';
import { openServices, jobPage, runDetail, statistics, type ServiceContext } from '../client/services/index.js';
import { syntheticGraph, syntheticOptionsForQuanta } from '../core/qgraph/index.js';
import type { QuantumRecord } from '../core/qgraph/model.js';
import { memoryForAttempt } from '../core/run/memory.js';
import type { State } from '../core/states.js';
import type { JobSpec } from '../core/workflow/model.js';
import { isPostgresUrl, openStore, redactUrl, type AttemptEnd, type AttemptStart, type Store } from '../store/index.js';
import type { Backend } from '../store/backend.js';
import { applyAttemptChange, emptyAggregate, type AttemptFacts, type LabelAggregate } from '../store/labelAggregates.js';
import type { JobAttemptsTable } from '../store/schema.js';
import { openPostgresBackend } from '../store/postgres.js';
import { openSqliteBackend } from '../store/sqlite.js';

const { values: opt } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '5' },
    db: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const N = Number(opt.jobs);
const REPS = Number(opt.reps);
const SEED = Number(opt.seed);
if (!Number.isInteger(N) || N < 100) throw new Error(`--jobs: expected an integer >= 100, got ${opt.jobs}`);
if (!Number.isInteger(REPS) || REPS < 1) throw new Error(`--reps: expected an integer >= 1, got ${opt.reps}`);

const RUN_ID = 'u_bench_DRP_20250301T000000Z';

/** The bench store's backend (for the bulk fill, the SQL checks and the baseline): SQLite file or PostgreSQL URL. */
const openBackend = (location: string): Promise<Backend> => (isPostgresUrl(location) ? openPostgresBackend(location) : openSqliteBackend(location));
const SUBMIT = `/sdf/group/rubin/bench/submit/u/bench/DRP/20250301T000000Z`;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');
/** The run's jobs start over this span (ms). */
const SPAN_MS = 3 * 86_400_000;
const JOBS_PER_BATCH = 10_000;
const WALLTIME_S = 7200;

const log = (msg: string) => process.stderr.write(`[bench:report] ${msg}\n`);

// ---- deterministic randomness

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const jobRng = (seq: number) => rng(Math.imul(seq + 1, 0x9e3779b1) ^ Math.imul(SEED, 0x85ebca77));
/** Log-normal with the given median. */
const lognormal = (r: () => number, median: number, sigma: number) =>
  median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
const round1 = (x: number) => Math.round(x * 10) / 10;

// ---- labels: median wall seconds, requested memory (MiB), typical peak memory share, final-failure probability
// (step 1 fails on bad visits only, see outcomeOf; writeSourceTable/transformSourceTable feed only a visit's
// consolidateSourceTable, so their failures do not prune the coadds)

interface LabelInfo {
  wall: number;
  mem: number;
  rss: number;
  pFail: number;
}
const LABELS: Record<string, LabelInfo> = {
  pipetaskInit: { wall: 240, mem: 4096, rss: 0.4, pFail: 0 },
  isr: { wall: 45, mem: 2048, rss: 0.55, pFail: 0.05 },
  characterizeImage: { wall: 110, mem: 2048, rss: 0.6, pFail: 0.2 },
  calibrate: { wall: 190, mem: 4096, rss: 0.5, pFail: 0.1 },
  writeSourceTable: { wall: 25, mem: 2048, rss: 0.3, pFail: 0.0003 },
  transformSourceTable: { wall: 30, mem: 2048, rss: 0.35, pFail: 0.0003 },
  consolidateSourceTable: { wall: 280, mem: 8192, rss: 0.45, pFail: 0.003 },
  consolidateVisitSummary: { wall: 60, mem: 4096, rss: 0.3, pFail: 0.003 },
  makeWarp: { wall: 150, mem: 4096, rss: 0.6, pFail: 0.0005 },
  assembleCoadd: { wall: 900, mem: 16384, rss: 0.55, pFail: 0.002 },
  detection: { wall: 100, mem: 4096, rss: 0.4, pFail: 0.001 },
  mergeDetections: { wall: 60, mem: 4096, rss: 0.3, pFail: 0.001 },
  deblend: { wall: 1200, mem: 16384, rss: 0.65, pFail: 0.006 },
  measure: { wall: 800, mem: 8192, rss: 0.55, pFail: 0.004 },
  mergeMeasurements: { wall: 90, mem: 4096, rss: 0.35, pFail: 0.001 },
  forcedPhotCoadd: { wall: 600, mem: 8192, rss: 0.5, pFail: 0.003 },
  finalJob: { wall: 1800, mem: 4096, rss: 0.3, pFail: 0 },
};
/** Labels that fail only on bad visits (bad seeing, bad pointing): every failure there prunes the visit's gathers. */
const BAD_VISIT_ONLY = new Set(['isr', 'characterizeImage', 'calibrate']);
const BAD_VISIT_FRACTION = 0.01;
const badVisit = (visit: number) => rng(visit ^ Math.imul(SEED, 0x9e3779b1))() < BAD_VISIT_FRACTION;
const LABEL_NAMES = Object.keys(LABELS);

// ---- jobs

const SITES = ['s3df', 'cc-in2p3'] as const;
const HOSTS: Record<(typeof SITES)[number], (i: number) => string> = {
  s3df: (i) => `sdfrome${String(i % 180).padStart(3, '0')}.sdf.slac.stanford.edu`,
  'cc-in2p3': (i) => `ccwslurm${String(i % 120).padStart(4, '0')}.in2p3.fr`,
};
/** Visit-level work alternates between the sites (every third visit at CC-IN2P3), coadds by tract. */
function siteOf(dataId: Record<string, string | number>): (typeof SITES)[number] {
  if (dataId.tract !== undefined) return Number(dataId.tract) % 2 === 0 ? 's3df' : 'cc-in2p3';
  const v = Number(dataId.visit ?? dataId.exposure ?? 0);
  return ((v - 903334) / 2) % 3 === 0 ? 'cc-in2p3' : 's3df';
}

/** BPS single-quantum cluster name: <label>_<tract>_<patch>_<band>_<visit>_<exposure>_<detector>, empty ones dropped. */
function jobName(q: QuantumRecord): string {
  const d = q.dataId;
  const parts = ['tract', 'patch', 'band', 'visit', 'exposure', 'detector'].filter((k) => d[k] !== undefined).map((k) => String(d[k]));
  return [q.label, ...parts].join('_');
}

function spec(name: string, label: string, kind: JobSpec['kind'], batch: number, parents: string[], argv: string[], site: string, dataId?: Record<string, string | number>): JobSpec {
  const s: JobSpec = {
    name,
    kind,
    label,
    batch,
    quanta: kind === 'payload' ? 1 : 0,
    argv,
    parents,
    requestMemory: LABELS[label].mem,
    memoryMultiplier: 2,
    memoryLimit: 491520,
    requestCpus: 1,
    requestWalltime: WALLTIME_S,
    numberOfRetries: 5,
    retryUnlessExit: [1, 2],
    computeSite: site,
    environment: { OMP_NUM_THREADS: '1', DAF_BUTLER_CACHE_EXPIRATION_MODE: 'datasets=200' },
    preemptible: true,
  };
  if (dataId) s.dataId = dataId;
  return s;
}

const PIPETASK = ['pipetask', '--long-log', '--log-level=VERBOSE'];
const QGRAPH = `${SUBMIT}/${RUN_ID}.qgraph`;

// Job outcome codes (per seq).
const OK = 0;
const FAILED = 1;
const PRUNED = 2;

interface Plan {
  /** Final state code and number of attempts (0 when pruned). */
  outcome: number;
  attempts: number;
}

/** What happens to a job that is not pruned: succeeded or failed, after how many attempts (max 6). */
function outcomeOf(seq: number, label: string, dataId: Record<string, string | number>): Plan {
  const r = jobRng(seq);
  const visit = Number(dataId.visit ?? dataId.exposure ?? -1);
  const p = BAD_VISIT_ONLY.has(label) && !badVisit(visit) ? 0 : LABELS[label].pFail;
  if (r() < p) {
    // Payload errors end at once (after 0-2 retried infrastructure failures); otherwise retries run out.
    return r() < 0.6 ? { outcome: FAILED, attempts: 1 + Math.floor(r() * 3) } : { outcome: FAILED, attempts: 6 };
  }
  // Retries of infrastructure failures (memory, connections, locks): ~3 attempts per job on average.
  const u = r();
  const attempts = u < 0.33 ? 1 : u < 0.47 ? 2 : u < 0.59 ? 3 : u < 0.72 ? 4 : u < 0.87 ? 5 : 6;
  return { outcome: OK, attempts };
}

interface AttemptPlan {
  start: AttemptStart & { startedAt: string; readyAt: string };
  end: AttemptEnd & { endedAt: string };
}

/** Retried failures by class (cumulative shares): memory, connections, locks, now and then the walltime. */
const RETRYABLE: [number, string][] = [[0.45, 'out_of_memory'], [0.8, 'connection'], [0.98, 'database_locked'], [1, 'walltime']];
const retryable = (u: number) => RETRYABLE.find(([p]) => u < p)![1];
const PAYLOAD = ['python:ValueError', 'python:RuntimeError', 'missing_input'] as const;

function failure(cls: string, name: string, rss: number, memoryMb: number): Pick<AttemptEnd, 'exitCode' | 'signal' | 'errorClass' | 'errorSummary' | 'errorLine' | 'peakRssMb'> {
  switch (cls) {
    case 'out_of_memory': {
      const peak = round1(memoryMb * (1.02 + rss * 0.1));
      const reason = `out of memory: RSS ${peak} MiB above the ${memoryMb} MiB request`;
      return { exitCode: null, signal: 'SIGKILL', peakRssMb: peak, errorClass: cls, errorSummary: reason, errorLine: `tbps: ${reason}` };
    }
    case 'walltime': {
      const reason = `walltime of ${WALLTIME_S} s exceeded`;
      return { exitCode: null, signal: 'SIGKILL', peakRssMb: round1(memoryMb * rss), errorClass: cls, errorSummary: reason, errorLine: `tbps: ${reason}` };
    }
    case 'connection': {
      const line = 'ConnectionResetError: [Errno 104] Connection reset by peer';
      return { exitCode: 1, signal: null, peakRssMb: round1(memoryMb * rss * 0.5), errorClass: cls, errorSummary: line, errorLine: line };
    }
    case 'database_locked': {
      const line = 'sqlalchemy.exc.OperationalError: (psycopg2.errors.LockNotAvailable) could not obtain lock on relation "dataset"';
      return { exitCode: 1, signal: null, peakRssMb: round1(memoryMb * rss * 0.3), errorClass: cls, errorSummary: line, errorLine: line };
    }
    case 'python:ValueError': {
      const line = 'ValueError: PSF determination failed: only 3 PSF candidates (need 5)';
      return { exitCode: 1, signal: null, peakRssMb: round1(memoryMb * rss), errorClass: cls, errorSummary: line, errorLine: line };
    }
    case 'python:RuntimeError': {
      const line = 'RuntimeError: Astrometry fit failed: no matches found between reference and source catalogs';
      return { exitCode: 1, signal: null, peakRssMb: round1(memoryMb * rss), errorClass: cls, errorSummary: line, errorLine: line };
    }
    default: {
      const line = `FileNotFoundError: [Errno 2] No such file or directory: '/repo/main/u/bench/DRP/${name}/src.parq'`;
      return { exitCode: 1, signal: null, peakRssMb: round1(memoryMb * rss * 0.2), errorClass: 'missing_input', errorSummary: line, errorLine: line };
    }
  }
}

/** Every attempt of a job that ran: the arguments recordAttemptStart and recordAttemptEnd get. */
function attemptsOf(seq: number, name: string, label: string, site: (typeof SITES)[number], plan: Plan, jobs: number): AttemptPlan[] {
  const r = rng(Math.imul(seq + 1, 0x5bd1e995) ^ Math.imul(SEED, 0x27d4eb2f));
  const info = LABELS[label];
  const out: AttemptPlan[] = [];
  let ready = T0 + Math.floor((seq / jobs) * SPAN_MS + r() * 600_000);
  const payloadFinal = plan.outcome === FAILED && plan.attempts < 6;
  for (let n = 1; n <= plan.attempts; n++) {
    const last = n === plan.attempts;
    const memoryMb = memoryForAttempt({ requestMemory: info.mem, memoryMultiplier: 2, memoryLimit: 491520 }, n);
    const started = ready + Math.floor(-Math.log(1 - r()) * 90_000);
    const host = HOSTS[site](Math.floor(r() * 10_000));
    const start = {
      host,
      memoryMb,
      logPath: `${SUBMIT}/jobs/${label}/${name}.${n}.out`,
      readyAt: new Date(ready).toISOString(),
      startedAt: new Date(started).toISOString(),
    };
    let wallMs = Math.floor(lognormal(r, info.wall, 0.5) * 1000);
    let end: AttemptPlan['end'];
    if (last && plan.outcome === OK) {
      end = { state: 'SUCCEEDED', exitCode: 0, signal: null, peakRssMb: round1(info.mem * info.rss * (0.6 + 0.8 * r())), endedAt: '' };
    } else {
      const cls = last && payloadFinal ? PAYLOAD[Math.floor(r() * PAYLOAD.length)] : retryable(r());
      if (cls === 'walltime') wallMs = WALLTIME_S * 1000 + Math.floor(r() * 5000);
      else wallMs = Math.floor(wallMs * (0.1 + 0.9 * r()));
      end = { state: last ? 'FAILED' : 'READY', ...failure(cls, name, info.rss, memoryMb), endedAt: '' };
    }
    end.endedAt = new Date(started + wallMs).toISOString();
    out.push({ start, end });
    ready = started + wallMs + 5000 + Math.floor(r() * 55_000);
  }
  return out;
}

// ---- the run's jobs (specs for insertJobs) and, per seq, what the fill needs later

interface Jobs {
  names: string[];
  labels: Uint8Array;
  sites: Uint8Array;
  plans: { outcome: Uint8Array; attempts: Uint8Array };
  /** Filled while the specs are generated. */
  count: number;
}

function* runJobs(n: number, jobs: Jobs, sample?: { every: number; specs: JobSpec[] }): Generator<JobSpec> {
  const payload = n - 2;
  const { records } = syntheticGraph(syntheticOptionsForQuanta(payload, SEED));
  const seqOf = new Map<string, number>();
  let seq = 0;
  const put = (s: JobSpec, outcome: number, attempts: number) => {
    jobs.names[seq] = s.name;
    jobs.labels[seq] = LABEL_NAMES.indexOf(s.label);
    jobs.sites[seq] = SITES.indexOf(s.computeSite as (typeof SITES)[number]);
    jobs.plans.outcome[seq] = outcome;
    jobs.plans.attempts[seq] = attempts;
    if (sample && seq % sample.every === 0) sample.specs.push(s);
    seq++;
    jobs.count = seq;
    return s;
  };
  const init = spec('pipetaskInit', 'pipetaskInit', 'init', -1, [], [...PIPETASK, 'pre-exec-init-qbb', '/repo/main/butler.yaml', QGRAPH], 's3df');
  yield put(init, OK, 1);
  for (const q of records) {
    if (seq - 1 >= payload) break;
    const name = jobName(q);
    const parents = q.parents.map((p) => seqOf.get(p)!);
    const doomed = parents.some((p) => jobs.plans.outcome[p] !== OK);
    const plan = doomed ? { outcome: PRUNED, attempts: 0 } : outcomeOf(seq, q.label, q.dataId);
    seqOf.set(q.id, seq);
    const site = siteOf(q.dataId);
    const argv = [...PIPETASK, 'run-qbb', '/repo/main/butler.yaml', QGRAPH, '--qgraph-node-id', q.id];
    // Jobs without payload parents wait for pipetaskInit.
    const parentNames = parents.length > 0 ? parents.map((p) => jobs.names[p]) : ['pipetaskInit'];
    yield put(spec(name, q.label, 'payload', Math.floor((seq - 1) / JOBS_PER_BATCH), parentNames, argv, site, q.dataId), plan.outcome, plan.attempts);
  }
  const fin = spec('finalJob', 'finalJob', 'final', -1, [], ['bash', `${SUBMIT}/final_job.bash`, '/repo/main/butler.yaml', QGRAPH], 's3df');
  yield put(fin, OK, 1);
}

function newJobs(n: number): Jobs {
  return {
    names: new Array<string>(n),
    labels: new Uint8Array(n),
    sites: new Uint8Array(n),
    plans: { outcome: new Uint8Array(n), attempts: new Uint8Array(n) },
    count: 0,
  };
}

// ---- the bulk path: the rows recordAttemptStart/End write, in big transactions

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function attemptRow(runId: string, name: string, label: string, n: number, a: AttemptPlan): Insertable<JobAttemptsTable> {
  return {
    run_id: runId,
    job_name: name,
    attempt: n,
    label,
    state: a.end.state,
    host: a.start.host ?? null,
    memory_mb: a.start.memoryMb ?? null,
    log_path: a.start.logPath ?? null,
    started_at: a.start.startedAt,
    ready_at: a.start.readyAt,
    wait_s: secondsBetween(a.start.readyAt, a.start.startedAt),
    ended_at: a.end.endedAt,
    exit_code: a.end.exitCode ?? null,
    signal: a.end.signal ?? null,
    peak_rss_mb: a.end.peakRssMb ?? null,
    error_class: a.end.errorClass ?? null,
    error_summary: a.end.errorSummary ?? null,
    error_line: a.end.errorLine ?? null,
    wall_s: secondsBetween(a.start.startedAt, a.end.endedAt),
  };
}
const ATTEMPT_COLUMNS = 19;

/**
 * Inserts the attempts of the given jobs (a range of seq, or a sample) in one transaction and sets each jobs row to its
 * last attempt, as the last recordAttemptStart/End calls leave it; folds every attempt into `aggs` (per label) as
 * those calls would, in the same order (written by writeAggregates).
 */
async function bulkAttempts(
  b: Backend,
  runId: string,
  items: { seq: number; name: string; label: string; site: (typeof SITES)[number]; plan: Plan }[],
  jobs: number,
  aggs: Map<string, LabelAggregate>,
): Promise<number> {
  let rows: Insertable<JobAttemptsTable>[] = [];
  const names: string[] = [];
  for (const it of items) {
    if (it.plan.attempts === 0) continue;
    const as = attemptsOf(it.seq, it.name, it.label, it.site, it.plan, jobs);
    as.forEach((a, i) => {
      const row = attemptRow(runId, it.name, it.label, i + 1, a);
      rows.push(row);
      // The label aggregate as recordAttemptStart, then recordAttemptEnd, change it.
      const started: AttemptFacts = { state: 'RUNNING', wall_s: null, peak_rss_mb: null, wait_s: row.wait_s ?? null };
      const ended: AttemptFacts = { state: row.state, wall_s: row.wall_s ?? null, peak_rss_mb: row.peak_rss_mb ?? null, wait_s: row.wait_s ?? null };
      let agg = aggs.get(it.label) ?? emptyAggregate(runId, it.label);
      agg = applyAttemptChange(agg, undefined, started).agg;
      agg = applyAttemptChange(agg, started, ended).agg;
      aggs.set(it.label, agg);
    });
    names.push(it.name);
  }
  const perStmt = Math.floor(b.maxParams / ATTEMPT_COLUMNS);
  const count = rows.length;
  await b.writeTx(async (trx) => {
    for (let i = 0; i < rows.length; i += perStmt) await trx.insertInto('job_attempts').values(rows.slice(i, i + perStmt)).execute();
    rows = [];
    // The jobs row mirrors the job's last attempt (what recordAttemptStart then recordAttemptEnd set on it).
    for (let i = 0; i < names.length; i += 500) {
      await sql`
        update jobs set
          state = a.state, attempts = a.attempt, host = a.host, memory_mb = a.memory_mb, log_path = a.log_path,
          started_at = a.started_at, ended_at = a.ended_at, exit_code = a.exit_code, signal = a.signal,
          peak_rss_mb = a.peak_rss_mb, error_class = a.error_class, error_summary = a.error_summary, error_line = a.error_line
        from job_attempts a
        where jobs.run_id = ${runId} and jobs.name in (${sql.join(names.slice(i, i + 500))})
          and a.run_id = jobs.run_id and a.job_name = jobs.name
          and a.attempt = (select max(m.attempt) from job_attempts m where m.run_id = jobs.run_id and m.job_name = jobs.name)`.execute(trx);
    }
  });
  return count;
}

async function writeAggregates(b: Backend, aggs: Map<string, LabelAggregate>): Promise<void> {
  await b.writeTx(async (trx) => {
    for (const a of aggs.values()) await trx.insertInto('label_attempt_stats').values(a).execute();
  });
}

// ---- the real API path (for the sample check)

async function apiAttempts(store: Store, runId: string, it: { seq: number; name: string; label: string; site: (typeof SITES)[number]; plan: Plan }, jobs: number): Promise<void> {
  const as = attemptsOf(it.seq, it.name, it.label, it.site, it.plan, jobs);
  for (let i = 0; i < as.length; i++) {
    await store.recordAttemptStart(runId, it.name, i + 1, as[i].start);
    await store.recordAttemptEnd(runId, it.name, i + 1, as[i].end);
  }
}

function runInput(jobs: number, quanta: number) {
  return {
    runId: RUN_ID,
    workflowId: `run/${RUN_ID}`,
    name: 'u/bench/DRP/20250301T000000Z',
    payloadName: 'DRP',
    operator: 'bench',
    project: 'DRP',
    campaign: 'bench-drp',
    step: 'all',
    submitPath: SUBMIT,
    wms: 'htcondor',
    computeSite: 's3df',
    state: 'RUNNING' as State,
    quanta,
    jobs,
    createdAt: new Date(T0 - 3600_000).toISOString(),
  };
}

function itemsOf(jobs: Jobs, seqs: Iterable<number>) {
  const out = [];
  for (const seq of seqs) {
    out.push({
      seq,
      name: jobs.names[seq],
      label: LABEL_NAMES[jobs.labels[seq]],
      site: SITES[jobs.sites[seq]],
      plan: { outcome: jobs.plans.outcome[seq], attempts: jobs.plans.attempts[seq] },
    });
  }
  return out;
}

async function dump(file: string): Promise<string> {
  const b = await openSqliteBackend(file);
  try {
    const parts = [];
    for (const q of [
      sql`select * from runs`,
      sql`select * from jobs order by run_id, seq`,
      sql`select * from job_attempts order by run_id, job_name, attempt`,
      sql`select * from run_labels order by run_id, label`,
      sql`select * from job_tasks order by run_id, job_name, task_label`,
      sql`select * from label_attempt_stats order by run_id, label`,
    ]) parts.push((await q.execute(b.db)).rows);
    return JSON.stringify(parts);
  } finally {
    await b.close();
  }
}

/** The same sample of jobs through the real API and through the bulk path: the stores must hold identical rows. */
async function checkBulkPath(dir: string, n: number): Promise<void> {
  const every = Math.max(1, Math.floor(n / 400));
  const sample = { every, specs: [] as JobSpec[] };
  const jobs = newJobs(n);
  // Walk the whole graph (pruning needs every parent's outcome) but keep only the sample's specs.
  for (const _ of runJobs(n, jobs, sample)) void _;
  const seqs = sample.specs.map((_, i) => i * every);
  const items = itemsOf(jobs, seqs);
  const pruned = items.filter((it) => it.plan.outcome === PRUNED).map((it) => it.name);
  const files = [path.join(dir, 'check-api.sqlite'), path.join(dir, 'check-bulk.sqlite')];
  for (const [k, file] of files.entries()) {
    const store = await openStore(file);
    await store.upsertRun({ ...runInput(items.length, items.length), updatedAt: new Date(T0 - 3600_000).toISOString() });
    await store.insertJobs(RUN_ID, sample.specs);
    if (k === 0) {
      for (const it of items) await apiAttempts(store, RUN_ID, it, n);
    } else {
      const b = await openSqliteBackend(file);
      const aggs = new Map<string, LabelAggregate>();
      await bulkAttempts(b, RUN_ID, items, n, aggs);
      await writeAggregates(b, aggs);
      await b.close();
    }
    await store.setJobStates(RUN_ID, pruned, 'PRUNED');
    await store.close();
  }
  const [a, c] = [await dump(files[0]), await dump(files[1])];
  if (a !== c) throw new Error(`bulk fill check: rows differ from the real API's (${files.join(' vs ')})`);
  log(`bulk path check: ${items.length} sampled jobs, ${items.reduce((s, it) => s + it.plan.attempts, 0)} attempts: identical rows through the API and the bulk path`);
  for (const f of files) for (const ext of ['', '-wal', '-shm']) rmSync(f + ext, { force: true });
}

// ---- fill

async function fill(file: string, n: number): Promise<{ jobs: number; attempts: number }> {
  const t0 = performance.now();
  const store = await openStore(file);
  await store.upsertRun({ ...runInput(n, n - 2), updatedAt: new Date(T0 - 3600_000).toISOString() });
  const jobs = newJobs(n);
  let lastLog = performance.now();
  const specs = (function* () {
    for (const s of runJobs(n, jobs)) {
      if (performance.now() - lastLog > 5000) {
        log(`insertJobs: ${jobs.count} jobs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        lastLog = performance.now();
      }
      yield s;
    }
  })();
  const res = await store.insertJobs(RUN_ID, specs);
  log(`insertJobs: ${res.jobs} jobs, ${res.batches.length} batches in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const b = await openBackend(file);
  let attempts = 0;
  const CHUNK = 20_000;
  const aggs = new Map<string, LabelAggregate>();
  for (let lo = 0; lo < res.jobs; lo += CHUNK) {
    const seqs = Array.from({ length: Math.min(CHUNK, res.jobs - lo) }, (_, i) => lo + i);
    attempts += await bulkAttempts(b, RUN_ID, itemsOf(jobs, seqs), n, aggs);
    if (performance.now() - lastLog > 5000 || lo + CHUNK >= res.jobs) {
      log(`attempts: ${attempts} for ${Math.min(lo + CHUNK, res.jobs)} jobs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      lastLog = performance.now();
    }
  }
  await writeAggregates(b, aggs);
  await b.close();
  const pruned: string[] = [];
  const counts = { SUCCEEDED: 0, FAILED: 0, PRUNED: 0 };
  for (let s = 0; s < res.jobs; s++) {
    const o = jobs.plans.outcome[s];
    if (o === PRUNED) pruned.push(jobs.names[s]);
    counts[o === OK ? 'SUCCEEDED' : o === FAILED ? 'FAILED' : 'PRUNED']++;
  }
  await store.setJobStates(RUN_ID, pruned, 'PRUNED');
  await store.setRunState(RUN_ID, 'FAILED', { message: `${counts.FAILED} jobs failed`, updatedAt: new Date(T0 + SPAN_MS + 7200_000).toISOString() });
  await store.close();
  log(`fill: ${res.jobs} jobs (${JSON.stringify(counts)}), ${attempts} attempts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { jobs: res.jobs, attempts };
}

// ---- the aggregates against SQL over every attempt (what labelStats computed before label_attempt_stats)

/**
 * Exactly equal; on PostgreSQL, whose avg() and sum() of floats round otherwise than SQLite's compensated sums (which
 * the aggregates reproduce), floats within 1e-12 relative.
 */
function sameFigure(got: unknown, want: unknown): boolean {
  if (got === want) return true;
  if (!isPostgresUrl(file) || typeof got !== 'number' || typeof want !== 'number') return false;
  return Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want));
}

async function checkStats(file: string): Promise<void> {
  const t = performance.now();
  const store = await openStore(file);
  const b = await openBackend(file);
  try {
    const kept = new Map((await store.labelStats([RUN_ID])).map((l) => [l.label, l]));
    // labelStats as it was: SQL over every job and every attempt of the run (camelCase names quoted: PostgreSQL folds
    // unquoted ones to lower case).
    const jobs = await sql<Record<string, number | string>>`
      select label, count(*) as jobs, sum(case when state = 'SUCCEEDED' then 1 else 0 end) as succeeded,
             sum(case when state = 'FAILED' then 1 else 0 end) as failed, sum(case when attempts > 1 then attempts - 1 else 0 end) as retries
      from jobs where run_id = ${RUN_ID} group by label`.execute(b.db);
    const attempts = await sql<Record<string, number | string | null>>`
      select label, count(*) as attempts, sum(case when state not in ('SUCCEEDED', 'RUNNING', 'DELETED') then 1 else 0 end) as "failedAttempts",
             min(wall_s) as "wallMin", avg(wall_s) as "wallMean", max(wall_s) as "wallMax", coalesce(sum(wall_s), 0) as "wallTotal",
             min(peak_rss_mb) as "memMin", avg(peak_rss_mb) as "memMean", max(peak_rss_mb) as "memMax", avg(wait_s) as "waitMean"
      from job_attempts where run_id = ${RUN_ID} group by label`.execute(b.db);
    const byLabel = new Map(attempts.rows.map((r) => [String(r.label), r]));
    const diffs: string[] = [];
    let values = 0;
    for (const j of jobs.rows) {
      const want = { ...j, ...(byLabel.get(String(j.label)) ?? {}) };
      const got = kept.get(String(j.label)) as unknown as Record<string, unknown> | undefined;
      for (const [col, v] of Object.entries(want)) {
        values++;
        if (!sameFigure(got?.[col], v)) diffs.push(`${j.label}.${col}: now ${got?.[col]} vs SQL ${v}`);
      }
    }
    if (kept.size !== jobs.rows.length) diffs.push(`${kept.size} labels now, ${jobs.rows.length} by SQL`);
    if (diffs.length > 0) throw new Error(`label statistics differ from SQL over the jobs and attempts:\n  ${diffs.join('\n  ')}`);
    log(
      `stats check: labelStats (${kept.size} labels, ${values} figures) equals SQL over every job and attempt exactly ` +
        `(${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await b.close();
    await store.close();
  }
}

// ---- timing

const median = (xs: number[]) => {
  const s = [...xs].sort((a, c) => a - c);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 12);

type Op = (ctx: ServiceContext) => Promise<unknown>;

async function timeWarm(file: string, op: Op): Promise<{ ms: number[]; result: unknown }> {
  const ctx = await openServices(file);
  try {
    let result = await op(ctx); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t = performance.now();
      result = await op(ctx);
      ms.push(performance.now() - t);
    }
    return { ms, result };
  } finally {
    await ctx.close();
  }
}

async function timeFresh(file: string, op: Op): Promise<{ ms: number[]; openMs: number[] }> {
  const ms: number[] = [];
  const openMs: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const ctx = await openServices(file);
    const t = performance.now();
    try {
      await op(ctx);
      ms.push(performance.now() - t);
      openMs.push(t - t0);
    } finally {
      await ctx.close();
    }
  }
  return { ms, openMs };
}

/** The baseline, `select count(*) from jobs where run_id = ?`, on a store backend (same driver and pragmas). */
async function timeBaseline(file: string): Promise<[{ ms: number[]; result: unknown }, { ms: number[]; openMs: number[] }]> {
  const count = async (b: Backend) => (await sql<{ n: number }>`select count(*) as n from jobs where run_id = ${RUN_ID}`.execute(b.db)).rows[0].n;
  const warm = { ms: [] as number[], result: undefined as unknown };
  const fresh = { ms: [] as number[], openMs: [] as number[] };
  const b = await openBackend(file);
  try {
    warm.result = await count(b);
    for (let i = 0; i < REPS; i++) {
      const t = performance.now();
      await count(b);
      warm.ms.push(performance.now() - t);
    }
  } finally {
    await b.close();
  }
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const f = await openBackend(file);
    const t = performance.now();
    try {
      await count(f);
      fresh.ms.push(performance.now() - t);
      fresh.openMs.push(t - t0);
    } finally {
      await f.close();
    }
  }
  return [warm, fresh];
}

/** Jobs and attempts of the bench run in an existing store (a store without its tables holds none). */
async function benchRunSize(location: string): Promise<{ jobs: number; attempts: number }> {
  const b = await openBackend(location);
  try {
    const j = await sql<{ n: number }>`select count(*) as n from jobs where run_id = ${RUN_ID}`.execute(b.db);
    const a = await sql<{ n: number }>`select count(*) as n from job_attempts where run_id = ${RUN_ID}`.execute(b.db);
    return { jobs: Number(j.rows[0].n), attempts: Number(a.rows[0].n) };
  } finally {
    await b.close();
  }
}

// ---- main

const pgUrl = opt.db && isPostgresUrl(opt.db) ? opt.db : undefined;
// For PostgreSQL the temp dir holds only the bulk-path check's SQLite files.
const dir = opt.db && !pgUrl ? path.dirname(path.resolve(opt.db)) : mkdtempSync(path.join(os.tmpdir(), 'tbps-bench-report-'));
const file = pgUrl ?? (opt.db ? path.resolve(opt.db) : path.join(dir, 'tbps.sqlite'));
const shown = pgUrl ? redactUrl(pgUrl) : file;
let keep = !!opt.db && !pgUrl;
try {
  let filled: { jobs: number; attempts: number; fillS: number } | undefined;
  const held = pgUrl || existsSync(file) ? await benchRunSize(file) : undefined;
  if (held && held.jobs > 0) {
    filled = { ...held, fillS: Number.NaN };
    log(`reusing ${shown}: ${filled.jobs} jobs, ${filled.attempts} attempts (fill_s not measured)`);
  } else {
    if (held && !pgUrl) throw new Error(`${file} exists but holds no bench run; remove it or give another --db`);
    await checkBulkPath(dir, N);
    log(`filling ${shown} with ${N} jobs`);
    const t = performance.now();
    const r = await fill(file, N);
    filled = { ...r, fillS: (performance.now() - t) / 1000 };
  }

  await checkStats(file);

  // Page 3 of characterizeImage's FAILED jobs (a smaller store may have fewer pages: its last one).
  const labelPage = await (async () => {
    const ctx = await openServices(file);
    try {
      return Math.min(3, (await jobPage(ctx, RUN_ID, { label: 'characterizeImage', state: 'FAILED' })).pages);
    } finally {
      await ctx.close();
    }
  })();
  const ops: Record<string, Op> = {
    baseline_count: async () => undefined,
    report: (ctx) => runDetail(ctx, RUN_ID),
    stats: (ctx) => statistics(ctx, { runId: RUN_ID }, { tasks: false }),
    api_run: async (ctx) => [await runDetail(ctx, RUN_ID), await statistics(ctx, { runId: RUN_ID }, { tasks: false })],
    api_jobs_label: (ctx) => jobPage(ctx, RUN_ID, { label: 'characterizeImage', state: 'FAILED', page: labelPage }),
    api_jobs_dataid: (ctx) => jobPage(ctx, RUN_ID, { dataId: 'visit=903340 detector=10', computeSite: 'cc-in2p3' }),
  };
  const medians: Record<string, number> = {};
  for (const [name, op] of Object.entries(ops)) {
    const [warm, fresh] = name === 'baseline_count' ? await timeBaseline(file) : [await timeWarm(file, op), await timeFresh(file, op)];
    const w = median(warm.ms);
    const f = median(fresh.ms);
    medians[name] = Math.max(w, f);
    const extra = name === 'api_jobs_label' || name === 'api_jobs_dataid' ? ` total=${(warm.result as { total: number }).total}` : '';
    log(
      `${name}: warm median ${w.toFixed(1)} ms [${warm.ms.map((x) => x.toFixed(0)).join(' ')}], fresh median ${f.toFixed(1)} ms [${fresh.ms.map((x) => x.toFixed(0)).join(' ')}]` +
        `${fresh.openMs.length ? ` (+ open ${median(fresh.openMs).toFixed(1)} ms)` : ''} result ${digest(warm.result)}${extra}`,
    );
  }
  medians.api_jobs = Math.max(medians.api_jobs_label, medians.api_jobs_dataid);
  const base = medians.baseline_count;
  const f1 = (x: number) => x.toFixed(1);
  const ratio = (x: number) => (x / base).toFixed(2);
  console.log(
    `jobs=${filled.jobs} attempts=${filled.attempts} fill_s=${Number.isNaN(filled.fillS) ? 'NA' : filled.fillS.toFixed(1)} ` +
      `report_ms=${f1(medians.report)} stats_ms=${f1(medians.stats)} api_run_ms=${f1(medians.api_run)} api_jobs_ms=${f1(medians.api_jobs)} ` +
      `baseline_count_ms=${f1(base)} ratio_report=${ratio(medians.report)} ratio_stats=${ratio(medians.stats)} ` +
      `ratio_api_run=${ratio(medians.api_run)} ratio_api_jobs=${ratio(medians.api_jobs)}`,
  );
} catch (e) {
  keep = true;
  log(`failed; the store is kept in ${pgUrl ? shown : dir}`);
  throw e;
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
