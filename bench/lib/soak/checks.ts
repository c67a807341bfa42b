// What a soak found, from the store (jobs and attempts of the campaign's runs), the jobs' own executions file
// (synthetic mode) and the chaos log: the figures of the one result line and the checks that failed.
import { LOST_ERROR_CLASS } from '../../../core/run/attemptHistory.js';
import type { Store } from '../../../store/index.js';
import type { ChaosLog, KillRecord } from './chaos.js';
import type { ExecutionEvent } from './synthetic.js';

export interface StoredJob {
  key: string;
  state: string;
  attempts: { attempt: number; state: string; startedAt: string | null; endedAt: string | null; errorClass?: string | null }[];
}

/** Every job of the campaign's runs with its attempts, keyed run/job. */
export async function readCampaignJobs(store: Store, campaign: string): Promise<StoredJob[]> {
  const jobs: StoredJob[] = [];
  for (const runId of await store.campaignRunIds(campaign)) {
    for (let offset = 0; ; ) {
      const page = await store.listJobs(runId, {}, offset, 1000);
      for (const j of page.jobs) {
        const attempts = (await store.attempts(runId, j.name)).map((a) => ({ attempt: a.attempt, state: a.state, startedAt: a.startedAt, endedAt: a.endedAt, errorClass: a.errorClass }));
        jobs.push({ key: `${runId}/${j.name}`, state: j.state, attempts });
      }
      offset += page.jobs.length;
      if (page.jobs.length === 0 || offset >= page.total) break;
    }
  }
  return jobs;
}

export interface SoakFacts {
  seed: number;
  mode: string;
  killsRequested: number;
  serverRestartsRequested: number;
  campaignState: string;
  jobs: StoredJob[];
  chaos: ChaosLog;
  /** Synthetic mode: the jobs' own start/end lines; undefined in LSST mode. */
  executions?: ExecutionEvent[];
  orphanProcesses: number;
  workerCrashes: number;
  wallSeconds: number;
  /** LSST mode: extra checks (name -> passed) and figures. */
  extraChecks?: Record<string, boolean>;
  extraFigures?: Record<string, string | number>;
}

export interface SoakResult {
  figures: Record<string, string | number>;
  failed: string[];
  /** Detail lines for failed checks (a few examples each). */
  details: string[];
}

function longestGapSeconds(timesMs: number[]): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
  return gap / 1000;
}

/**
 * Jobs a kill hit while they ran: job processes of the killed executor instance at the kill, and (synthetic) every
 * execution that instance started whose attempt had not ended in the store before the kill. The second catches jobs
 * spawned just before the kill (their first line may come after it) and jobs whose process ended but whose end was
 * not recorded yet. Third, an attempt recorded as started before an executor kill that never ended, or that the store
 * closed as lost after the kill: only a dead executor leaves one (it was killed between recording the start and
 * spawning the payload, or after). A job
 * merely waiting for a slot on the killed executor has no started attempt and no process: not hit.
 */
function jobsHitByKills(f: SoakFacts, byKey: Map<string, StoredJob>): Set<string> {
  const hit = new Set<string>();
  const executorKills = f.chaos.kills.filter((k) => k.target.startsWith('executor'));
  for (const j of f.jobs)
    for (const a of j.attempts)
      if (a.startedAt && (!a.endedAt || a.errorClass === LOST_ERROR_CLASS) && executorKills.some((k) => k.atMs >= Date.parse(a.startedAt!) && (!a.endedAt || Date.parse(a.endedAt) >= k.atMs)))
        hit.add(j.key);
  for (const k of f.chaos.kills) {
    for (const j of k.runningJobs) hit.add(j);
    for (const e of f.executions ?? []) {
      if (e.event !== 'start' || e.worker !== k.instance) continue;
      const key = `${e.run}/${e.job}`;
      const stored = byKey.get(key)?.attempts.find((a) => a.attempt === e.attempt);
      if (!stored?.endedAt || Date.parse(stored.endedAt) >= k.atMs) hit.add(key);
    }
  }
  return hit;
}

export function evaluateSoak(f: SoakFacts): SoakResult {
  const byKey = new Map(f.jobs.map((j) => [j.key, j]));
  const hit = jobsHitByKills(f, byKey);
  const succeededOnce = f.jobs.filter((j) => j.state === 'SUCCEEDED' && j.attempts.filter((a) => a.state === 'SUCCEEDED').length === 1);
  const multiAttempt = f.jobs.filter((j) => j.attempts.length > 1);
  const retriedNotHit = multiAttempt.filter((j) => !hit.has(j.key));
  const leftRunning = f.jobs.flatMap((j) => j.attempts.filter((a) => a.state === 'RUNNING').map(() => j.key));
  const gaps = f.jobs.filter((j) => j.attempts.some((a, i) => a.attempt !== i + 1));
  const completions = f.jobs.flatMap((j) => j.attempts.filter((a) => a.state === 'SUCCEEDED' && a.endedAt).map((a) => Date.parse(a.endedAt!)));

  const figures: Record<string, string | number> = {
    seed: f.seed,
    mode: f.mode,
    kills: f.chaos.kills.length,
    server_restarts: f.chaos.serverRestarts,
    campaign_state: f.campaignState,
    jobs: f.jobs.length,
    jobs_succeeded_once: succeededOnce.length,
    max_attempts_per_job: Math.max(0, ...f.jobs.map((j) => j.attempts.length)),
    jobs_with_multiple_attempts: multiAttempt.length,
    jobs_hit_running: hit.size,
    jobs_retried_not_hit: retriedNotHit.length,
  };
  const failed: string[] = [];
  const details: string[] = [];
  const check = (name: string, ok: boolean, examples: string[] = []) => {
    if (ok) return;
    failed.push(name);
    if (examples.length) details.push(`${name}: ${examples.length} (e.g. ${examples.slice(0, 5).join(', ')})`);
  };

  let executedTwiceNotHit: string[] = [];
  let neverCompleted: string[] = [];
  let endedAfterDeath: string[] = [];
  if (f.executions) {
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    for (const e of f.executions) {
      const m = e.event === 'start' ? starts : ends;
      m.set(`${e.run}/${e.job}`, (m.get(`${e.run}/${e.job}`) ?? 0) + 1);
    }
    // A payload that wrote its end line after the executor that started it was gone (SIGKILLed and torn down)
    // outlived its executor. The kernel ends a SIGKILLed executor some ms after kill(2) (tens under load) and only
    // then sends its jobs their parent-death signal: a payload that ended in between ended while its executor
    // still existed. Those are counted apart (the harness cannot do better than the executor's exit reaching it,
    // which is, if anything, late).
    const killOf = new Map(f.chaos.kills.map((k) => [k.instance, k]));
    const endsAfterKill = f.executions.filter((e) => e.event === 'end' && killOf.has(e.worker) && e.timeMs > killOf.get(e.worker)!.atMs);
    const goneAt = (k: KillRecord) => k.atMs + (k.goneAfterMs ?? 0);
    endedAfterDeath = endsAfterKill
      .filter((e) => e.timeMs > goneAt(killOf.get(e.worker)!))
      .map((e) => {
        const k = killOf.get(e.worker)!;
        return `${e.run}/${e.job} +${Math.round(e.timeMs - k.atMs)}ms after the kill${k.goneAfterMs !== undefined ? `, executor gone +${k.goneAfterMs}ms` : ''}`;
      });
    figures.executions_finished_during_executor_teardown = endsAfterKill.length - endedAfterDeath.length;
    figures.executions_finished_after_executor_death = endedAfterDeath.length;
    const twice = [...starts].filter(([, n]) => n > 1).map(([k]) => k);
    executedTwiceNotHit = twice.filter((k) => !hit.has(k));
    neverCompleted = f.jobs.filter((j) => !ends.has(j.key)).map((j) => j.key);
    figures.executions_total = f.executions.filter((e) => e.event === 'start').length;
    figures.executions_completed = f.executions.filter((e) => e.event === 'end').length;
    figures.jobs_executed_more_than_once = twice.length;
    figures.jobs_completed_more_than_once = [...ends].filter(([, n]) => n > 1).length;
  } else {
    figures.executions_total = 'na';
    figures.jobs_executed_more_than_once = 'na';
  }
  Object.assign(figures, {
    attempts_left_running: leftRunning.length,
    attempt_number_gaps: gaps.length,
    orphan_processes: f.orphanProcesses,
    orphans_after_kills: f.chaos.orphansAfterKills,
    worker_crashes: f.workerCrashes,
    longest_stall_s: longestGapSeconds(completions).toFixed(1),
    wall_s: f.wallSeconds.toFixed(1),
    ...f.extraFigures,
  });

  check('campaign_succeeded', f.campaignState === 'SUCCEEDED');
  check('all_chaos_done', f.chaos.kills.length === f.killsRequested && f.chaos.serverRestarts === f.serverRestartsRequested);
  check(
    'every_job_succeeded_once',
    f.jobs.length > 0 && succeededOnce.length === f.jobs.length,
    f.jobs.filter((j) => !succeededOnce.includes(j)).map((j) => `${j.key} ${j.state} [${j.attempts.map((a) => `${a.attempt}:${a.state}`).join(' ')}]`),
  );
  check('retries_only_where_a_kill_hit', retriedNotHit.length === 0, retriedNotHit.map((j) => `${j.key} [${j.attempts.map((a) => `${a.attempt}:${a.state}`).join(' ')}]`));
  check('no_attempt_left_running', leftRunning.length === 0, leftRunning);
  check('no_attempt_number_gap', gaps.length === 0, gaps.map((j) => `${j.key} [${j.attempts.map((a) => a.attempt).join(',')}]`));
  check('no_orphan_processes', f.orphanProcesses === 0);
  check('jobs_die_with_their_executor', f.chaos.orphansAfterKills === 0 && endedAfterDeath.length === 0, [
    ...endedAfterDeath,
    ...f.chaos.kills.flatMap((k) => (k.orphans ?? []).map((o) => `${k.instance} orphan ${o}`)),
  ]);
  if (f.executions) {
    check('every_job_executed', neverCompleted.length === 0, neverCompleted);
    check('executed_twice_only_where_a_kill_hit', executedTwiceNotHit.length === 0, executedTwiceNotHit);
  }
  for (const [name, ok] of Object.entries(f.extraChecks ?? {})) check(name, ok);
  return { figures, failed, details };
}

/** The one `key=value` line. */
export function resultLine(r: SoakResult): string {
  return [...Object.entries(r.figures).map(([k, v]) => `${k}=${v}`), `failed=${r.failed.length ? r.failed.join(',') : 'none'}`].join(' ');
}
