// Unit tests of store/: the run/job database on both backends, a real SQLite file and a real PostgreSQL database
// (runs, idempotent bulk job insert, batches with external parents, attempt upserts, pruning and restart, report
// queries, concurrency across stores and processes, the change counter), and what each backend says when it cannot
// be opened.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobKind, JobSpec } from '../../core/workflow/model.js';
import { openStore, type Store } from '../../store/index.js';
import { postgresServerUrl } from '../helpers/postgres.js';
import { STORE_BACKENDS, freshStoreLocation, type StoreLocation } from '../helpers/storeBackends.js';

const STORE_INDEX = fileURLToPath(new URL('../../store/index.ts', import.meta.url));

function job(name: string, o: { kind?: JobKind; label?: string; batch?: number; parents?: string[]; retries?: number; quanta?: number } = {}): JobSpec {
  const kind = o.kind ?? 'payload';
  return {
    name,
    kind,
    label: o.label ?? (kind === 'init' ? 'pipetaskInit' : kind === 'final' ? 'finalJob' : 'task'),
    batch: o.batch ?? (kind === 'payload' ? 0 : -1),
    quanta: o.quanta ?? (kind === 'payload' ? 1 : 0),
    argv: ['pipetask', 'run-qbb', '/repo', '/submit/qg.qgraph', '--qgraph-node-id', name],
    environment: {},
    requestMemory: 2048,
    memoryMultiplier: 2,
    requestCpus: 1,
    numberOfRetries: o.retries ?? 5,
    retryUnlessExit: [1, 2],
    computeSite: 'local',
    parents: o.parents ?? [],
  };
}

/**
 * A DRP-like graph: per visit v, isr_v -> calib_v -> coadd_v, and isr_v also waits for coadd_{v-period}, so a
 * dependency chain crosses every batch. Batch = floor(v / period).
 */
function* chainGraph(visits: number, period: number): Generator<JobSpec> {
  yield job('init', { kind: 'init' });
  for (let v = 0; v < visits; v++) {
    const batch = Math.floor(v / period);
    yield job(`isr_${v}`, { label: 'isr', batch, parents: v >= period ? ['init', `coadd_${v - period}`] : ['init'] });
    yield job(`calib_${v}`, { label: 'calib', batch, parents: [`isr_${v}`] });
    yield job(`coadd_${v}`, { label: 'coadd', batch, parents: [`calib_${v}`] });
  }
  yield job('final', { kind: 'final' });
}

describe.each(STORE_BACKENDS)('store on %s', (backend) => {
  let at: StoreLocation;
  let dbPath: string;
  let store: Store;

  beforeAll(async () => {
    at = await freshStoreLocation(backend, 'store');
    dbPath = at.location;
    store = await openStore(dbPath);
  });

  afterAll(async () => {
    await store?.close();
    await at?.remove();
  });

  describe('openStore', () => {
    it('re-opens an existing store (migrations are applied once)', async () => {
      const again = await openStore(backend === 'sqlite' ? `sqlite:${dbPath}` : dbPath);
      await again.upsertRun({ runId: 'reopen' });
      expect((await store.getRun('reopen'))?.state).toBe('UNREADY');
      await again.close();
    });

    it('the change counter moves when another connection commits', async () => {
      const before = await store.dataVersion();
      const other = await openStore(dbPath);
      try {
        await other.upsertRun({ runId: 'version_bump', message: 'x' });
      } finally {
        await other.close();
      }
      expect(await store.dataVersion()).not.toBe(before);
    });
  });

  describe('runs', () => {
    it('upserts, keeps createdAt, updates only given fields, sets state', async () => {
      await store.upsertRun({
        runId: 'u_alice_step1_20250101T000000Z',
        workflowId: 'run/u_alice_step1_20250101T000000Z',
        name: 'u/alice/step1/20250101T000000Z',
        payloadName: 'step1',
        operator: 'alice',
        project: 'dev',
        campaign: 'DRP-1',
        step: 'step1',
        submitPath: '/submit/a',
        wms: 'local',
        computeSite: 'local',
        state: 'PENDING',
        quanta: 10,
        jobs: 4,
        createdAt: '2025-01-01T00:00:00.000Z',
        message: '',
        restartCount: 0,
      });
      const first = (await store.getRun('u_alice_step1_20250101T000000Z'))!;
      expect(first).toMatchObject({ operator: 'alice', state: 'PENDING', jobs: 4, createdAt: '2025-01-01T00:00:00.000Z' });

      await store.upsertRun({ runId: 'u_alice_step1_20250101T000000Z', message: 'graph generated', quanta: 12 });
      const second = (await store.getRun('u_alice_step1_20250101T000000Z'))!;
      expect(second).toMatchObject({ operator: 'alice', message: 'graph generated', quanta: 12, createdAt: first.createdAt });

      expect(await store.setRunState('u_alice_step1_20250101T000000Z', 'RUNNING', { restartCount: 1 })).toBe(true);
      expect(await store.getRun('u_alice_step1_20250101T000000Z')).toMatchObject({ state: 'RUNNING', restartCount: 1, operator: 'alice' });
      await store.setRunState('u_alice_step1_20250101T000000Z', 'RUNNING', { message: undefined });
      expect((await store.getRun('u_alice_step1_20250101T000000Z'))?.message).toBe('');
      expect(await store.setRunState('nope', 'FAILED')).toBe(false);
      expect(await store.getRun('nope')).toBeUndefined();
    });

    it('lists newest first with limit and since', async () => {
      for (const [id, t] of [['r_old', '2024-01-01T00:00:00Z'], ['r_mid', '2024-06-01T00:00:00Z'], ['r_new', '2030-01-01T00:00:00Z']]) {
        await store.upsertRun({ runId: id, createdAt: t, state: 'SUCCEEDED' });
      }
      const top2 = await store.listRuns({ limit: 2 });
      expect(top2.map((r) => r.runId)).toEqual(['r_new', expect.any(String)]);
      const since = await store.listRuns({ limit: 100, since: '2024-03-01T00:00:00Z' });
      expect(since.map((r) => r.runId)).toContain('r_mid');
      expect(since.map((r) => r.runId)).not.toContain('r_old');
      const all = await store.listRuns({ limit: 100 });
      const created = all.map((r) => r.createdAt);
      expect([...created].sort().reverse()).toEqual(created);
    });
  });

  describe('jobs', () => {
    const run = 'jobs_run';
    const specs = [
      job('init', { kind: 'init' }),
      job('a1', { label: 'isr', parents: ['init'], retries: 2, quanta: 3 }),
      job('a2', { label: 'isr', parents: ['init'] }),
      job('b1', { label: 'calib', parents: ['a1', 'a2'], batch: 1 }),
      job('final', { kind: 'final' }),
    ];

    it('inserts idempotently: a repeat changes nothing and keeps states', async () => {
      const r1 = await store.insertJobs(run, specs);
      expect(r1).toEqual({ jobs: 5, quanta: 5, batches: [0, 1] });
      await store.setJobStates(run, ['a1'], 'SUCCEEDED');
      const r2 = await store.insertJobs(run, (async function* () { yield* specs; })());
      expect(r2.jobs).toBe(5);
      expect((await store.getJob(run, 'a1'))?.state).toBe('SUCCEEDED');
      const counts = await store.stateCounts(run);
      expect(Object.values(counts).reduce((a, c) => a + c, 0)).toBe(5);
      expect((await store.getJob(run, 'init'))?.state).toBe('READY');
      expect((await store.getJob(run, 'b1'))).toMatchObject({ state: 'UNREADY', maxAttempts: 6, parents: ['a1', 'a2'], batch: 1, label: 'calib' });
    });

    it('returns the stored JobSpec and fails clearly for an unknown job', async () => {
      expect(await store.getJobSpec(run, 'a1')).toEqual(specs[1]);
      await expect(store.getJobSpec(run, 'zz')).rejects.toThrow(/job 'zz' not found in run 'jobs_run'/);
    });

    it('setJobStates honours the from filter', async () => {
      expect(await store.setJobStates(run, ['a1', 'a2'], 'READY', ['UNREADY'])).toBe(1);
      expect((await store.getJob(run, 'a1'))?.state).toBe('SUCCEEDED');
      expect((await store.getJob(run, 'a2'))?.state).toBe('READY');
    });

    it('labelCounts: init first, final last, others by first appearance, with expected', async () => {
      const lc = await store.labelCounts(run);
      expect(lc.map((l) => l.label)).toEqual(['pipetaskInit', 'isr', 'calib', 'finalJob']);
      expect(lc[1]).toMatchObject({ expected: 2, counts: expect.objectContaining({ SUCCEEDED: 1, READY: 1, FAILED: 0 }) });
      expect(Object.keys(lc[0].counts)).toHaveLength(11);
    });

    it('jobsByState returns rows in workflow order', async () => {
      await store.setJobStates(run, ['b1', 'final'], 'PENDING');
      expect((await store.jobsByState(run, 'PENDING', 10)).map((j) => j.name)).toEqual(['b1', 'final']);
      expect(await store.jobsByState(run, 'PENDING', 1)).toHaveLength(1);
    });
  });

  describe('loadBatch', () => {
    const run = 'batch_run';

    beforeAll(async () => {
      await store.insertJobs(run, [
        job('init', { kind: 'init' }),
        job('x1', { batch: 0, parents: ['init'] }),
        job('x2', { batch: 0, parents: ['init'] }),
        // Batch 1 stored child-first to check the parents-first ordering.
        job('y3', { batch: 1, parents: ['y1', 'y2'] }),
        job('y1', { batch: 1, parents: ['x1'], retries: 0 }),
        job('y2', { batch: 1, parents: ['y1', 'x2'] }),
        job('y4', { batch: 1, parents: [] }),
        job('final', { kind: 'final' }),
      ]);
    });

    it('orders parents first, maps local parents to indices, flags external blockers', async () => {
      const { jobs } = await store.loadBatch(run, 1);
      const idx = new Map(jobs.map((j, i) => [j.name, i]));
      for (const [i, j] of jobs.entries()) for (const p of j.parents) expect(p).toBeLessThan(i);
      const y3 = jobs[idx.get('y3')!];
      expect(y3.parents.map((p) => jobs[p].name).sort()).toEqual(['y1', 'y2']);
      expect(y3.blocked).toBe(false);
      expect(jobs[idx.get('y1')!]).toMatchObject({ blocked: true, maxAttempts: 1, parents: [] });
      expect(jobs[idx.get('y2')!].blocked).toBe(true);
      expect(jobs[idx.get('y4')!].blocked).toBe(false);

      await store.setJobStates(run, ['x1'], 'SUCCEEDED');
      const again = await store.loadBatch(run, 1);
      const by = new Map(again.jobs.map((j) => [j.name, j]));
      expect(by.get('y1')!.blocked).toBe(false);
      expect(by.get('y2')!.blocked).toBe(true);
      await store.setJobStates(run, ['x2'], 'SUCCEEDED');
      expect((await store.loadBatch(run, 1)).jobs.every((j) => !j.blocked)).toBe(true);
    });

    it('is fast enough for a 2,000-job batch with external parents', async () => {
      const r = 'batch_big';
      const specs: JobSpec[] = [job('init', { kind: 'init' })];
      for (let i = 0; i < 2000; i++) specs.push(job(`p${i}`, { batch: 0, parents: ['init'] }));
      for (let i = 0; i < 2000; i++) specs.push(job(`c${i}`, { batch: 1, parents: [`p${i}`, `p${(i + 1) % 2000}`, ...(i > 0 ? [`c${i - 1}`] : [])] }));
      await store.insertJobs(r, specs);
      await store.setJobStates(r, specs.slice(1, 1001).map((s) => s.name), 'SUCCEEDED');
      const t = performance.now();
      const { jobs } = await store.loadBatch(r, 1);
      const ms = performance.now() - t;
      console.log(`loadBatch of 2000 jobs with 2000 external parents: ${ms.toFixed(0)} ms`);
      expect(jobs).toHaveLength(2000);
      expect(jobs.filter((j) => j.blocked)).toHaveLength(1001);
      expect(jobs[1999].parents).toEqual([1998]);
    });
  });

  describe('attempts', () => {
    const run = 'attempt_run';

    beforeAll(async () => {
      await store.insertJobs(run, [job('init', { kind: 'init' }), job('j', { parents: ['init'] })]);
    });

    it('upserts start/end idempotently, one record per attempt, jobs row follows the newest attempt', async () => {
      const start = { host: 'h1', memoryMb: 2048, logPath: '/logs/j.1.out', startedAt: '2025-01-01T00:00:00Z' };
      await store.recordAttemptStart(run, 'j', 1, start);
      await store.recordAttemptStart(run, 'j', 1, start);
      expect(await store.getJob(run, 'j')).toMatchObject({ state: 'RUNNING', attempts: 1, host: 'h1', memoryMb: 2048 });
      const end1 = { state: 'READY' as const, exitCode: 137, signal: 'SIGKILL', peakRssMb: 2100.5, errorClass: 'out_of_memory' as const, errorSummary: 'OOM', endedAt: '2025-01-01T00:01:00Z' };
      await store.recordAttemptEnd(run, 'j', 1, end1);
      await store.recordAttemptEnd(run, 'j', 1, end1);
      // A late retry of the start of an ended attempt does not reopen it.
      await store.recordAttemptStart(run, 'j', 1, { ...start, host: 'other' });
      expect(await store.getJob(run, 'j')).toMatchObject({ state: 'READY', exitCode: 137, errorClass: 'out_of_memory', host: 'h1' });

      await store.recordAttemptStart(run, 'j', 2, { host: 'h2', memoryMb: 4096, logPath: '/logs/j.2.out' });
      expect(await store.getJob(run, 'j')).toMatchObject({ state: 'RUNNING', attempts: 2, exitCode: null, errorClass: null, memoryMb: 4096 });
      // A stale end of attempt 1 does not touch the jobs row of attempt 2.
      await store.recordAttemptEnd(run, 'j', 1, end1);
      expect((await store.getJob(run, 'j'))?.state).toBe('RUNNING');
      await store.recordAttemptEnd(run, 'j', 2, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: 3000 });
      await store.recordAttemptEnd(run, 'j', 2, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: 3000 });

      const att = await store.attempts(run, 'j');
      expect(att.map((a) => [a.attempt, a.state, a.host])).toEqual([
        [1, 'READY', 'h1'],
        [2, 'SUCCEEDED', 'h2'],
      ]);
      expect(att[0]).toMatchObject({ exitCode: 137, signal: 'SIGKILL', peakRssMb: 2100.5, startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:01:00.000Z' });
      expect(await store.getJob(run, 'j')).toMatchObject({ state: 'SUCCEEDED', attempts: 2, exitCode: 0, peakRssMb: 3000 });
    });

    it('records an end without a start, and rejects unknown jobs and bad attempt numbers', async () => {
      await store.recordAttemptEnd(run, 'init', 1, { state: 'FAILED', exitCode: 1, errorClass: 'payload' });
      expect((await store.attempts(run, 'init'))[0]).toMatchObject({ state: 'FAILED', startedAt: null, exitCode: 1 });
      await expect(store.recordAttemptStart(run, 'ghost', 1, {})).rejects.toThrow(/not found/);
      await expect(store.recordAttemptEnd(run, 'ghost', 1, { state: 'FAILED' })).rejects.toThrow(/not found/);
      await expect(store.recordAttemptStart(run, 'j', 0, {})).rejects.toThrow(/attempt/);
      expect(await store.attempts(run, 'ghost')).toEqual([]);
    });

    it('keeps a log line with a NUL character (PostgreSQL text cannot hold U+0000: it becomes U+FFFD there)', async () => {
      await store.recordAttemptStart(run, 'j', 3, { host: 'h3' });
      const line = 'Error: bad byte \u0000 in input';
      await store.recordAttemptEnd(run, 'j', 3, { state: 'FAILED', exitCode: 1, errorClass: 'payload', errorLine: line, errorSummary: line });
      const stored = (await store.attempts(run, 'j')).at(-1)!;
      const expected = backend === 'postgres' ? line.replace('\u0000', '\uFFFD') : line;
      expect([stored.attempt, stored.errorLine, stored.errorSummary]).toEqual([3, expected, expected]);
      expect((await store.getJob(run, 'j'))?.errorLine).toBe(expected);
    });
  });

  describe('pruneBlocked and resetForRestart', () => {
    it('100k jobs: insert, prune one batch through ancestors in other batches, prune the run, restart', async () => {
      const run = 'big_run';
      const visits = 33_334;
      const period = 700;
      const t0 = performance.now();
      const res = await store.insertJobs(run, chainGraph(visits, period));
      const insertMs = performance.now() - t0;
      console.log(`insertJobs: ${res.jobs} jobs in ${(insertMs / 1000).toFixed(2)} s`);
      expect(res.jobs).toBe(visits * 3 + 2);
      expect(res.batches).toHaveLength(Math.ceil(visits / period));

      // Everything upstream of batch 10 succeeded except the chain through isr_0, which fails.
      await store.setJobStates(run, ['isr_0'], 'FAILED');
      // Only batch 10 changes; the doom reaches it through UNREADY jobs of batches 0..9.
      const t1 = performance.now();
      expect(await store.pruneBlocked(run, 10)).toBe(3);
      console.log(`pruneBlocked(batch 10): ${(performance.now() - t1).toFixed(0)} ms`);
      expect((await store.getJob(run, 'coadd_7000'))?.state).toBe('PRUNED');
      expect((await store.getJob(run, 'isr_700'))?.state).toBe('UNREADY');

      // Independent expectation: forward propagation over the specs (parents come first).
      const doomed = new Set(['isr_0']);
      for (const s of chainGraph(visits, period)) if (s.parents.some((p) => doomed.has(p))) doomed.add(s.name);
      const expected = doomed.size - 1;

      const t2 = performance.now();
      const pruned = await store.pruneBlocked(run);
      console.log(`pruneBlocked(run): ${pruned} jobs in ${(performance.now() - t2).toFixed(0)} ms`);
      expect(pruned + 3).toBe(expected);
      expect(await store.pruneBlocked(run)).toBe(0);
      const counts = await store.stateCounts(run);
      expect(counts.PRUNED).toBe(expected);
      expect(counts.FAILED).toBe(1);
      expect(counts.UNREADY).toBe(res.jobs - 2 - expected);

      const lc = await store.labelCounts(run);
      expect(lc.map((l) => l.label)).toEqual(['pipetaskInit', 'isr', 'calib', 'coadd', 'finalJob']);
      expect(lc.find((l) => l.label === 'isr')).toMatchObject({ expected: visits });

      // A SUCCEEDED job cuts the walk: below calib_1 (FAILED) coadd_1 SUCCEEDED, so chain 1 stays; chain 2 is pruned.
      await store.setJobStates(run, ['isr_1', 'coadd_1', 'isr_2'], 'SUCCEEDED');
      await store.setJobStates(run, ['calib_1', 'calib_2'], 'FAILED');
      const chain2 = Math.floor((visits - 1 - 2) / period) + 1;
      expect(await store.pruneBlocked(run)).toBe(1 + 3 * (chain2 - 1));
      expect((await store.getJob(run, 'isr_701'))?.state).toBe('UNREADY');
      expect((await store.getJob(run, 'isr_702'))?.state).toBe('PRUNED');

      // Restart: FAILED/PRUNED go back to UNREADY, attempts kept, batches with work left returned.
      await store.recordAttemptEnd(run, 'isr_0', 1, { state: 'FAILED', exitCode: 1, errorClass: 'payload' });
      const batches = await store.resetForRestart(run);
      expect(batches).toEqual(res.batches);
      const after = await store.stateCounts(run);
      expect(after.FAILED + after.PRUNED).toBe(0);
      expect(await store.getJob(run, 'isr_0')).toMatchObject({ state: 'UNREADY', attempts: 1 });
      expect((await store.getJob(run, 'init'))?.state).toBe('READY');
      expect(await store.attempts(run, 'isr_0')).toHaveLength(1);
      // Idempotent.
      expect(await store.resetForRestart(run)).toEqual(batches);
      // The next execution's attempt 1 is stored as attempt 2, after the kept history.
      await store.recordAttemptStart(run, 'isr_0', 1, { host: 'h' });
      await store.recordAttemptEnd(run, 'isr_0', 1, { state: 'SUCCEEDED', exitCode: 0 });
      expect((await store.attempts(run, 'isr_0')).map((a) => [a.attempt, a.state])).toEqual([
        [1, 'FAILED'],
        [2, 'SUCCEEDED'],
      ]);
      expect(await store.getJob(run, 'isr_0')).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
    }, 120_000);

    it('resetForRestart leaves finished batches out', async () => {
      const run = 'restart_run';
      await store.insertJobs(run, [
        job('init', { kind: 'init' }),
        job('a', { batch: 0, parents: ['init'] }),
        job('b', { batch: 1, parents: ['a'] }),
        job('c', { batch: 2, parents: ['b'] }),
      ]);
      await store.setJobStates(run, ['init', 'a'], 'SUCCEEDED');
      await store.setJobStates(run, ['b'], 'RUNNING');
      await store.setJobStates(run, ['c'], 'PENDING');
      expect(await store.resetForRestart(run)).toEqual([1, 2]);
      expect((await store.getJob(run, 'b'))?.state).toBe('UNREADY');
      expect((await store.getJob(run, 'init'))?.state).toBe('SUCCEEDED');
      expect(await store.batchCounts(run, 1)).toMatchObject({ UNREADY: 1, SUCCEEDED: 0 });
      expect(await store.cancelUnfinished(run)).toBe(2);
      expect(await store.cancelUnfinished(run)).toBe(0);
      expect(await store.stateCounts(run)).toMatchObject({ DELETED: 2, SUCCEEDED: 2 });
    });
  });

  describe('concurrency', () => {
    it('two Store instances on the same file write at the same time', async () => {
      const other = await openStore(dbPath);
      try {
        const run = 'conc_run';
        await store.insertJobs(run, [job('init', { kind: 'init' }), ...Array.from({ length: 200 }, (_, i) => job(`k${i}`, { parents: ['init'] }))]);
        const big = (function* () {
          for (let i = 0; i < 20_000; i++) yield job(`m${i}`, { batch: i % 7 });
        })();
        const work: Promise<unknown>[] = [other.insertJobs('conc_other', big)];
        for (let i = 0; i < 200; i++) {
          const s = i % 2 === 0 ? store : other;
          const t = i % 2 === 0 ? other : store;
          work.push(
            (async () => {
              await s.recordAttemptStart(run, `k${i}`, 1, { host: `h${i % 2}` });
              await t.recordAttemptStart(run, `k${i}`, 1, { host: `h${i % 2}` });
              await t.recordAttemptEnd(run, `k${i}`, 1, { state: 'SUCCEEDED', exitCode: 0, endedAt: '2025-01-01T00:00:00Z' });
              await s.recordAttemptEnd(run, `k${i}`, 1, { state: 'SUCCEEDED', exitCode: 0, endedAt: '2025-01-01T00:00:00Z' });
            })(),
          );
          work.push(s.upsertRun({ runId: run, message: `tick ${i}` }));
        }
        await Promise.all(work);
        expect((await other.stateCounts(run)).SUCCEEDED).toBe(200);
        expect((await store.stateCounts('conc_other')).UNREADY).toBe(20_000);
        for (const i of [0, 77, 199]) expect(await other.attempts(run, `k${i}`)).toHaveLength(1);
      } finally {
        await other.close();
      }
    }, 60_000);

    it('several processes record attempts on the same file at the same time', async () => {
      const run = 'proc_run';
      const n = 150;
      await store.insertJobs(run, Array.from({ length: n }, (_, i) => job(`p${i}`)));
      // Each child records every job's attempt 1 (the same keys: a retried activity), plus its own run row.
      const script = `
        import { openStore } from ${JSON.stringify(STORE_INDEX)};
        const [db, run, n, me] = process.argv.slice(1);
        const s = await openStore(db);
        await s.upsertRun({ runId: 'proc_' + me, state: 'RUNNING' });
        for (let i = 0; i < Number(n); i++) {
          await s.recordAttemptStart(run, 'p' + i, 1, { host: 'child' });
          await s.recordAttemptEnd(run, 'p' + i, 1, { state: 'SUCCEEDED', exitCode: 0, endedAt: '2025-01-01T00:00:00Z' });
        }
        await s.close();
      `;
      const runChild = (me: number) =>
        new Promise<void>((ok, fail) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dbPath, run, String(n), String(me)], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let err = '';
          p.stderr.on('data', (d) => (err += String(d)));
          p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`child ${me} exited ${code}: ${err}`))));
        });
      await Promise.all([runChild(1), runChild(2), runChild(3)]);
      expect((await store.stateCounts(run)).SUCCEEDED).toBe(n);
      expect(await store.attempts(run, 'p42')).toHaveLength(1);
      for (const me of [1, 2, 3]) expect((await store.getRun(`proc_${me}`))?.state).toBe('RUNNING');
      // The per-label statistics are read-then-write updates: without one writer at a time they would count an
      // attempt recorded by two processes twice.
      expect(await store.labelStats([run])).toEqual([expect.objectContaining({ label: 'task', jobs: n, attempts: n, succeeded: n })]);
    }, 60_000);
  });
});

describe('openStore: what cannot be opened', () => {
  it('rejects other URL schemes and empty paths', async () => {
    await expect(openStore('mysql://x/y')).rejects.toThrow(/unsupported/);
    await expect(openStore('  ')).rejects.toThrow(/empty/);
  });

  it('PostgreSQL: an unreachable server, a bad password, a missing database: one line each, password hidden', async () => {
    const server = new URL(postgresServerUrl());
    const refused = openStore('postgres://bps:s3cret-pw@127.0.0.1:1/runs');
    await expect(refused).rejects.toThrow(/^cannot open the PostgreSQL store postgres:\/\/bps:\*\*\*@127\.0\.0\.1:1\/runs: connection refused/);
    await expect(refused).rejects.toMatchObject({ name: 'StoreUnreachableError' });

    const badPassword = new URL(server);
    badPassword.password = 'not-the-password';
    const denied = openStore(badPassword.toString());
    await expect(denied).rejects.toThrow(/password authentication failed for user "tbps"/);
    await expect(denied).rejects.not.toThrow(/not-the-password/);

    const missing = new URL(server);
    missing.pathname = '/no_such_database';
    await expect(openStore(missing.toString())).rejects.toThrow(/database "no_such_database" does not exist/);
    await expect(openStore(missing.toString())).rejects.not.toThrow(new RegExp(server.password));
  });

  it("a worker's store handle opens again after a failed open (a server that was not up yet)", async () => {
    const { getStore, closeStore } = await import('../../activities/storeHandle.js');
    const saved = process.env.TBPS_DB;
    const later = await freshStoreLocation('sqlite', 'handle');
    try {
      process.env.TBPS_DB = 'postgres://tbps:pw@127.0.0.1:1/tbps';
      await expect(getStore()).rejects.toThrow(/connection refused/);
      process.env.TBPS_DB = later.location;
      const store = await getStore();
      await store.upsertRun({ runId: 'handle_run' });
      expect((await store.getRun('handle_run'))?.state).toBe('UNREADY');
    } finally {
      await closeStore();
      if (saved === undefined) delete process.env.TBPS_DB;
      else process.env.TBPS_DB = saved;
      await later.remove();
    }
  });
});
