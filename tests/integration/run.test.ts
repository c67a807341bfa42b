// End-to-end on the real Temporal dev server with real worker processes and real shell jobs: a synthetic run of
// 2,000+ jobs with planted failures (exit 1 -> FAILED and its descendants PRUNED; SIGKILL on the first attempt ->
// retried; over its memory request -> retried with more memory), the exact per-label report, then `restart`
// re-running only what did not succeed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import { readJobs } from '../../core/workflow/index.js';
import type { JobSpec } from '../../core/workflow/index.js';
import type { State } from '../../core/states.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { withStore, SHELL_INIT_AND_FINAL } from '../helpers/runs.js';

let h: Harness;
const RUN = 'itest_planted';

beforeAll(() => {
  h = createHarness('planted');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '8', TBPS_EXECUTOR_MEMORY_MB: '6000' });
});
afterAll(async () => h.stopAll());

describe('a synthetic run with planted failures', () => {
  const dir = () => path.join(h.home, 'planted');
  let failId: string;
  let killId: string;
  let oomId: string;
  let expectedPruned: Map<string, number>;
  let perLabel: Map<string, number>;

  it('ends with exactly the expected per-label counts', async () => {
    mkdirSync(dir(), { recursive: true });
    const { header, records } = syntheticGraph(syntheticOptionsForQuanta(2100));
    const graph = graphFromRecords(header, records);
    expect(graph.size).toBeGreaterThanOrEqual(2000);
    await writeQuantumGraph(path.join(dir(), 'graph.jsonl'), header, records);

    const byLabel = (l: string) => [...Array(graph.size).keys()].filter((i) => graph.label(i) === l);
    const fail = byLabel('calibrate')[0];
    failId = graph.id(fail);
    killId = graph.id(byLabel('isr')[3]);
    oomId = graph.id(byLabel('characterizeImage').at(-1)!);
    // Descendants of the failed quantum are pruned.
    const pruned = new Set<number>();
    const stack = [...graph.children(fail)];
    while (stack.length) {
      const i = stack.pop()!;
      if (pruned.has(i)) continue;
      pruned.add(i);
      stack.push(...graph.children(i));
    }
    expect(pruned.size).toBeGreaterThan(3);
    expect(pruned.has(graph.indexOf(oomId)!)).toBe(false);
    expectedPruned = new Map();
    for (const i of pruned) expectedPruned.set(graph.label(i), (expectedPruned.get(graph.label(i)) ?? 0) + 1);
    perLabel = new Map();
    for (let i = 0; i < graph.size; i++) perLabel.set(graph.label(i), (perLabel.get(graph.label(i)) ?? 0) + 1);

    writeFileSync(path.join(dir(), 'fail.txt'), `${failId}\n`);
    writeFileSync(path.join(dir(), 'kill.txt'), `${killId}\n`);
    writeFileSync(path.join(dir(), 'oom.txt'), `${oomId}\n`);
    writeFileSync(
      path.join(dir(), 'job.sh'),
      [
        'id="$1"; d="$(dirname "$0")"',
        'if grep -qx "$id" "$d/fail.txt"; then echo "INFO starting $id"; echo "ValueError: planted failure in $id" >&2; exit 1; fi',
        'if grep -qx "$id" "$d/kill.txt" && [ "$TBPS_ATTEMPT" = 1 ]; then kill -9 $$; fi',
        `if grep -qx "$id" "$d/oom.txt"; then python3 -c "import time; b=b'x'*(300<<20); time.sleep(1.5)"; fi`,
        'exit 0',
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir(), 'submit.yaml'),
      [
        'payloadName: planted',
        `outputRun: itest/planted`,
        `uniqProcName: ${RUN}`,
        `submitPath: ${path.join(dir(), 'submit')}`,
        `qgraphFile: ${path.join(dir(), 'graph.jsonl')}`,
        `runQuantumCommand: "sh ${path.join(dir(), 'job.sh')} {qgraphNodeId}"`,
        'requestMemory: 200',
        'memoryMultiplier: 2',
        'numberOfRetries: 2',
        'jobHeartbeatTimeout: 15',
        ...SHELL_INIT_AND_FINAL,
        '',
      ].join('\n'),
    );

    const r = await h.tbpsAsync(['submit', path.join(dir(), 'submit.yaml'), '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the run FAILED: one payload failure
    expect(r.stdout).toContain('ValueError: planted failure');

    const rep = h.tbps(['report', '--id', RUN, '--json']);
    expect(rep.code).toBe(0);
    const { run, labels } = JSON.parse(rep.stdout) as { run: { state: State }; labels: Array<{ label: string; counts: Record<State, number>; expected: number }> };
    expect(run.state).toBe('FAILED');
    const got = new Map(labels.map((l) => [l.label, l]));
    expect(got.get('pipetaskInit')!.counts.SUCCEEDED).toBe(1);
    expect(got.get('finalJob')!.counts.SUCCEEDED).toBe(1); // whenRun ALWAYS still merges what succeeded
    for (const [label, n] of perLabel) {
      const row = got.get(label)!;
      const failed = label === 'calibrate' ? 1 : 0;
      const prunedN = expectedPruned.get(label) ?? 0;
      expect({ label, ...row.counts, expected: row.expected }).toEqual({
        label,
        UNKNOWN: 0, MISFIT: 0, UNREADY: 0, READY: 0, PENDING: 0, RUNNING: 0, DELETED: 0, HELD: 0,
        SUCCEEDED: n - failed - prunedN,
        FAILED: failed,
        PRUNED: prunedN,
        expected: n,
      });
    }

    const jobs: JobSpec[] = [];
    for await (const j of readJobs(path.join(dir(), 'submit', 'generic_workflow', 'jobs.jsonl'))) jobs.push(j);
    const jobOf = (id: string) => jobs.find((j) => j.argv.includes(id))!.name;
    await withStore(h.home, async (s) => {
      const failAtt = await s.attempts(RUN, jobOf(failId));
      expect(failAtt.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'payload']]); // not retried
      expect(failAtt[0].errorSummary).toBe(`ValueError: planted failure in ${failId}`);
      const killAtt = await s.attempts(RUN, jobOf(killId));
      expect(killAtt.map((a) => [a.state, a.signal, a.errorClass])).toEqual([
        ['READY', 'SIGKILL', 'infrastructure'],
        ['SUCCEEDED', null, null],
      ]);
      const oomAtt = await s.attempts(RUN, jobOf(oomId));
      expect(oomAtt.map((a) => [a.state, a.memoryMb, a.errorClass])).toEqual([
        ['READY', 200, 'out_of_memory'],
        ['SUCCEEDED', 400, null],
      ]);
      expect(oomAtt[1].peakRssMb).toBeGreaterThan(250);
    });
  }, 900_000);

  it('restart re-runs only the failed and pruned jobs', async () => {
    writeFileSync(path.join(dir(), 'fail.txt'), '');
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
      const prunedBefore = [...expectedPruned.values()].reduce((a, b) => a + b, 0);
      let rerun = 0;
      for (const j of await s.jobsByState(RUN, 'SUCCEEDED', 100_000)) if (j.attempts !== before.get(j.name)) rerun++;
      // Only the failed job and its pruned descendants ran again, and finalJob (the merge); not pipetaskInit.
      expect(rerun).toBe(1 + prunedBefore + 1);
      const init = (await s.jobsByState(RUN, 'SUCCEEDED', 100_000)).find((j) => j.kind === 'init')!;
      expect(init.attempts).toBe(before.get(init.name));
    });
  }, 900_000);
});
