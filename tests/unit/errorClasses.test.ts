// Unit tests of error classes (core/logs/errorClasses.ts), the one retry decision (core/run/retryDecision.ts) and
// pipetask's per-task timings (core/logs/taskTimings.ts): matching order, exit-code conditions, $1 names, the default
// classes of config/bps_defaults.yaml, config validation (file, key, problem) and every branch of the decision.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBpsConfig } from '../../core/config/index.js';
import { ErrorClassifier, errorClassesOf, parseErrorClasses, runClassifier, writeErrorClasses } from '../../core/logs/errorClasses.js';
import { taskSeconds } from '../../core/logs/taskTimings.js';
import { decideRetry } from '../../core/run/retryDecision.js';
import { errorOf } from '../fixtures/transform/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tbps-errclass-'));

function loadWith(body: string) {
  const file = join(dir, `submit-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `payloadName: demo\nbutlerConfig: /repo\ninCollection: x\ndataQuery: "a=1"\npipelineYaml: /p.yaml\n${body}`);
  return { file, config: () => loadBpsConfig(file, { cwd: dir, operator: 'alice' }) };
}

describe('ErrorClassifier', () => {
  const rules = parseErrorClasses(
    [
      { name: 'db', pattern: 'database is locked', action: 'retry' },
      { name: 'only3', pattern: 'boom', exitCodes: [3], action: 'fail' },
      { name: 'py:$1', pattern: '^(\\w+Error):' },
    ],
    'errorClasses',
  );
  const c = new ErrorClassifier(rules);

  it('takes the first rule (in order) with a matching line, and the first matching line of the texts', () => {
    expect(c.match(1, ['INFO x\nValueError: bad\nsqlite3.OperationalError: database is locked'])).toEqual({
      name: 'db',
      line: 'sqlite3.OperationalError: database is locked',
      action: 'retry',
    });
    expect(c.match(1, ['KeyError: a\nValueError: b'])).toEqual({ name: 'py:KeyError', line: 'KeyError: a', action: undefined });
  });

  it('applies exitCodes conditions', () => {
    expect(c.match(3, ['boom'])?.name).toBe('only3');
    expect(c.match(1, ['boom'])).toBeUndefined();
    expect(c.match(null, ['boom'])).toBeUndefined();
  });

  it('searches the texts in the order given (the executor reason, then stderr, then stdout)', () => {
    expect(c.match(1, ['', 'TypeError: from stderr', 'KeyError: from stdout'])?.line).toBe('TypeError: from stderr');
  });

  it('the defaults name out-of-memory kills, missing inputs and Python exceptions by type', () => {
    const { config } = loadWith('');
    const d = new ErrorClassifier(errorClassesOf(config()));
    expect(d.size).toBeGreaterThanOrEqual(6);
    expect(d.match(null, ['tbps: out of memory: RSS 300 MiB above the 200 MiB request'])).toMatchObject({ name: 'out_of_memory', action: 'retry' });
    expect(d.match(1, ["FileNotFoundError: [Errno 2] No such file or directory: '/x'"])).toMatchObject({ name: 'missing_input', action: 'fail' });
    expect(d.match(1, ['Traceback (most recent call last):', '  File "x.py", line 1', 'lsst.pipe.base.SomethingError: boom'])).toMatchObject({ name: 'python:SomethingError' });
    expect(d.match(1, ['sqlite3.OperationalError: database is locked'])).toMatchObject({ name: 'database_locked', action: 'retry' });
    expect(d.match(1, ['ConnectionResetError: [Errno 104] Connection reset by peer'])).toMatchObject({ name: 'connection' });
    expect(d.match(0, ['all fine'])).toBeUndefined();
  });

  it("the submit YAML's classes come before the defaults; defaultErrorClasses: [] drops them", () => {
    const mine = loadWith('errorClasses:\n  - {name: flaky_fs, pattern: "FileNotFoundError", action: retry}\n');
    expect(new ErrorClassifier(errorClassesOf(mine.config())).match(1, ['FileNotFoundError: x'])?.name).toBe('flaky_fs');
    const none = loadWith('defaultErrorClasses: []\n');
    expect(new ErrorClassifier(errorClassesOf(none.config())).size).toBe(0);
  });

  it('a run reads its rules from the submit directory (none for runs made before error classes)', () => {
    const sub = mkdtempSync(join(tmpdir(), 'tbps-errclass-run-'));
    expect(runClassifier(sub).size).toBe(0);
    mkdirSync(join(sub, 'generic_workflow'));
    writeErrorClasses(sub, rules);
    expect(runClassifier(sub).match(1, ['database is locked'])?.name).toBe('db');
  });
});

describe('errorClasses validation', () => {
  it('names the file, the key and the problem of a bad regular expression', () => {
    const { file, config } = loadWith('errorClasses:\n  - {name: bad, pattern: "([unclosed", action: fail}\n');
    const e = errorOf(config);
    expect(e.name).toBe('BadInputError');
    expect(e.message).toContain(file);
    expect(e.message).toContain("key 'errorClasses[0].pattern'");
    expect(e.message).toContain('invalid regular expression');
  });

  it('rejects a bad action, a missing pattern, a non-list and unknown keys', () => {
    expect(errorOf(() => parseErrorClasses([{ name: 'a', pattern: 'x', action: 'later' }], 'errorClasses')).message).toContain("key 'errorClasses[0].action'");
    expect(errorOf(() => parseErrorClasses([{ name: 'a' }], 'errorClasses')).message).toContain("key 'errorClasses[0].pattern'");
    expect(errorOf(() => parseErrorClasses('oom', 'errorClasses')).message).toContain('expected a list');
    expect(errorOf(() => parseErrorClasses([{ name: 'a', pattern: 'x', acton: 'retry' }], 'errorClasses')).message).toContain('errorClasses[0]');
    expect(errorOf(() => parseErrorClasses([{ name: 'a/b', pattern: 'x' }], 'errorClasses')).message).toContain("key 'errorClasses[0].name'");
  });
});

describe('decideRetry', () => {
  const job = { retryUnlessExit: [1, 2] };
  const fail = (exitCode: number | null, extra: Partial<{ signal: string; oom: boolean; timedOut: boolean; spawnError: boolean }> = {}) => ({
    exitCode,
    signal: extra.signal ?? null,
    oom: extra.oom ?? false,
    timedOut: extra.timedOut ?? false,
    spawnError: extra.spawnError,
  });

  it('a retry class is retried even when the exit code is in retryUnlessExit, while attempts are left', () => {
    const m = { name: 'database_locked', line: 'database is locked', action: 'retry' as const };
    expect(decideRetry(fail(1), m, job, 1, 3)).toMatchObject({ retry: true, errorClass: 'database_locked' });
    expect(decideRetry(fail(1), m, job, 3, 3)).toMatchObject({ retry: false, reason: 'no attempts left' });
  });

  it('a fail class is never retried, whatever the exit code', () => {
    expect(decideRetry(fail(3), { name: 'missing_input', line: 'x', action: 'fail' }, job, 1, 6)).toMatchObject({ retry: false, errorClass: 'missing_input' });
  });

  it('without a class action, BPS exit-code rules decide; the kind names the failure when nothing matched', () => {
    expect(decideRetry(fail(1), { name: 'python:ValueError', line: 'ValueError: x' }, job, 1, 6)).toMatchObject({ retry: false, errorClass: 'python:ValueError' });
    expect(decideRetry(fail(1), undefined, job, 1, 6)).toMatchObject({ retry: false, errorClass: 'payload' });
    expect(decideRetry(fail(137, { signal: 'SIGKILL' }), undefined, job, 1, 6)).toMatchObject({ retry: true, errorClass: 'infrastructure' });
    expect(decideRetry(fail(null, { oom: true }), undefined, job, 1, 6)).toMatchObject({ retry: true, errorClass: 'out_of_memory' });
    expect(decideRetry(fail(null, { timedOut: true }), undefined, job, 6, 6)).toMatchObject({ retry: false, errorClass: 'timeout' });
    expect(decideRetry(fail(null, { spawnError: true }), { name: 'x', line: 'y', action: 'retry' }, job, 1, 6)).toMatchObject({ retry: false });
  });
});

describe('taskSeconds', () => {
  it("sums pipetask's per-quantum timings per task and ignores other lines", () => {
    const log = [
      "INFO 2026-12-01T10:00:00.000+00:00 lsst.pipe.base.single_quantum_executor ()(single_quantum_executor.py:327) - Execution of task 'isr' on quantum {instrument: 'HSC', detector: 10, exposure: 903334} took 1.250 seconds",
      "INFO ... Execution of task 'isr' on quantum {instrument: 'HSC', detector: 11, exposure: 903334} took 0.750 seconds",
      "INFO ... Execution of task 'calibrate' on quantum {instrument: 'HSC', detector: 10, visit: 903334} took 3.000 seconds",
      "INFO ... Execution of task 'calibrate' on quantum {...} failed. Exception ValueError: x",
    ].join('\n');
    expect(taskSeconds(log)).toEqual({ isr: 2, calibrate: 3 });
    expect(taskSeconds('nothing here')).toEqual({});
  });
});
