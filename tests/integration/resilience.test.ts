// Cancel and lost-worker behaviour on the real dev server with real worker processes: `cancel` stops a run and
// still runs finalJob under whenRun ALWAYS; SIGKILL of the executor worker mid-run, then a new one, lets the run
// finish with every job succeeded exactly once.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.js';
import { runIdFrom, totals, waitFor, withStore, SHELL_INIT_AND_FINAL } from '../helpers/runs.js';

let h: Harness;
let executor: ChildProcess;

beforeAll(() => {
  h = createHarness('resilience');
  h.startOrchestrator();
  executor = h.startExecutor({ TBPS_EXECUTOR_CPUS: '4' });
});
afterAll(async () => h.stopAll());

function writeConfig(name: string, quanta: number, command: string): string {
  const file = path.join(h.home, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `payloadName: ${name}`,
      `uniqProcName: ${name}`,
      `outputRun: itest/${name}`,
      `submitPath: ${path.join(h.home, name)}`,
      `syntheticGraph: {quanta: ${quanta}}`,
      `runQuantumCommand: "${command}"`,
      'requestMemory: 100',
      'jobHeartbeatTimeout: 5',
      'jobBatchWindow: 50',
      ...SHELL_INIT_AND_FINAL,
      '',
    ].join('\n'),
  );
  return file;
}

describe('cancel', () => {
  it('stops the run, leaves no job running, and still runs finalJob under ALWAYS', async () => {
    const sub = h.tbps(['submit', writeConfig('cancelme', 400, "sh -c 'sleep 1'")]);
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(0);
    const runId = runIdFrom(sub.stdout);
    await waitFor('some jobs to succeed', async () => ((await totals(h.home, runId)).SUCCEEDED ?? 0) >= 6);
    const c = await h.tbpsAsync(['cancel', '--id', runId, '--wait']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(1); // the run did not succeed
    await withStore(h.home, async (s) => {
      const run = await s.getRun(runId);
      expect(run?.state).toBe('DELETED');
      const t = await s.stateCounts(runId);
      expect(t.RUNNING).toBe(0);
      expect(t.DELETED).toBeGreaterThan(0);
      expect(t.SUCCEEDED).toBeLessThan(run!.jobs);
      const final = (await s.jobsByState(runId, 'SUCCEEDED', 100_000)).filter((j) => j.kind === 'final');
      expect(final).toHaveLength(1);
    });
  }, 300_000);
});

describe('losing the executor worker', () => {
  it('SIGKILL mid-run, new worker: every job succeeds exactly once', async () => {
    const sub = h.tbps(['submit', writeConfig('killworker', 300, "sh -c 'sleep 0.2'")]);
    expect(sub.code).toBe(0);
    const runId = runIdFrom(sub.stdout);
    await waitFor('40 jobs to succeed', async () => ((await totals(h.home, runId)).SUCCEEDED ?? 0) >= 40);
    const running = (await totals(h.home, runId)).RUNNING;
    executor.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    expect(running).toBeGreaterThan(0); // jobs were in flight when the worker died
    executor = h.startExecutor({ TBPS_EXECUTOR_CPUS: '4' });
    await waitFor('the run to finish', async () => {
      const run = await withStore(h.home, (s) => s.getRun(runId));
      return run?.state === 'SUCCEEDED' || run?.state === 'FAILED';
    }, 300_000);
    await withStore(h.home, async (s) => {
      expect((await s.getRun(runId))?.state).toBe('SUCCEEDED');
      const jobs = await s.jobsByState(runId, 'SUCCEEDED', 100_000);
      const t = await s.stateCounts(runId);
      expect(jobs.length).toBe(Object.values(t).reduce((a, b) => a + b, 0));
      let lost = 0;
      for (const j of jobs) {
        const att = await s.attempts(runId, j.name);
        expect(att.filter((a) => a.state === 'SUCCEEDED')).toHaveLength(1);
        if (att.length > 1) lost++;
      }
      expect(lost).toBeGreaterThan(0); // the jobs of the dead worker were retried
    });
  }, 400_000);
});
