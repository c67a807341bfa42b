// `tbps prepare`'s reading of the generic workflow for HTCondor (wms/htcondor/unitJobs.ts): jobs.jsonl read once,
// batch by batch in batch order (empty batches included), init and final jobs set aside, and a file whose payload
// jobs are not grouped by ascending batch refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../core/workflow/index.js';
import { preparedUnitJobs, workflowBatches } from '../../wms/htcondor/unitJobs.js';

const job = (name: string, kind: JobSpec['kind'], batch: number, parents: string[] = []) =>
  JSON.stringify({ name, kind, label: name.split('_')[0], batch, quanta: kind === 'payload' ? 1 : 0, argv: ['true'], parents, numberOfRetries: 2 });

function jobsFile(lines: string[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tbps-unitjobs-')), 'jobs.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('wms/htcondor prepare: the generic workflow batch by batch', () => {
  it('yields every batch in order with its jobs, and keeps init and final aside', async () => {
    const file = jobsFile([
      job('pipetaskInit', 'init', -1),
      job('isr_1', 'payload', 0, ['pipetaskInit']),
      job('isr_2', 'payload', 0, ['pipetaskInit']),
      job('calibrate_1', 'payload', 2, ['isr_1', 'isr_2']),
      job('finalJob', 'final', -1),
    ]);
    const others = new Map<string, JobSpec>();
    const seen: Array<[number, string[]]> = [];
    for await (const b of workflowBatches(file, 4, others)) seen.push([b.batch, b.jobs.map((j) => j.name)]);
    expect(seen).toEqual([
      [0, ['isr_1', 'isr_2']],
      [1, []],
      [2, ['calibrate_1']],
      [3, []],
    ]);
    expect([...others.keys()]).toEqual(['pipetaskInit', 'finalJob']);

    const batch2 = preparedUnitJobs(file, [JSON.parse(job('isr_3', 'payload', 2)), JSON.parse(job('calibrate_1', 'payload', 2, ['isr_1', 'isr_3']))], others);
    const ref = { runId: 'r', batch: 2, submitPath: '/x' };
    expect(await batch2.jobsOf(ref)).toEqual([
      { name: 'isr_3', state: 'UNREADY', maxAttempts: 3, parents: [], blocked: false },
      { name: 'calibrate_1', state: 'UNREADY', maxAttempts: 3, parents: [0], blocked: false },
    ]);
    expect((await batch2.specOf({ ...ref, batch: -1, job: 'finalJob' }, 'finalJob')).kind).toBe('final');
    await expect(batch2.specOf(ref, 'isr_1')).rejects.toThrow('has no job isr_1');
  });

  it('refuses payload jobs that are not grouped by ascending batch, or beyond the plan', async () => {
    const drain = async (lines: string[], batches: number) => {
      for await (const _ of workflowBatches(jobsFile(lines), batches, new Map())) void _;
    };
    await expect(drain([job('a_1', 'payload', 1), job('a_2', 'payload', 0)], 2)).rejects.toThrow('job a_2 of batch 0 comes after batch 1');
    await expect(drain([job('a_1', 'payload', 3)], 2)).rejects.toThrow("beyond the plan's 2 batches");
  });
});
