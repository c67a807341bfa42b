// End-to-end on the real Temporal dev server with real worker processes and real shell jobs: a synthetic run of
// 2,000+ jobs with planted failures (exit 1 -> FAILED and its descendants PRUNED; SIGKILL on the first attempt ->
// retried; over its memory request -> retried with more memory), the exact per-label report, then `restart`
// re-running only what did not succeed.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelStats } from '../../core/report/stats-table.js';
import type { State } from '../../core/states.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { expectPlantedReport, jobNamesByQuantum, totalPruned, writePlantedRun, type PlantedReport, type PlantedRun } from '../helpers/planted.js';
import { withStore } from '../helpers/runs.js';

let h: Harness;
const RUN = 'itest_planted';

beforeAll(() => {
  h = createHarness('planted');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '8', TBPS_EXECUTOR_MEMORY_MB: '6000' });
});
afterAll(async () => h.stopAll());

describe('a synthetic run with planted failures', () => {
  let p: PlantedRun;

  it('ends with exactly the expected per-label counts', async () => {
    p = await writePlantedRun(path.join(h.home, 'planted'), RUN);
    const r = await h.tbpsAsync(['submit', p.config, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the run FAILED: one payload failure
    expect(r.stdout).toContain('ValueError: planted failure');

    const rep = h.tbps(['report', '--id', RUN, '--json']);
    expect(rep.code).toBe(0);
    expectPlantedReport(p, JSON.parse(rep.stdout) as PlantedReport);

    const jobOf = await jobNamesByQuantum(p);
    await withStore(h.home, async (s) => {
      const failAtt = await s.attempts(RUN, jobOf(p.failId));
      expect(failAtt.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'python:ValueError']]); // not retried (class without an action: exit 1 is in retryUnlessExit)
      expect(failAtt[0].errorSummary).toBe(`ValueError: planted failure in ${p.failId}`);
      const killAtt = await s.attempts(RUN, jobOf(p.killId));
      expect(killAtt.map((a) => [a.state, a.signal, a.errorClass])).toEqual([
        ['READY', 'SIGKILL', 'infrastructure'],
        ['SUCCEEDED', null, null],
      ]);
      const oomAtt = await s.attempts(RUN, jobOf(p.oomId));
      expect(oomAtt.map((a) => [a.state, a.memoryMb, a.errorClass])).toEqual([
        ['READY', 200, 'out_of_memory'],
        ['SUCCEEDED', 400, null],
      ]);
      expect(oomAtt[1].peakRssMb).toBeGreaterThan(250);
    });
  }, 900_000);

  it('tbps stats, logs and report --errors read the run through the services', async () => {
    const jobOf = await jobNamesByQuantum(p);
    const pruned = totalPruned(p);
    const jobs = p.graph.size + 2;

    const st = h.tbps(['stats', '--id', RUN, '--json']);
    expect(st.stderr).toBe('');
    const stats = JSON.parse(st.stdout) as { labels: LabelStats[]; total: LabelStats };
    // The rows of the report, in its order (init first, final last).
    const reportLabels = (JSON.parse(h.tbps(['report', '--id', RUN, '--json']).stdout) as PlantedReport).labels.map((l) => l.label);
    expect(stats.labels.map((l) => l.label)).toEqual(reportLabels);
    expect([...reportLabels].sort()).toEqual(['pipetaskInit', ...p.perLabel.keys(), 'finalJob'].sort());
    // Every job that ran has one attempt, plus the retries of the SIGKILLed and the out-of-memory jobs.
    expect(stats.total).toMatchObject({ jobs, failed: 1, succeeded: jobs - 1 - pruned, retries: 2, attempts: jobs - pruned + 2, failedAttempts: 3 });
    const calibrate = stats.labels.find((l) => l.label === 'calibrate')!;
    expect(calibrate.failed).toBe(1);
    for (const l of stats.labels) {
      expect(l.wallMin).not.toBeNull();
      expect(l.wallMin!).toBeLessThanOrEqual(l.wallMean!);
      expect(l.wallMean!).toBeLessThanOrEqual(l.wallMax!);
      expect(l.waitMean).not.toBeNull();
    }
    expect(stats.total.memMax!).toBeGreaterThan(250); // the 300 MB job's second attempt
    const table = h.tbps(['stats', '--id', RUN]);
    expect(table.stdout.split('\n')[0]).toMatch(/^label\s+count\s+failed\s+max\s+mean\s+total\(s\)\s+succeeded\s+retries/);
    expect(table.stdout).toMatch(/^TOTAL\s+\d+\s+1\s/m);
    const csv = h.tbps(['stats', '--id', RUN, '--csv']).stdout.trim().split('\n');
    expect(csv.length).toBe(1 + stats.labels.length + 1);
    const byTask = JSON.parse(h.tbps(['stats', '--id', RUN, '--by', 'task', '--json']).stdout) as { tasks: { task: string; split: string; quanta: number }[] };
    expect(byTask.tasks.find((t) => t.task === 'calibrate')).toMatchObject({ split: 'job', quanta: p.perLabel.get('calibrate') });

    const logs = h.tbps(['logs', '--id', RUN, '--state', 'FAILED']);
    expect(logs.code).toBe(0);
    const failJob = jobOf(p.failId);
    expect(logs.stdout).toContain(`==> ${failJob} [calibrate] attempt 1/1  FAILED`);
    expect(logs.stdout).toContain('exit 1');
    expect(logs.stdout).toContain(`error class: python:ValueError  (matched: ValueError: planted failure in ${p.failId})`);
    // The root-cause line comes before the log itself.
    const cause = logs.stdout.indexOf(`root cause: ValueError: planted failure in ${p.failId}`);
    expect(cause).toBeGreaterThan(0);
    expect(logs.stdout.indexOf('--- stderr ---')).toBeGreaterThan(cause);
    const dataId = p.graph.dataId(p.graph.indexOf(p.failId)!);
    const byData = h.tbps(['logs', '--id', RUN, '--label', 'calibrate', '--data-id', Object.entries(dataId).map(([k, v]) => `${k}=${v}`).join(' ')]);
    expect(byData.stdout).toContain(`==> ${failJob} [calibrate]`);
    const killed = h.tbps(['logs', '--id', RUN, '--job', jobOf(p.killId), '--attempt', 'all', '--tail', '5']);
    expect(killed.stdout.match(/^==> /gm)?.length).toBe(2);
    expect(killed.stdout).toMatch(/attempt 1\/2  READY .* signal SIGKILL/);
    expect(killed.stdout).toMatch(/attempt 2\/2  SUCCEEDED .* exit 0/);

    const errors = h.tbps(['report', '--id', RUN, '--errors']);
    expect(errors.stdout).toContain('Final failures of run itest_planted by error class (1 jobs):');
    expect(errors.stdout).toMatch(/python:ValueError\s+1/);
    expect(errors.stdout).toContain(`e.g. ${failJob} [calibrate]`);
    const prov = h.tbps(['report', '--id', RUN, '--provenance']);
    expect(prov.stdout).toMatch(/Provenance:\n\s+tbps \S+\s+node v20/);
    expect(prov.stdout).toContain('config snapshot: ');

    // Bad input: exit 2 and one line naming what is wrong.
    const bad = (args: string[], text: string) => {
      const r = h.tbps(args);
      expect({ code: r.code, text: r.stderr.includes(text) }).toEqual({ code: 2, text: true });
    };
    bad(['logs', '--id', 'nosuch', '--state', 'FAILED'], "no run 'nosuch'");
    bad(['logs', '--id', RUN, '--data-id', 'visit'], 'expected key=value');
    bad(['logs', '--id', RUN, '--label', 'nolabel'], "has no label 'nolabel'");
    bad(['logs', '--id', RUN, '--state', 'BROKEN'], "unknown state 'BROKEN'");
    bad(['logs', '--id', RUN, '--site', 'mars'], "unknown compute site 'mars'");
    bad(['logs', '--id', RUN, '--job', failJob, '--attempt', '7'], 'there is no attempt 7');
    bad(['stats', '--id', 'nosuch'], "no run 'nosuch'");
    bad(['stats', '--id', RUN, '--by', 'site'], "--by: expected 'label' or 'task'");
    bad(['report', '--errors', '--campaign', 'nosuch'], "no campaign 'nosuch'");
  }, 300_000);

  it('restart re-runs only the failed and pruned jobs', async () => {
    writeFileSync(path.join(p.dir, 'fail.txt'), '');
    const before = await withStore(h.home, async (s) => {
      const m = new Map<string, number>();
      for (const st of ['SUCCEEDED', 'FAILED', 'PRUNED'] as State[]) for (const j of await s.jobsByState(RUN, st, 100_000)) m.set(j.name, j.attempts);
      return m;
    });
    const r = await h.tbpsAsync(['restart', '--id', RUN, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await withStore(h.home, async (s) => {
      const counts = await s.stateCounts(RUN);
      expect(counts.SUCCEEDED).toBe(before.size);
      expect(counts.FAILED + counts.PRUNED).toBe(0);
      const prunedBefore = totalPruned(p);
      let rerun = 0;
      for (const j of await s.jobsByState(RUN, 'SUCCEEDED', 100_000)) if (j.attempts !== before.get(j.name)) rerun++;
      // Only the failed job and its pruned descendants ran again, and finalJob (the merge); not pipetaskInit.
      expect(rerun).toBe(1 + prunedBefore + 1);
      const init = (await s.jobsByState(RUN, 'SUCCEEDED', 100_000)).find((j) => j.kind === 'init')!;
      expect(init.attempts).toBe(before.get(init.name));
    });
  }, 900_000);
});
