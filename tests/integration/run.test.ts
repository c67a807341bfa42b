// End-to-end on the real Temporal dev server with real worker processes and real shell jobs: a synthetic run of
// 2,000+ jobs with planted failures (exit 1 -> FAILED and its descendants PRUNED; SIGKILL on the first attempt ->
// retried; over its memory request -> retried with more memory), the exact per-label report, then `restart`
// re-running only what did not succeed.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
