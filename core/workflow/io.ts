// Generic workflow on disk: <dir>/generic_workflow/jobs.jsonl (one JobSpec a line: init, payload jobs grouped by
// batch with parents first, final), batches.json (the BatchPlan) and summary.txt (for people). Streaming both ways.

import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BadInputError } from '../errors.js';
import { mkdirUnder, writeFileUnder } from '../files/confined.js';
import { LineWriter } from '../qgraph/linewriter.js';
import type { GenericWorkflow } from './generic.js';
import type { BatchPlan, JobSpec } from './model.js';

export const GW_DIR = 'generic_workflow';

export interface WrittenWorkflow {
  dir: string;
  jobsFile: string;
  batchesFile: string;
  summaryFile: string;
  jobs: number;
  bytes: number;
}

export async function writeGenericWorkflow(dir: string, gw: GenericWorkflow, plan: BatchPlan): Promise<WrittenWorkflow> {
  const out = path.join(dir, GW_DIR);
  mkdirUnder(dir, out);
  const jobsFile = path.join(out, 'jobs.jsonl');
  const w = new LineWriter(jobsFile, undefined, dir);
  let jobs = 0;
  try {
    for (const job of gw.jobs()) {
      const p = w.write(JSON.stringify(job));
      if (p) await p;
      jobs++;
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  const batchesFile = path.join(out, 'batches.json');
  writeFileUnder(dir, batchesFile, JSON.stringify(plan, null, 1) + '\n');
  const summaryFile = path.join(out, 'summary.txt');
  writeFileUnder(dir, summaryFile, summaryText(gw, plan));
  return { dir: out, jobsFile, batchesFile, summaryFile, jobs, bytes: w.bytes };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows.map((r) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ')).join('\n');
}

export function summaryText(gw: GenericWorkflow, plan: BatchPlan): string {
  const labels = gw.labelSummary();
  const rows = [['LABEL', 'JOBS', 'QUANTA'], ...labels.map((l) => [l.label, String(l.jobs), String(l.quanta)])];
  rows.push(['TOTAL', String(gw.payloadCount), String(gw.quantaCount)]);
  const sizes = plan.batches.map((b) => b.jobs);
  const lines = [
    'Generic workflow',
    '',
    table(rows),
    '',
    `init job:  ${gw.init ? gw.init.argv.join(' ') : '(none)'}`,
    `final job: ${gw.final ? gw.final.argv.join(' ') : '(none)'} [whenRun ${plan.finalWhenRun}]`,
    `batches:   ${plan.batches.length} (jobs per batch ${sizes.length ? Math.min(...sizes) : 0}..${sizes.length ? Math.max(...sizes) : 0}, target ${plan.batchSize ?? '-'})`,
    `roots:     ${plan.batches.filter((b) => b.upstream.length === 0).length} batches have no upstream batch`,
  ];
  if (gw.warnings.length > 0) lines.push('', 'warnings:', ...gw.warnings.map((w) => `  - ${w}`));
  return lines.join('\n') + '\n';
}

/** Stream the JobSpecs of a jobs.jsonl file (optionally only one batch's payload jobs). */
export async function* readJobs(file: string, opts: { batch?: number } = {}): AsyncGenerator<JobSpec> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (line === '') continue;
      let job: JobSpec;
      try {
        job = JSON.parse(line) as JobSpec;
      } catch (e) {
        throw new BadInputError(`line ${lineNo}: bad JSON (${(e as Error).message})`, { file });
      }
      if (typeof job !== 'object' || job === null || typeof job.name !== 'string' || !Array.isArray(job.argv)) {
        throw new BadInputError(`line ${lineNo}: not a job spec (needs name, kind, argv, ...)`, { file });
      }
      if (opts.batch !== undefined && job.batch !== opts.batch) continue;
      yield job;
    }
  } finally {
    rl.close();
  }
}
