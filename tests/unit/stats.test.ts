// Unit tests of the store's watching queries on a small hand-made run, on both backends (a real SQLite file and a
// real PostgreSQL database): per-label statistics (exact
// wall/memory/wait figures, retries, failed jobs vs failed attempts, running attempts, repeated and corrected attempt
// records, several runs), per-task statistics (one task per job, 'measured' by pipetask's timings, 'even' by
// quanta), job list filters (label, state, site, error class, data id with LIKE wildcards in the value) and the
// summary of final failures by error class, and the run over time (recent attempts, completions per time bucket,
// sites, state counts since a time).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../core/states.js';
import type { JobSpec } from '../../core/workflow/model.js';
import { openStore, type LabelStats, type Store } from '../../store/index.js';
import { STORE_BACKENDS, freshStoreLocation, type StoreLocation } from '../helpers/storeBackends.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
/** The time `s` seconds after T0, as an ISO string. */
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function job(name: string, label: string, o: { dataId?: Record<string, string | number>; site?: string; taskQuanta?: Record<string, number> } = {}): JobSpec {
  const quanta = o.taskQuanta ? Object.values(o.taskQuanta).reduce((a, c) => a + c, 0) : 1;
  return {
    name,
    kind: 'payload',
    label,
    batch: 0,
    quanta,
    argv: ['pipetask', 'run-qbb', '/repo', 'qg', '--qgraph-node-id', name],
    parents: [],
    environment: {},
    requestMemory: 2048,
    memoryMultiplier: 2,
    requestCpus: 1,
    numberOfRetries: 5,
    retryUnlessExit: [1, 2],
    computeSite: o.site ?? 's3df',
    ...(o.dataId ? { dataId: o.dataId } : {}),
    ...(o.taskQuanta ? { taskQuanta: o.taskQuanta, taskLabels: Object.keys(o.taskQuanta) } : {}),
  };
}

interface Try {
  ready: number;
  start: number;
  /** Seconds after T0; without it the attempt is still running. */
  end?: number;
  state?: State;
  peak?: number;
  cls?: string;
  line?: string;
}

/** Records one attempt through the store API (start, then end when given). */
async function attempt(store: Store, run: string, name: string, n: number, a: Try): Promise<void> {
  await store.recordAttemptStart(run, name, n, { host: 'node1', memoryMb: 2048 * 2 ** (n - 1), readyAt: at(a.ready), startedAt: at(a.start) });
  if (a.end === undefined) return;
  await store.recordAttemptEnd(run, name, n, {
    state: a.state ?? 'SUCCEEDED',
    exitCode: a.state === 'SUCCEEDED' || a.state === undefined ? 0 : 1,
    peakRssMb: a.peak ?? null,
    errorClass: a.cls ?? null,
    errorSummary: a.line ?? null,
    errorLine: a.line ?? null,
    endedAt: at(a.end),
  });
}

describe.each(STORE_BACKENDS)('watching queries on %s', (backend) => {
  let at_: StoreLocation;
  let store: Store;
  const RUN = 'stats_run';
  const byLabel = async (runIds = [RUN]) => new Map((await store.labelStats(runIds)).map((l) => [l.label, l]));

  beforeAll(async () => {
    at_ = await freshStoreLocation(backend, 'stats');
    store = await openStore(at_.location);
    await store.upsertRun({ runId: RUN, computeSite: 's3df', state: 'RUNNING' });
    await store.insertJobs(RUN, [
      job('isr_903334_10', 'isr', { dataId: { instrument: 'HSC', visit: 903334, detector: 10 } }),
      job('isr_903336_11', 'isr', { dataId: { instrument: 'HSC', visit: 903336, detector: 11 }, site: 'cc-in2p3' }),
      job('calibrate_903334_10', 'calibrate', { dataId: { instrument: 'HSC', visit: 903334, detector: 10 } }),
      job('calibrate_903336_11', 'calibrate', { dataId: { instrument: 'HSC', visit: 903336, detector: 11 }, site: 'cc-in2p3' }),
      job('tag_a_b', 'tagged', { dataId: { tag: 'a_b' } }),
      job('tag_axb', 'tagged', { dataId: { tag: 'axb' } }),
      job('tag_50pct', 'tagged', { dataId: { tag: '50%' } }),
      job('tag_500', 'tagged', { dataId: { tag: '500' } }),
      job('tag_bang', 'tagged', { dataId: { tag: 'x!y' } }),
      job('coaddA_1', 'coaddA', { taskQuanta: { makeWarp: 2, assembleCoadd: 1 } }),
      job('coaddB_1', 'coaddB', { taskQuanta: { detection: 1, measure: 3 } }),
    ]);

    // isr: one OOM then a success; one success at once.
    await attempt(store, RUN, 'isr_903334_10', 1, { ready: 0, start: 30, end: 90, state: 'READY', peak: 2100.5, cls: 'out_of_memory', line: 'tbps: out of memory' });
    await attempt(store, RUN, 'isr_903334_10', 2, { ready: 100, start: 110, end: 230, peak: 1500.25 });
    await attempt(store, RUN, 'isr_903336_11', 1, { ready: 0, start: 0, end: 30, peak: 1000 });
    // calibrate: two retried failures and a final one; another job still running its first attempt.
    await attempt(store, RUN, 'calibrate_903334_10', 1, { ready: 300, start: 301, end: 311, state: 'READY', peak: 900, cls: 'connection', line: 'ConnectionResetError: reset' });
    await attempt(store, RUN, 'calibrate_903334_10', 2, { ready: 320, start: 322, end: 342, state: 'READY', peak: 950, cls: 'connection', line: 'ConnectionResetError: reset' });
    await attempt(store, RUN, 'calibrate_903334_10', 3, { ready: 350, start: 353, end: 393, state: 'FAILED', peak: 1200, cls: 'python:ValueError', line: 'ValueError: no PSF stars' });
    await attempt(store, RUN, 'calibrate_903336_11', 1, { ready: 400, start: 405 });
    // Two more final failures of another class, to order the error summary.
    await attempt(store, RUN, 'tag_axb', 1, { ready: 0, start: 0, end: 5, state: 'FAILED', cls: 'missing_input', line: 'FileNotFoundError: a' });
    await attempt(store, RUN, 'tag_50pct', 1, { ready: 0, start: 0, end: 5, state: 'FAILED', cls: 'missing_input', line: 'FileNotFoundError: b' });
    // Clustered jobs: coaddA with pipetask's timings for every task, coaddB without (split by quanta).
    await attempt(store, RUN, 'coaddA_1', 1, { ready: 0, start: 0, end: 100, state: 'READY', cls: 'connection' });
    await attempt(store, RUN, 'coaddA_1', 2, { ready: 100, start: 100, end: 300 });
    await store.recordTaskSeconds(RUN, 'coaddA_1', { makeWarp: 120, assembleCoadd: 30, notInTheJob: 99 });
    await attempt(store, RUN, 'coaddB_1', 1, { ready: 0, start: 0, end: 80 });
  });

  afterAll(async () => {
    await store?.close();
    await at_?.remove();
  });

  describe('labelStats', () => {
    it('counts jobs, retries, failed jobs and failed attempts, and wall, memory and wait exactly', async () => {
      const s = await byLabel();
      expect(s.get('isr')).toEqual<LabelStats>({
        label: 'isr',
        jobs: 2,
        succeeded: 2,
        failed: 0,
        retries: 1,
        attempts: 3,
        failedAttempts: 1,
        wallMin: 30,
        wallMean: 70,
        wallMax: 120,
        wallTotal: 210,
        memMin: 1000,
        memMean: (2100.5 + 1500.25 + 1000) / 3,
        memMax: 2100.5,
        waitMean: 40 / 3,
      });
      // One job failed for good after three failed attempts; the other is running (an attempt, not a failed one,
      // with a queue wait but no wall time or memory yet).
      expect(s.get('calibrate')).toEqual<LabelStats>({
        label: 'calibrate',
        jobs: 2,
        succeeded: 0,
        failed: 1,
        retries: 2,
        attempts: 4,
        failedAttempts: 3,
        wallMin: 10,
        wallMean: 70 / 3,
        wallMax: 40,
        wallTotal: 70,
        memMin: 900,
        memMean: (900 + 950 + 1200) / 3,
        memMax: 1200,
        waitMean: (1 + 2 + 3 + 5) / 4,
      });
      // Labels whose jobs never ran: counts of zero, no figures.
      expect(s.get('tagged')).toMatchObject({ jobs: 5, failed: 2, attempts: 2, failedAttempts: 2, wallTotal: 10, memMin: null, memMean: null, waitMean: 0 });
    });

    it('a repeated record changes nothing; a corrected one moves total, mean and (when it held it) the maximum', async () => {
      const before = (await byLabel()).get('isr');
      await store.recordAttemptEnd(RUN, 'isr_903334_10', 2, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: 1500.25, endedAt: at(230) });
      await store.recordAttemptStart(RUN, 'isr_903334_10', 2, { host: 'node1', readyAt: at(0), startedAt: at(1) }); // ended: not reopened
      expect((await byLabel()).get('isr')).toEqual(before);

      // The 120 s attempt (the maximum) ends at 210 s instead: 100 s.
      await store.recordAttemptEnd(RUN, 'isr_903334_10', 2, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: 1500.25, endedAt: at(210) });
      expect((await byLabel()).get('isr')).toMatchObject({ attempts: 3, wallMin: 30, wallMax: 100, wallTotal: 190, wallMean: 190 / 3 });
      // The 2100.5 MiB peak (the maximum) was wrong too: the next largest takes over.
      await store.recordAttemptEnd(RUN, 'isr_903334_10', 1, { state: 'READY', exitCode: null, peakRssMb: 800, errorClass: 'out_of_memory', endedAt: at(90) });
      expect((await byLabel()).get('isr')).toMatchObject({ attempts: 3, failedAttempts: 1, memMin: 800, memMax: 1500.25, memMean: (800 + 1500.25 + 1000) / 3 });
      // Back as it was.
      await store.recordAttemptEnd(RUN, 'isr_903334_10', 1, { state: 'READY', exitCode: null, peakRssMb: 2100.5, errorClass: 'out_of_memory', endedAt: at(90) });
      await store.recordAttemptEnd(RUN, 'isr_903334_10', 2, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: 1500.25, endedAt: at(230) });
      expect((await byLabel()).get('isr')).toEqual(before);
    });

    it('a running attempt that ends adds its wall time and memory; a restarted start updates its wait', async () => {
      const other = 'stats_run_2';
      await store.upsertRun({ runId: other, computeSite: 's3df' });
      await store.insertJobs(other, [job('isr_1', 'isr'), job('isr_2', 'isr')]);
      await store.recordAttemptStart(other, 'isr_1', 1, { readyAt: at(0), startedAt: at(10) });
      expect((await byLabel([other])).get('isr')).toMatchObject({ attempts: 1, failedAttempts: 0, wallMean: null, wallTotal: 0, waitMean: 10 });
      await store.recordAttemptStart(other, 'isr_1', 1, { readyAt: at(0), startedAt: at(4) }); // the start recorded again (not ended)
      expect((await byLabel([other])).get('isr')).toMatchObject({ attempts: 1, waitMean: 4 });
      await store.recordAttemptEnd(other, 'isr_1', 1, { state: 'HELD', peakRssMb: 10, endedAt: at(64) });
      expect((await byLabel([other])).get('isr')).toMatchObject({ attempts: 1, failedAttempts: 1, wallMin: 60, wallMax: 60, memMax: 10 });
      // An end without a recorded start: an attempt with no wall time.
      await store.recordAttemptEnd(other, 'isr_2', 1, { state: 'SUCCEEDED', peakRssMb: 30, endedAt: at(70) });
      expect((await byLabel([other])).get('isr')).toMatchObject({ attempts: 2, failedAttempts: 1, wallTotal: 60, wallMean: 60, memMean: 20 });

      // Over both runs: counts add up, extremes of both.
      const both = (await byLabel([RUN, other])).get('isr')!;
      expect(both).toMatchObject({ jobs: 4, succeeded: 3, attempts: 5, failedAttempts: 2, retries: 1, wallMin: 30, wallMax: 120, wallTotal: 270, memMin: 10, memMax: 2100.5 });
      expect(both.wallMean).toBe(270 / 4);
      expect(both.memMean).toBe((2100.5 + 1500.25 + 1000 + 10 + 30) / 5);
      expect(both.waitMean).toBe((30 + 10 + 0 + 4) / 4);
    });
  });

  describe('taskStats', () => {
    it("splits clustered jobs' seconds by pipetask's timings ('measured') or by quanta ('even'); other labels are one task ('job')", async () => {
      const labels = await store.labelStats([RUN]);
      const tasks = new Map((await store.taskStats([RUN], labels)).map((t) => [t.task, t]));
      // coaddA: 100 s + 200 s over two attempts, split 120:30 by the logged seconds.
      expect(tasks.get('makeWarp')).toEqual({ task: 'makeWarp', quanta: 2, jobs: 1, wallTotal: 240, wallPerQuantum: 120, split: 'measured' });
      expect(tasks.get('assembleCoadd')).toEqual({ task: 'assembleCoadd', quanta: 1, jobs: 1, wallTotal: 60, wallPerQuantum: 60, split: 'measured' });
      // coaddB: 80 s split 1:3 by quanta.
      expect(tasks.get('detection')).toEqual({ task: 'detection', quanta: 1, jobs: 1, wallTotal: 20, wallPerQuantum: 20, split: 'even' });
      expect(tasks.get('measure')).toEqual({ task: 'measure', quanta: 3, jobs: 1, wallTotal: 60, wallPerQuantum: 20, split: 'even' });
      expect(tasks.get('isr')).toEqual({ task: 'isr', quanta: 2, jobs: 2, wallTotal: 210, wallPerQuantum: 105, split: 'job' });
      expect(tasks.has('coaddA')).toBe(false);
      expect(tasks.has('notInTheJob')).toBe(false);
    });
  });

  describe('listJobs', () => {
    const names = async (f: Parameters<Store['listJobs']>[1], offset = 0, limit = 100) => {
      const page = await store.listJobs(RUN, f, offset, limit);
      return { names: page.jobs.map((j) => j.name), total: page.total };
    };

    it('filters by label, state, compute site, error class and name, in workflow order with the total', async () => {
      expect(await names({ label: 'isr' })).toEqual({ names: ['isr_903334_10', 'isr_903336_11'], total: 2 });
      expect(await names({ states: ['FAILED'] })).toEqual({ names: ['calibrate_903334_10', 'tag_axb', 'tag_50pct'], total: 3 });
      expect(await names({ states: ['RUNNING', 'FAILED'], label: 'calibrate' })).toEqual({ names: ['calibrate_903334_10', 'calibrate_903336_11'], total: 2 });
      expect(await names({ computeSite: 'cc-in2p3' })).toEqual({ names: ['isr_903336_11', 'calibrate_903336_11'], total: 2 });
      expect(await names({ errorClass: 'missing_input' })).toEqual({ names: ['tag_axb', 'tag_50pct'], total: 2 });
      expect(await names({ name: 'tag_500' })).toEqual({ names: ['tag_500'], total: 1 });
      expect(await names({ label: 'tagged' }, 1, 2)).toEqual({ names: ['tag_axb', 'tag_50pct'], total: 5 });
      expect(await names({ label: 'nope' })).toEqual({ names: [], total: 0 });
    });

    it('matches data ids by whole key=value pairs, with LIKE wildcards and the escape character in values taken literally', async () => {
      expect(await names({ dataId: { visit: '903334' } })).toEqual({ names: ['isr_903334_10', 'calibrate_903334_10'], total: 2 });
      expect(await names({ dataId: { visit: '903334', detector: '10' }, computeSite: 's3df' })).toEqual({ names: ['isr_903334_10', 'calibrate_903334_10'], total: 2 });
      expect(await names({ dataId: { visit: '903336', detector: '10' } })).toEqual({ names: [], total: 0 });
      expect(await names({ dataId: { visit: '90333' } })).toEqual({ names: [], total: 0 }); // a prefix is not a value
      expect(await names({ dataId: { detector: '1' } })).toEqual({ names: [], total: 0 });
      expect(await names({ dataId: { tag: 'a_b' } })).toEqual({ names: ['tag_a_b'], total: 1 });
      expect(await names({ dataId: { tag: '50%' } })).toEqual({ names: ['tag_50pct'], total: 1 });
      expect(await names({ dataId: { tag: '5%' } })).toEqual({ names: [], total: 0 });
      expect(await names({ dataId: { tag: 'x!y' } })).toEqual({ names: ['tag_bang'], total: 1 });
      expect(await names({ dataId: { tag: '%' } })).toEqual({ names: [], total: 0 });
      expect((await store.listJobs(RUN, { name: 'isr_903334_10' }, 0, 1)).jobs[0].dataId).toBe('detector=10 instrument=HSC visit=903334');
    });
  });

  describe('errorSummary', () => {
    it('groups final failures by error class, most frequent first, with the first job in workflow order as example', async () => {
      expect(await store.errorSummary([RUN])).toEqual([
        {
          errorClass: 'missing_input',
          count: 2,
          exampleRun: RUN,
          exampleJob: 'tag_axb',
          exampleLabel: 'tagged',
          exampleLine: 'FileNotFoundError: a',
          exampleCause: 'FileNotFoundError: a',
        },
        {
          errorClass: 'python:ValueError',
          count: 1,
          exampleRun: RUN,
          exampleJob: 'calibrate_903334_10',
          exampleLabel: 'calibrate',
          exampleLine: 'ValueError: no PSF stars',
          exampleCause: 'ValueError: no PSF stars',
        },
      ]);
      expect(await store.errorSummary([])).toEqual([]);
    });
  });

  describe('the run over time', () => {
    it('recent attempts newest first, completions per bucket, sites, state counts since a time, campaign runs', async () => {
      const recent = await store.recentAttempts(RUN, 3);
      expect(recent.total).toBe(12);
      expect(recent.totalCapped).toBe(false);
      expect(recent.attempts.map((a) => [a.jobName, a.attempt, a.state])).toEqual([
        ['calibrate_903336_11', 1, 'RUNNING'],
        ['calibrate_903334_10', 3, 'FAILED'],
        ['calibrate_903334_10', 2, 'READY'],
      ]);
      expect((await store.recentAttempts(RUN, 10, 'cc-in2p3')).attempts.map((a) => a.jobName)).toEqual(['calibrate_903336_11', 'isr_903336_11']);

      // Finished jobs (SUCCEEDED or FAILED) end between 5 s and 393 s: 10-second buckets give at most 50.
      const buckets = await store.completionBuckets(RUN, 50, undefined);
      expect(buckets).toMatchObject({ first: at(5), last: at(393), bucketSeconds: 10 });
      expect(buckets.buckets.reduce((n, b) => n + b.succeeded, 0)).toBe(4);
      expect(buckets.buckets.reduce((n, b) => n + b.failed, 0)).toBe(3);
      expect(buckets.buckets[0]).toEqual({ start: at(0), succeeded: 0, failed: 2 });
      expect(buckets.buckets.at(-1)).toEqual({ start: at(390), succeeded: 0, failed: 1 });
      // One finished job there (at 30 s): a span of zero, one-second buckets.
      expect((await store.completionBuckets(RUN, 3, 'cc-in2p3')).buckets).toEqual([{ start: at(30), succeeded: 1, failed: 0 }]);

      expect((await store.listSites()).map((site) => site.site)).toEqual(['s3df']);
      const since = await store.runsStateCounts([RUN], at(300));
      expect(since.counts).toMatchObject({ SUCCEEDED: 4, FAILED: 3, RUNNING: 1, UNREADY: 3 });
      expect(since.recentDone).toBe(2); // coaddA_1 (SUCCEEDED at 300 s) and calibrate_903334_10 (FAILED at 393 s)
      await store.upsertRun({ runId: 'campaign_run', campaign: 'DRP-1', createdAt: at(0) });
      expect(await store.campaignRunIds('DRP-1')).toEqual(['campaign_run']);
    });
  });
});
