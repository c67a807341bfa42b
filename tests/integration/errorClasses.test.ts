// Error classes on the local executor, end to end: a `retry` class retried although its exit code is in
// retryUnlessExit, a `fail` class never retried, the class and the matched line stored on the attempt, and
// `tbps report --errors` grouping the final failures by class. (The same run on HTCondor: htcondor.test.ts.)
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorClassOutcome, writeErrorClassRun } from '../helpers/errorClassRun.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { withStore } from '../helpers/runs.js';

let h: Harness;

beforeAll(() => {
  h = createHarness('errclass');
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
