// Crash semantics of the local executor without Temporal, with real processes and a real SQLite store: tries counted
// from attempt history (lost attempts do not count), store-numbered attempts without gaps and lost ones closed,
// command lookup for the parent-death wrapper, a job's whole process group dying with the process that started it
// (parent-death signal + registry watchdog), and the reaping of a dead executor's groups (guarded against pid reuse).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countedFailures, LOST_ERROR_CLASS, nextTry } from '../../core/run/attemptHistory.js';
import type { JobSpec } from '../../core/workflow/model.js';
import { openStore, type Store } from '../../store/index.js';
import { groupMembers, JOB_TOKEN_VAR, killJobGroup, parseRegistryFile, reapOrphans } from '../../wms/local/jobGroups.js';
import { parentDeathPrefix, resolveCommand } from '../../processes/parentDeath.js';
import { ResourcePool } from '../../wms/local/resources.js';
import { isAlive as alive } from '../../processes/procStat.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tbps-crash-unit-'));
const REPO = fileURLToPath(new URL('../..', import.meta.url));


async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('tries from attempt history', () => {
  const ended = '2026-01-01T00:00:00Z';
  it('counts attempts that ran and failed, not lost, cancelled, succeeded or open ones', () => {
    const history = [
      { state: 'READY', errorClass: 'out_of_memory', endedAt: ended },
      { state: 'READY', errorClass: LOST_ERROR_CLASS, endedAt: ended },
      { state: 'DELETED', errorClass: 'cancelled', endedAt: ended },
      { state: 'READY', errorClass: 'infrastructure', endedAt: ended },
      { state: 'RUNNING', errorClass: null, endedAt: null },
    ];
    expect(countedFailures(history)).toBe(2);
    expect(nextTry(history)).toBe(3);
    expect(nextTry([])).toBe(1);
    expect(nextTry([{ state: 'READY', errorClass: LOST_ERROR_CLASS, endedAt: ended }])).toBe(1);
  });
});

describe('store-numbered attempts', () => {
  let store: Store;
  const run = 'crash_run';
  const spec = (name: string): JobSpec => ({
    name,
    kind: 'payload',
    label: 'task',
    batch: 0,
    quanta: 1,
    argv: ['true'],
    environment: {},
    requestMemory: 100,
    memoryMultiplier: 2,
    requestCpus: 1,
    numberOfRetries: 3,
    retryUnlessExit: [1, 2],
    computeSite: 'local',
    parents: [],
  });
  const start = (host: string) => (n: number) => ({ host, memoryMb: 100, logPath: `/logs/j.${n}.out`, startedAt: new Date().toISOString() });

  beforeAll(async () => {
    store = await openStore(path.join(tmp, 'store.sqlite'));
    await store.insertJobs(run, [spec('j'), spec('k')]);
  });
  afterAll(async () => store.close());

  it('closes an attempt left open as lost, numbers the next one after it, and does not count it as a try', async () => {
    const a1 = await store.openAttempt(run, 'j', start('h1'), 'lost for the test');
    expect(a1).toEqual({ number: 1, tryNumber: 1, closedLost: 0 });
    expect((await store.getJob(run, 'j'))?.state).toBe('RUNNING');
    // h1 dies: attempt 1 stays open until the next attempt starts.
    const a2 = await store.openAttempt(run, 'j', start('h2'), 'lost for the test');
    expect(a2).toEqual({ number: 2, tryNumber: 1, closedLost: 1 });
    const [first, second] = await store.attempts(run, 'j');
    expect(first).toMatchObject({ attempt: 1, state: 'READY', errorClass: 'lost', errorSummary: 'lost for the test', wallSeconds: null });
    expect(first.endedAt).not.toBeNull();
    expect(second).toMatchObject({ attempt: 2, state: 'RUNNING', host: 'h2', logPath: '/logs/j.2.out' });
    // Attempt 2 fails (out of memory): it counts, so the next try is 2.
    await store.recordNumberedAttemptEnd(run, 'j', 2, { state: 'READY', exitCode: null, signal: 'SIGKILL', errorClass: 'out_of_memory' });
    expect(await store.nextTry(run, 'j')).toBe(2);
    const a3 = await store.openAttempt(run, 'j', start('h2'), 'lost for the test');
    expect(a3).toEqual({ number: 3, tryNumber: 2, closedLost: 0 });
    await store.recordNumberedAttemptEnd(run, 'j', 3, { state: 'SUCCEEDED', exitCode: 0 });
    expect((await store.attempts(run, 'j')).map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(await store.getJob(run, 'j')).toMatchObject({ state: 'SUCCEEDED', attempts: 3 });
    const stats = (await store.labelStats([run])).find((l) => l.label === 'task');
    expect(stats).toMatchObject({ attempts: 3, failedAttempts: 2 });
  });

  it('closes the open attempts of jobs nothing runs any more, by number or all of a job', async () => {
    await store.openAttempt(run, 'k', start('h1'), 'x');
    expect(await store.jobsWithOpenAttempts(run)).toEqual(['k']);
    expect(await store.closeOpenAttempts(run, [{ name: 'k', number: 7 }], 'not that one')).toBe(0);
    expect(await store.closeOpenAttempts(run, [{ name: 'k', number: 1 }], 'its executor died')).toBe(1);
    expect(await store.closeOpenAttempts(run, [{ name: 'k' }], 'again')).toBe(0);
    expect(await store.jobsWithOpenAttempts(run)).toEqual([]);
    expect((await store.attempts(run, 'k'))[0]).toMatchObject({ state: 'READY', errorClass: 'lost', errorSummary: 'its executor died' });
    expect((await store.getJob(run, 'k'))?.state).toBe('READY');
  });
});

describe('ResourcePool.tryAcquire', () => {
  it('takes a slot only when it fits now and nobody waits before it', async () => {
    const pool = new ResourcePool({ cpus: 2, memoryMb: 1000 });
    const a = pool.tryAcquire(1, 100);
    expect(a).toBeDefined();
    expect(pool.tryAcquire(1, 950)).toBeUndefined(); // memory does not fit
    const waiting = pool.acquire(2, 100);
    expect(pool.tryAcquire(1, 100)).toBeUndefined(); // fits, but a job waits before it
    a!();
    (await waiting)();
    expect(pool.free).toEqual({ cpus: 2, memoryMb: 1000 });
  });
});

describe('resolveCommand', () => {
  it('finds commands as exec would: paths relative to cwd, names along PATH, nothing for missing ones', () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'tool'), 0o755);
    writeFileSync(path.join(bin, 'plain'), 'not executable');
    expect(resolveCommand('tool', `/nonexistent:${bin}`, '/')).toBe(path.join(bin, 'tool'));
    expect(resolveCommand('plain', bin, '/')).toBeUndefined();
    expect(resolveCommand('./bin/tool', undefined, tmp)).toBe(path.join(bin, 'tool'));
    expect(resolveCommand('/nonexistent/tool', bin, '/')).toBeUndefined();
    expect(resolveCommand('', bin, '/')).toBeUndefined();
  });
});

// A process that starts one job through runProcess with the executor's registry, prints the job's pids, and waits
// to be killed: the executor in small.
const FAKE_EXECUTOR = `
import { JobGroups, JOB_TOKEN_VAR } from 'REPO/wms/local/jobGroups.ts';
import { runProcess } from 'REPO/processes/runProcess.ts';
import path from 'node:path';
const [root, out] = process.argv.slice(2);
const groups = new JobGroups(root);
groups.start();
const token = groups.newToken();
runProcess({
  argv: ['sh', '-c', 'sleep 60 & echo "$$ $!" > ' + out + '; wait'],
  env: { ...process.env, [JOB_TOKEN_VAR]: token },
  cwd: root, root: path.dirname(out), stdoutPath: out + '.out', stderrPath: out + '.err',
  onSpawn: (pid) => groups.register({ pgid: pid, token, runId: 'r', name: 'job', attempt: 1, host: 'h' }),
});
setInterval(() => {}, 1000);
`;

// The executor in small again, SIGKILLed between spawning its job and registering the job's group (the chaos soak's
// kill landing in that window): the payload, whose background child neither inherits the parent-death signal nor
// was ever registered, must never run.
const DIES_BEFORE_REGISTERING = `
import { writeFileSync } from 'node:fs';
import { runProcess } from 'REPO/processes/runProcess.ts';
const [dir] = process.argv.slice(2);
runProcess({
  argv: ['sh', '-c', 'echo started > started; (sleep 0.5; echo ran > ran) & wait'],
  env: { ...process.env },
  cwd: dir, stdoutPath: 'job.out', stderrPath: 'job.err',
  onSpawn: (pid) => {
    writeFileSync(dir + '/pid', String(pid));
    process.kill(process.pid, 'SIGKILL');
  },
});
setInterval(() => {}, 1000);
`;

describe('a job dies with its executor', () => {
  it('runs under a parent-death signal on this machine', () => {
    expect(parentDeathPrefix()).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--']);
  });

  it('SIGKILL of the executor kills the job and its children; the next executor reaps the registry', async () => {
    const root = path.join(tmp, 'registry');
    const pidsFile = path.join(tmp, 'pids');
    mkdirSync(root, { recursive: true });
    const script = path.join(tmp, 'fake-executor.ts');
    writeFileSync(script, FAKE_EXECUTOR.replaceAll('REPO/', REPO));
    const exe = spawn(process.execPath, ['--import', 'tsx', script, root, pidsFile], { cwd: REPO, stdio: 'ignore' });
    await until('the job to start', () => existsSync(pidsFile) && readFileSync(pidsFile, 'utf8').includes(' '), 20_000);
    const [shell, child] = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
    expect(alive(shell) && alive(child)).toBe(true);
    const dirs = readdirSync(root);
    expect(dirs).toHaveLength(1);
    expect(readdirSync(path.join(root, dirs[0]))).toEqual([`${shell}.job`]);
    exe.kill('SIGKILL');
    await until('the job shell and its child to die', () => !alive(shell) && !alive(child));
    // The dead executor's registry is reaped by the next one: its job is returned (nothing left to kill).
    const orphans = reapOrphans(root);
    expect(orphans).toMatchObject([{ pgid: shell, runId: 'r', name: 'job', attempt: 1, killed: 0 }]);
    expect(readdirSync(root)).toEqual([]);
  }, 30_000);

  it('an executor killed between spawning a job and registering it never lets the payload run', async () => {
    const dir = path.join(tmp, 'unregistered');
    mkdirSync(dir, { recursive: true });
    const script = path.join(tmp, 'dies-before-registering.ts');
    writeFileSync(script, DIES_BEFORE_REGISTERING.replaceAll('REPO/', REPO));
    const exe = spawn(process.execPath, ['--import', 'tsx', script, dir], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    exe.stderr.on('data', (d) => (stderr += d));
    await new Promise((r) => exe.once('close', r));
    expect(stderr).toBe('');
    expect(exe.signalCode).toBe('SIGKILL');
    const pid = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    await until('the spawned gate to be gone', () => !alive(pid));
    await new Promise((r) => setTimeout(r, 1500)); // the payload's background child would have written by now
    expect(existsSync(path.join(dir, 'started'))).toBe(false);
    expect(existsSync(path.join(dir, 'ran'))).toBe(false);
  }, 30_000);

  it('reaps a live group of a dead executor, but never a group whose processes lack the job token', async () => {
    const root = path.join(tmp, 'registry2');
    const dead = path.join(root, '999999999-1'); // no such pid: a dead executor
    mkdirSync(dead, { recursive: true });
    const start = (token: string) => spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore', env: { ...process.env, [JOB_TOKEN_VAR]: token } });
    const mine = start('tok-mine');
    const other = start('tok-other'); // e.g. a reused pid number: registered with another token
    await until('both groups', () => groupMembers(mine.pid!).length === 2 && groupMembers(other.pid!).length === 2);
    const entry = (pgid: number, token: string, name: string) =>
      writeFileSync(path.join(dead, `${pgid}.job`), `${pgid}\n${JSON.stringify({ pgid, token, runId: 'r', name, attempt: 2, host: 'h' })}\n`);
    entry(mine.pid!, 'tok-mine', 'a');
    entry(other.pid!, 'tok-stale', 'b');
    // A job that only waited for a slot: handed back, nothing to kill, no attempt.
    writeFileSync(path.join(dead, 'w1.wait'), `0\n${JSON.stringify({ pgid: 0, token: 'w1', runId: 'r', name: 'c', attempt: 0, host: 'h', taskToken: 'dG9r' })}\n`);
    const orphans = reapOrphans(root);
    expect(orphans.map((o) => [o.name, o.killed, o.waiting]).sort()).toEqual([
      ['a', 2, false],
      ['b', 0, false],
      ['c', 0, true],
    ]);
    expect(existsSync(dead)).toBe(false);
    await until('the reaped group to die', () => groupMembers(mine.pid!).length === 0);
    expect(groupMembers(other.pid!)).toHaveLength(2);
    expect(killJobGroup(other.pid!, 'tok-other')).toBe(2);
    await until('the other group to die', () => groupMembers(other.pid!).length === 0);
    expect(parseRegistryFile('12\nnot json\n')).toBeUndefined();
  });
});
