// Watching on the local executor, end to end. Error classes: a `retry` class retried although its exit code is in
// retryUnlessExit, a `fail` class never retried, the class and the matched line stored on the attempt, and
// `tbps report --errors` grouping the final failures by class (the same run on HTCondor: htcondor.test.ts).
// `tbps logs --follow` streaming a running job's output until it ends.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorClassOutcome, writeErrorClassRun } from '../helpers/errorClassRun.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import { SHELL_INIT_AND_FINAL, waitFor, withStore } from '../helpers/runs.js';

let h: Harness;

beforeAll(() => {
  h = createHarness('watching');
  h.startOrchestrator();
  h.startExecutor();
});
afterAll(async () => h.stopAll());

describe('error classes on the local executor', () => {
  it('retry and fail actions decide the retries; report --errors groups final failures by class', async () => {
    const r = await writeErrorClassRun(path.join(h.home, 'ec'), 'itest_errclass');
    const sub = await h.tbpsAsync(['submit', r.config, '--wait']);
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(1);
    await withStore(h.home, (s) => expectErrorClassOutcome(r, s));
    const rep = h.tbps(['report', '--id', r.runId, '--errors']);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/^ {2}no_calib {2}1$/m);
    expect(rep.stdout).toContain(`line:  RuntimeError: calibration missing for ${r.fatalId}`);
    const json = JSON.parse(h.tbps(['report', '--id', r.runId, '--errors', '--json']).stdout) as { classes: { errorClass: string; count: number }[] };
    expect(json.classes).toEqual([expect.objectContaining({ errorClass: 'no_calib', count: 1 })]);
  }, 300_000);

  it('an invalid regular expression in errorClasses is bad input: exit 2, file and key named, nothing started', async () => {
    const r = await writeErrorClassRun(path.join(h.home, 'bad'), 'itest_errclass_bad', ['defaultErrorClasses:', '  - {name: broken, pattern: "(unclosed"}']);
    const sub = h.tbps(['submit', r.config]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain(r.config);
    expect(sub.stderr).toContain("key 'defaultErrorClasses[0].pattern'");
    expect(sub.stderr).toContain('invalid regular expression');
    expect(await withStore(h.home, (s) => s.getRun('itest_errclass_bad'))).toBeUndefined();
  }, 60_000);
});

describe('tbps logs --follow', () => {
  it("streams a running job's output as it is written and stops when the job ends", async () => {
    const dir = path.join(h.home, 'follow');
    mkdirSync(dir, { recursive: true });
    const { header, records } = syntheticGraph(syntheticOptionsForQuanta(3));
    await writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, records);
    const first = [...records][0].id;
    writeFileSync(path.join(dir, 'job.sh'), `if [ "$1" = "${first}" ]; then for i in 1 2 3 4 5 6 7 8; do echo "tick $i"; sleep 0.5; done; fi\nexit 0\n`);
    writeFileSync(
      path.join(dir, 'submit.yaml'),
      [
        'payloadName: follow',
        'uniqProcName: itest_follow',
        'outputRun: itest/follow',
        `submitPath: ${path.join(dir, 'submit')}`,
        `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
        `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
        ...SHELL_INIT_AND_FINAL,
        '',
      ].join('\n'),
    );
    expect(h.tbps(['submit', path.join(dir, 'submit.yaml')]).code).toBe(0);
    let name = '';
    await waitFor('the ticking job to run', () =>
      withStore(h.home, async (s) => {
        const running = await s.jobsByState('itest_follow', 'RUNNING', 10);
        for (const j of running) if ((await s.getJobSpec('itest_follow', j.name)).argv.includes(first)) name = j.name;
        return name !== '';
      }),
    );
    const follow = await h.tbpsAsync(['logs', '--id', 'itest_follow', '--job', name, '--follow', '--tail', '0']);
    expect(follow.code).toBe(0);
    // Every tick once, in order (those written before --follow started come from the first read), then the end.
    const ticks = follow.stdout.match(/^tick \d$/gm) ?? [];
    expect(ticks).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6', 'tick 7', 'tick 8']);
    expect(follow.stdout.trimEnd().split('\n').at(-1)).toBe(`==> ${name} SUCCEEDED`);
  }, 120_000);
});
