// The soak's checks (bench/lib/soak/checks.ts) on hand-made facts: each check fails on the fault it names and
// passes on a clean soak; the seeded schedule replays; bad soak options are one clear message.
import { describe, expect, it } from 'vitest';
import { evaluateSoak, type SoakFacts, type StoredJob } from '../../bench/lib/soak/checks.js';
import { chaosSchedule } from '../../bench/lib/soak/chaos.js';
import { parseSoakArgs } from '../../bench/lib/soak/options.js';
import { seededRandom } from '../../bench/lib/soak/prng.js';
import type { ExecutionEvent } from '../../bench/lib/soak/synthetic.js';

const T = Date.parse('2026-12-02T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const job = (key: string, attempts: [number, string, number | null][], state = 'SUCCEEDED'): StoredJob => ({
  key,
  state,
  attempts: attempts.map(([attempt, s, end]) => ({ attempt, state: s, startedAt: iso((end ?? T) - 400), endedAt: end === null ? null : iso(end) })),
});
const exec = (event: 'start' | 'end', timeMs: number, key: string, attempt: number, ppid: number): ExecutionEvent => {
  const [run, name] = key.split('/');
  return { event, timeMs, run, job: name, attempt, pid: 1000 + (timeMs % 1000), ppid, worker: `executor-${ppid}` };
};

function cleanFacts(): SoakFacts {
  return {
    seed: 1,
    mode: 'synthetic',
    killsRequested: 1,
    serverRestartsRequested: 0,
    campaignState: 'SUCCEEDED',
    jobs: [job('r/a', [[1, 'SUCCEEDED', T + 1000]]), job('r/b', [[1, 'SUCCEEDED', T + 2000]])],
    chaos: { kills: [{ target: 'orchestrator', instance: 'orchestrator.1', pid: 50, atMs: T + 1500, runningJobs: [], jobPids: [] }], serverRestarts: 0, orphansAfterKills: 0, restartDelaysMs: [900] },
    executions: [exec('start', T, 'r/a', 1, 40), exec('end', T + 900, 'r/a', 1, 40), exec('start', T + 1000, 'r/b', 1, 40), exec('end', T + 1900, 'r/b', 1, 40)],
    orphanProcesses: 0,
    workerCrashes: 0,
    wallSeconds: 3,
  };
}

describe('soak checks', () => {
  it('pass on a clean soak and print the figures', () => {
    const r = evaluateSoak(cleanFacts());
    expect(r.failed).toEqual([]);
    expect(r.figures).toMatchObject({ kills: 1, jobs: 2, jobs_succeeded_once: 2, attempts_left_running: 0, executions_total: 2, longest_stall_s: '1.0' });
  });

  it('allow a second attempt and execution where a kill hit the running job', () => {
    const f = cleanFacts();
    f.chaos.kills[0] = { target: 'executor-1', instance: 'executor-40', pid: 40, atMs: T + 1500, runningJobs: ['r/b'], jobPids: [77] };
    f.jobs[1] = job('r/b', [[1, 'FAILED', T + 61_000], [2, 'SUCCEEDED', T + 62_000]]);
    f.executions!.splice(2, 2, exec('start', T + 1000, 'r/b', 1, 40), exec('start', T + 61_000, 'r/b', 2, 41), exec('end', T + 61_900, 'r/b', 2, 41));
    expect(evaluateSoak(f).failed).toEqual([]);
  });

  it('count an attempt closed as lost after an executor kill as hit, even with no execution of the payload', () => {
    const f = cleanFacts();
    f.chaos.kills[0] = { target: 'executor-1', instance: 'executor-40', pid: 40, atMs: T + 1500, runningJobs: [], jobPids: [] };
    // b's attempt 1 opened 3 ms before the kill (slot taken, payload not spawned yet) and was closed as lost at attempt 2.
    f.jobs[1] = {
      key: 'r/b',
      state: 'SUCCEEDED',
      attempts: [
        { attempt: 1, state: 'READY', startedAt: iso(T + 1497), endedAt: iso(T + 12_000), errorClass: 'lost' },
        { attempt: 2, state: 'SUCCEEDED', startedAt: iso(T + 12_000), endedAt: iso(T + 12_400) },
      ],
    };
    f.executions!.splice(2, 2, exec('start', T + 12_000, 'r/b', 2, 41), exec('end', T + 12_400, 'r/b', 2, 41));
    expect(evaluateSoak(f).failed).toEqual([]);
    // The same two attempts with the first closed by an ordinary failure are a retry no kill explains.
    f.jobs[1].attempts[0] = { ...f.jobs[1].attempts[0], state: 'FAILED', errorClass: null };
    expect(evaluateSoak(f).failed).toContain('retries_only_where_a_kill_hit');
  });

  it('name each fault', () => {
    const f = cleanFacts();
    f.campaignState = 'FAILED';
    f.chaos.serverRestarts = 0;
    f.serverRestartsRequested = 1;
    f.chaos.kills[0] = { target: 'executor-1', instance: 'executor-40', pid: 40, atMs: T + 1500, runningJobs: [], jobPids: [] };
    // a: waited for a slot on the killed executor (not running), lost attempt 1 and ran again
    f.jobs[0] = job('r/a', [[2, 'SUCCEEDED', T + 3000]]);
    // b: two SUCCEEDED attempts, one left RUNNING elsewhere
    f.jobs[1] = job('r/b', [[1, 'SUCCEEDED', T + 2000], [2, 'SUCCEEDED', T + 3000]]);
    f.jobs.push(job('r/c', [[1, 'RUNNING', null]], 'RUNNING'));
    // b's first execution outlived its executor (ended after the kill), and it ran twice
    f.executions = [exec('start', T, 'r/a', 2, 41), exec('end', T + 900, 'r/a', 2, 41), exec('start', T + 1000, 'r/b', 1, 40), exec('end', T + 1900, 'r/b', 1, 40), exec('start', T + 2000, 'r/b', 2, 41), exec('end', T + 2900, 'r/b', 2, 41)];
    f.chaos.kills[0].atMs = T + 1800;
    f.orphanProcesses = 2;
    const r = evaluateSoak(f);
    expect(r.failed).toEqual([
      'campaign_succeeded',
      'all_chaos_done',
      'every_job_succeeded_once',
      'no_attempt_left_running',
      'no_attempt_number_gap',
      'no_orphan_processes',
      'jobs_die_with_their_executor',
      'every_job_executed',
    ]);
    // b was running on the killed executor (its attempt had not ended at the kill): its retry is allowed; c's
    // attempt started before the kill and never ended, so it too was lost with the executor.
    expect(r.figures.jobs_hit_running).toBe(2);
    expect(r.figures.executions_finished_after_executor_death).toBe(1);
  });

  it('count a job spawned just before the kill as hit even when its first line comes after it', () => {
    const f = cleanFacts();
    f.chaos.kills[0] = { target: 'executor-1', instance: 'executor-40', pid: 40, atMs: T + 1050, runningJobs: [], jobPids: [] };
    // b's shell started under the killed instance 100 ms after the kill was sent (reparented already: ppid 1 in
    // the real soak); its attempt 1 stays unrecorded and attempt 2 runs on another executor.
    f.jobs[1] = job('r/b', [[1, 'RUNNING', null], [2, 'SUCCEEDED', T + 62_000]]);
    f.executions!.splice(2, 2, { ...exec('start', T + 1150, 'r/b', 1, 40), ppid: 1 }, exec('end', T + 1450, 'r/b', 1, 40), exec('start', T + 61_000, 'r/b', 2, 41), exec('end', T + 61_900, 'r/b', 2, 41));
    const r = evaluateSoak(f);
    expect(r.figures.jobs_hit_running).toBe(1);
    // The retry is explained; the attempt left RUNNING and the payload finishing after its executor died are not.
    expect(r.failed).toEqual(['no_attempt_left_running', 'jobs_die_with_their_executor']);
  });

  it('count a payload that ended while its SIGKILLed executor was still being torn down apart from one that outlived it', () => {
    const f = cleanFacts();
    // executor-40 was SIGKILLed at T + 1850 and gone (its exit reached the harness) 100 ms later; b ended at T + 1900.
    f.chaos.kills[0] = { target: 'executor-1', instance: 'executor-40', pid: 40, atMs: T + 1850, runningJobs: ['r/b'], jobPids: [77], goneAfterMs: 100 };
    f.jobs[1] = job('r/b', [[1, 'READY', T + 5000], [2, 'SUCCEEDED', T + 62_000]]);
    f.executions!.push(exec('start', T + 61_000, 'r/b', 2, 41), exec('end', T + 61_900, 'r/b', 2, 41));
    let r = evaluateSoak(f);
    expect(r.failed).toEqual([]);
    expect(r.figures.executions_finished_after_executor_death).toBe(0);
    expect(r.figures.executions_finished_during_executor_teardown).toBe(1);
    // Gone after 20 ms: b's end line came 30 ms after its executor was gone.
    f.chaos.kills[0].goneAfterMs = 20;
    r = evaluateSoak(f);
    expect(r.failed).toEqual(['jobs_die_with_their_executor']);
    expect(r.details).toEqual(['jobs_die_with_their_executor: 1 (e.g. r/b +50ms after the kill, executor gone +20ms)']);
    // An orphan process found at the orphan check fails it too, and is named.
    f.chaos.kills[0].goneAfterMs = 100;
    f.chaos.orphansAfterKills = 1;
    f.chaos.kills[0].orphans = ['78 r/b'];
    r = evaluateSoak(f);
    expect(r.details).toEqual(['jobs_die_with_their_executor: 1 (e.g. executor-40 orphan 78 r/b)']);
  });

  it('count an attempt started on the killed executor before its payload was spawned as hit', () => {
    const f = cleanFacts();
    f.chaos.kills[0] = { target: 'executor-1', instance: 'executor-40', pid: 40, atMs: T + 1500, runningJobs: [], jobPids: [] };
    // b's attempt 1 was recorded as started at T - 400 (before the kill) and never ended; no payload line for it.
    f.jobs[1] = job('r/b', [[1, 'RUNNING', null], [2, 'SUCCEEDED', T + 62_000]]);
    f.executions!.splice(2, 2, exec('start', T + 61_000, 'r/b', 2, 41), exec('end', T + 61_900, 'r/b', 2, 41));
    const r = evaluateSoak(f);
    expect(r.figures.jobs_hit_running).toBe(1);
    expect(r.failed).toEqual(['no_attempt_left_running']);
  });

  it('refuse retries and repeated executions no kill explains', () => {
    const f = cleanFacts();
    f.jobs[0] = job('r/a', [[1, 'FAILED', T + 500], [2, 'SUCCEEDED', T + 1000]]);
    f.executions!.push(exec('start', T + 500, 'r/a', 2, 40), exec('end', T + 900, 'r/a', 2, 40));
    expect(evaluateSoak(f).failed).toEqual(['retries_only_where_a_kill_hit', 'executed_twice_only_where_a_kill_hit']);
  });
});

describe('soak schedule and options', () => {
  it('replays the same schedule from the same seed', () => {
    const a = chaosSchedule(seededRandom(42), 20, 1);
    expect(a).toHaveLength(21);
    expect(chaosSchedule(seededRandom(42), 20, 1)).toEqual(a);
    expect(chaosSchedule(seededRandom(43), 20, 1)).not.toEqual(a);
    expect(a.filter((e) => e.kind === 'server')).toHaveLength(1);
    expect(a.every((e, i) => i === 0 || a[i - 1].atProgress <= e.atProgress)).toBe(true);
  });

  it('parses options and names the bad one', () => {
    expect(parseSoakArgs(['--kills', '20', '--seed', '5'])).toMatchObject({ kills: 20, seed: 5, mode: 'synthetic', short: false, quantaPerGroup: 150 });
    expect(parseSoakArgs(['--short'])).toMatchObject({ kills: 4, quantaPerGroup: 20, heartbeatTimeout: 10 });
    expect(() => parseSoakArgs(['--kils', '3'])).toThrow("unknown option '--kils'");
    expect(() => parseSoakArgs(['--kills', 'x'])).toThrow("option --kills: 'x' is not an integer >= 0");
    expect(() => parseSoakArgs(['--mode', 'condor'])).toThrow("option --mode: 'condor' is not synthetic or lsst");
    expect(() => parseSoakArgs(['--seed'])).toThrow('option --seed: a value is missing');
  });
});
