// The local executor's pieces with real processes: memory escalation, root-cause extraction, CPU/memory slots,
// and runProcess (exit codes, signals, RSS limit -> out-of-memory kill, log files, cancellation).
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootCause } from '../../core/logs/rootCause.js';
import { memoryForAttempt } from '../../core/run/memory.js';
import { classifyExit } from '../../core/states.js';
import { ResourcePool } from '../../wms/local/resources.js';
import { runProcess } from '../../processes/runProcess.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tbps-exec-'));
const logs = (n: string) => ({ stdoutPath: path.join(tmp, `${n}.out`), stderrPath: path.join(tmp, `${n}.err`) });

describe('memoryForAttempt', () => {
  it('multiplies by memoryMultiplier^(attempt-1) and caps at memoryLimit', () => {
    const job = { requestMemory: 2048, memoryMultiplier: 2, memoryLimit: 6000 };
    expect([1, 2, 3, 4].map((a) => memoryForAttempt(job, a))).toEqual([2048, 4096, 6000, 6000]);
    expect(memoryForAttempt({ requestMemory: 100, memoryMultiplier: 1.5 }, 3)).toBe(225);
  });
});

describe('classifyExit', () => {
  it('treats exit 1 and 2 as payload errors and everything else as infrastructure', () => {
    expect(classifyExit(1, null, false)).toBe('payload');
    expect(classifyExit(2, null, false)).toBe('payload');
    expect(classifyExit(137, null, false)).toBe('infrastructure');
    expect(classifyExit(null, 'SIGKILL', false)).toBe('infrastructure');
    expect(classifyExit(null, 'SIGKILL', true)).toBe('out_of_memory');
  });
});

describe('rootCause', () => {
  it('picks the exception line, not the INFO noise after it', () => {
    const log = [
      'INFO lsst.ctrl.mpexec: starting quantum',
      'Traceback (most recent call last):',
      '  File "x.py", line 3, in run',
      'ValueError: planted failure in calibrate',
      'INFO lsst.ctrl.mpexec: 1 quanta failed',
    ].join('\n');
    expect(rootCause(log)).toBe('ValueError: planted failure in calibrate');
    expect(rootCause('just a line\n')).toBe('just a line');
    const chained = [
      'Traceback (most recent call last):',
      '  File "t.py", line 9, in run',
      "ValueError: Simulated failure: task=calibrate dataId={visit: 903334}",
      'INFO lsst.ctrl.mpexec: 1 quanta failed',
      'Traceback (most recent call last):',
      '    raise MPGraphExecutorError("One or more tasks failed during execution.")',
      'lsst.pipe.base.mp_graph_executor.MPGraphExecutorError: One or more tasks failed during execution.',
    ].join('\n');
    expect(rootCause(chained)).toBe('ValueError: Simulated failure: task=calibrate dataId={visit: 903334}');
    expect(rootCause('INFO ok\nsh: 1: nosuchcmd: not found\nINFO done')).toBe('sh: 1: nosuchcmd: not found');
    expect(rootCause('')).toBeUndefined();
  });
});

describe('ResourcePool', () => {
  it('makes a request wait until CPUs and memory are free, and clamps oversize requests', async () => {
    const pool = new ResourcePool({ cpus: 2, memoryMb: 1000 });
    const a = await pool.acquire(1, 600);
    let bGot = false;
    const b = pool.acquire(1, 600).then((r) => ((bGot = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(bGot).toBe(false);
    a();
    const rb = await b;
    expect(bGot).toBe(true);
    expect(pool.free).toEqual({ cpus: 1, memoryMb: 400 });
    rb();
    const big = await pool.acquire(8, 99999);
    expect(pool.free).toEqual({ cpus: 0, memoryMb: 0 });
    big();
    expect(pool.free).toEqual({ cpus: 2, memoryMb: 1000 });
  });

  it('lets an aborted waiter go without taking slots', async () => {
    const pool = new ResourcePool({ cpus: 1, memoryMb: 100 });
    const a = await pool.acquire(1, 10);
    const ac = new AbortController();
    const w = pool.acquire(1, 10, ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(w).rejects.toThrow('cancelled');
    a();
    expect(pool.free).toEqual({ cpus: 1, memoryMb: 100 });
  });
});

describe('runProcess', () => {
  it('runs argv without a shell and writes stdout and stderr to their own files', async () => {
    const r = await runProcess({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'], env: process.env, cwd: tmp, ...logs('a') });
    expect(r.exitCode).toBe(3);
    expect(r.oom).toBe(false);
    expect(readFileSync(logs('a').stdoutPath, 'utf8')).toBe('out\n');
    expect(readFileSync(logs('a').stderrPath, 'utf8')).toBe('err\n');
  });

  it('passes arguments with spaces and quotes through untouched', async () => {
    const r = await runProcess({ argv: ['printf', '%s|', "a b", "c'd", '$HOME'], env: process.env, cwd: tmp, ...logs('b') });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(logs('b').stdoutPath, 'utf8')).toBe("a b|c'd|$HOME|");
  });

  it('reports a job killed by a signal', async () => {
    const r = await runProcess({ argv: ['sh', '-c', 'kill -9 $$'], env: process.env, cwd: tmp, ...logs('c') });
    expect(r.signal).toBe('SIGKILL');
    expect(r.exitCode).toBeNull();
  });

  it('kills a job whose process group goes over its memory request and says out-of-memory', async () => {
    const r = await runProcess({
      argv: ['sh', '-c', `python3 -c "import time; b=b'x'*(300<<20); time.sleep(3)"`],
      env: process.env,
      cwd: tmp,
      memoryLimitMb: 150,
      ...logs('d'),
    });
    expect(r.oom).toBe(true);
    expect(r.peakRssMb).toBeGreaterThan(150);
    expect(r.seconds).toBeLessThan(3);
  });

  it('lets a job under its memory request finish and measures its peak RSS', async () => {
    const r = await runProcess({
      argv: ['python3', '-c', "import time; b=b'x'*(100<<20); time.sleep(0.6)"],
      env: process.env,
      cwd: tmp,
      memoryLimitMb: 400,
      ...logs('e'),
    });
    expect(r.exitCode).toBe(0);
    expect(r.oom).toBe(false);
    expect(r.peakRssMb).toBeGreaterThan(90);
  });

  it('stops the whole process group on cancellation', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runProcess({ argv: ['sh', '-c', 'sleep 30 & sleep 30; wait'], env: process.env, cwd: tmp, signal: ac.signal, ...logs('f') });
    expect(r.cancelled).toBe(true);
    expect(r.seconds).toBeLessThan(10);
  });

  it('reports a command that cannot be started', async () => {
    const r = await runProcess({ argv: ['/nonexistent/tool'], env: process.env, cwd: tmp, ...logs('g') });
    expect(r.spawnError).toMatch(/ENOENT/);
  });
});
