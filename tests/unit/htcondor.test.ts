// HTCondor plugin pieces that need no pool: submit-description quoting and memory escalation, the DAG text,
// the incremental event-log reader, the node status file reader.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../core/workflow/model.js';
import { readNodeStatus } from '../../wms/htcondor/nodeStatus.js';
import { dagText, nodeName, quoteArgs, quoteEnv, submitDescription } from '../../wms/htcondor/submitFiles.js';
import { dagNode, execHost, exitOf, memoryUsage, readEvents } from '../../wms/htcondor/userLog.js';
import { parsePrefix } from '../../wms/htcondor/index.js';

const job: JobSpec = {
  name: 'isr_903342_10', kind: 'payload', label: 'isr', batch: 0, quanta: 1,
  argv: ['pipetask', 'run-qbb', '/repo butler', "it's", '$HOME', 'a"b'],
  environment: { OMP_NUM_THREADS: '1', MSG: 'two words' },
  requestMemory: 2048, memoryMultiplier: 2, memoryLimit: 8192, requestCpus: 1, numberOfRetries: 3,
  retryUnlessExit: [1, 2], computeSite: 'local', parents: [],
};

describe('HTCondor submit files', () => {
  it('quotes arguments and environment in the new syntax and never lets $ start a macro', () => {
    expect(quoteArgs(job.argv)).toBe(`"pipetask run-qbb '/repo butler' 'it''s' $(DOLLAR)HOME a""b"`);
    expect(quoteEnv(job.environment)).toBe(`"OMP_NUM_THREADS=1 MSG='two words'"`);
  });

  it('writes retries, retry_until, memory escalation up to the limit and the bps attributes', () => {
    const sub = submitDescription(job, { runId: 'u_me_run', batch: 0, submitPath: '/s' });
    expect(sub).toContain('max_retries = 3');
    expect(sub).toContain('retry_until = ExitCode == 1 || ExitCode == 2');
    expect(sub).toContain('request_memory = int(min({8192, 2048 * pow(2, NumJobStarts ?: 0)}))');
    expect(sub).toContain('+bps_run = "u_me_run"');
    expect(sub).toContain('+bps_job_label = "isr"');
    expect(sub).toContain('+bps_job_name = "isr_903342_10"');
    expect(sub).toContain('output = /s/jobs/isr/isr_903342_10.$$([NumJobStarts+1]).out');
    expect(sub).toMatch(/^queue$/m);
    // SIGKILL: held, released while retries are left; out of memory: released only below the memory limit.
    // SIGKILL and non-zero exits are held; the poll decides the latter with the error classes (subcode 42).
    expect(sub).toContain('on_exit_hold = (ExitBySignal =?= true && ExitSignal =?= 9) || (ExitBySignal =!= true && ExitCode =!= 0)');
    expect(sub).toContain('on_exit_hold_subcode = ifThenElse(ExitBySignal =?= true, 9, 42)');
    expect(sub).toMatch(/^periodic_release = .*RequestMemory < 8192\) \|\| \(\(HoldReasonCode =\?= 3 && HoldReasonSubCode =\?= 9\) && NumJobStarts <= JobMaxRetries\)$/m);
    const flat = submitDescription({ ...job, memoryLimit: undefined, requestMemoryMax: undefined }, { runId: 'r', batch: 0, submitPath: '/s' });
    expect(flat).toContain('request_memory = 2048\n');
  });

  it('writes a DAG with edges and a node status file', () => {
    expect(dagText([{ node: 'a', subFile: 'jobs/a.sub', parents: [] }, { node: 'b', subFile: 'jobs/b.sub', parents: ['a'] }], 'x.status')).toBe(
      '# tbps DAG\nJOB a jobs/a.sub\nJOB b jobs/b.sub\nPARENT a CHILD b\nNODE_STATUS_FILE x.status 5 ALWAYS-UPDATE\n',
    );
    expect(dagText([{ node: 'finalJob', subFile: 'jobs/finalJob.sub', parents: [], final: true }], 'f.status')).toBe(
      '# tbps DAG\nFINAL finalJob jobs/finalJob.sub\nNODE_STATUS_FILE f.status 5 ALWAYS-UPDATE\n',
    );
    expect(nodeName('a+b/c')).toBe('a_b_c');
    expect(parsePrefix(`bash '/my repo/scripts/htcondor.sh' exec`)).toEqual(['bash', '/my repo/scripts/htcondor.sh', 'exec']);
    expect(parsePrefix('')).toEqual([]);
  });
});

describe('HTCondor logs', () => {
  it('reads only complete events, incrementally', () => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbps-ulog-')), 'x.nodes.log');
    writeFileSync(f, '000 (014.000.000) 2026-11-21 07:01:59 Job submitted from host: <127.0.0.1:9618>\n    DAG Node: A\n...\n001 (014.000.000) 2026-11-21 07:02:00 Job executing on host: <127.0.0.1:9618?alias=localhost>\n\tSlotName: slot1_1@node7\n');
    const a = readEvents(f, 0);
    expect(a.events.map((e) => [e.code, e.cluster])).toEqual([[0, 14]]);
    expect(dagNode(a.events[0])).toBe('A');
    appendFileSync(f, '...\n005 (014.000.000) 2026-11-21 07:02:08 Job terminated.\n\t(1) Normal termination (return value 3)\n\t   Memory (MB)          :        5      200       256 \n...\n');
    const b = readEvents(f, a.offset);
    expect(b.events.map((e) => e.code)).toEqual([1, 5]);
    expect(execHost(b.events[0])).toBe('node7');
    expect(exitOf(b.events[1])).toEqual({ exitCode: 3, signal: null });
    expect(memoryUsage(b.events[1])).toBe(5);
    expect(readEvents(f, b.offset).events).toEqual([]);
  });

  it('reads a node status file', () => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbps-nstat-')), 'x.status');
    writeFileSync(f, '[\n  Type = "DagStatus";\n  DagStatus = 6; /* "STATUS_ERROR (failed)" */\n]\n[\n  Type = "NodeStatus";\n  Node = "B";\n  NodeStatus = 6;\n  StatusDetails = "Job proc (19.0.0) failed with status 1";\n  JobProcsHeld = 0;\n]\n[\n  Type = "NodeStatus";\n  Node = "C";\n  NodeStatus = 7;\n  StatusDetails = "Had an ancestor node fail";\n  JobProcsHeld = 0;\n]\n[\n  Type = "StatusEnd";\n]\n');
    const s = readNodeStatus(f)!;
    expect(s.dagStatus).toBe(6);
    expect([...s.nodes].map(([n, v]) => [n, v.status])).toEqual([['B', 6], ['C', 7]]);
  });
});
