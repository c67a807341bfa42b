// `tbps prepare` then `tbps submit <submit dir>`: the run is made once and submitted as prepared. Prepare writes the
// graph, the generic workflow, the saved config and, for HTCondor, every unit's DAG and submit files (checked here
// against the generic workflow, without a pool; tests/integration/htcondor.test.ts submits them to the pool). A
// submit of the directory runs that run on the local executor without making any of it again, once; options that
// would change its config, a changed saved config and a directory without a prepared run are bad input.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedRun } from '../../core/submit/preparedRun.js';
import type { JobSpec } from '../../core/workflow/index.js';
import { nodeName } from '../../wms/htcondor/submitFiles.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { SHELL_INIT_AND_FINAL, withStore } from '../helpers/runs.js';

let h: Harness;

beforeAll(() => {
  h = createHarness('prepared');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '4' });
});
afterAll(async () => h?.stopAll());

/** A synthetic run's submit YAML in `dir` (its submit directory is dir/submit). */
function writeRun(name: string, extra: string[] = []): { dir: string; config: string; submit: string } {
  const dir = path.join(h.home, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'job.sh'), 'echo "job $1"\nexit 0\n');
  const config = path.join(dir, 'submit.yaml');
  writeFileSync(
    config,
    [
      `payloadName: ${name}`,
      `outputRun: itest/${name}`,
      `submitPath: ${path.join(dir, 'submit')}`,
      'syntheticGraph: {quanta: 60}',
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
      'requestMemory: 64',
      'jobBatchSize: 20',
      ...SHELL_INIT_AND_FINAL,
      ...extra,
      '',
    ].join('\n'),
  );
  return { dir, config, submit: path.join(dir, 'submit') };
}

function readJobsFile(submit: string): JobSpec[] {
  return readFileSync(path.join(submit, 'generic_workflow', 'jobs.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JobSpec);
}

function record(submit: string): PreparedRun {
  return JSON.parse(readFileSync(path.join(submit, 'tbps_prepared.json'), 'utf8')) as PreparedRun;
}

/** Modification times of the files a prepared run must not make again. */
function stamps(submit: string, files: string[]): Record<string, number> {
  return Object.fromEntries(files.map((f) => [f, statSync(path.join(submit, f)).mtimeMs]));
}

describe('a prepared run', () => {
  it('is submitted from its submit directory as prepared: nothing made again, submitted once', async () => {
    const run = writeRun('prep_local');
    const prep = h.tbps(['prepare', run.config]);
    expect(prep.stderr).toBe('');
    expect(prep.code, prep.stdout).toBe(0);
    expect(prep.stdout).toContain(`submit it with  : tbps submit ${run.submit}`);
    const rec = record(run.submit);
    expect(rec).toMatchObject({ runId: 'itest_prep_local', wms: 'local', wmsUnits: [], initJob: 'pipetaskInit', finalJob: 'finalJob' });
    expect(rec.submittedAt).toBeUndefined();
    const files = ['generic_workflow/jobs.jsonl', 'generic_workflow/batches.json', path.relative(run.submit, rec.qgraphFile), 'tbps_config.json'];
    const before = stamps(run.submit, files);
    const jobs = readJobsFile(run.submit);
    expect(jobs.length).toBeGreaterThan(20);

    // Options that would change the prepared config are refused; nothing starts.
    const withOption = h.tbps(['submit', run.submit, '--compute-site', 'elsewhere']);
    expect(withOption.code).toBe(2);
    expect(withOption.stderr).toMatch(/--compute-site: a prepared run is submitted with the config it was prepared with/);
    // A directory without a prepared run.
    const plainDir = h.tbps(['submit', run.dir]);
    expect(plainDir.code).toBe(2);
    expect(plainDir.stderr).toMatch(/without a prepared run/);

    await new Promise((r) => setTimeout(r, 20)); // a rewrite would show in the modification times
    const r = await h.tbpsAsync(['submit', run.submit, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('Submitted run itest_prep_local (as prepared)');
    await withStore(h.home, async (s) => {
      expect((await s.getRun('itest_prep_local'))?.state).toBe('SUCCEEDED');
      const counts = await s.stateCounts('itest_prep_local');
      expect(counts.SUCCEEDED).toBe(jobs.length);
      for (const j of jobs.slice(0, 5)) expect((await s.getJobSpec('itest_prep_local', j.name)).argv).toEqual(j.argv);
    });
    expect(stamps(run.submit, files)).toEqual(before);
    expect(record(run.submit).submittedAt).toMatch(/^\d{4}-/);

    // Submitted once: again is refused.
    const again = h.tbps(['submit', run.submit]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/was submitted at/);
  }, 600_000);

  it('refuses a prepared run whose saved config changed after prepare', () => {
    const run = writeRun('prep_changed');
    expect(h.tbps(['prepare', run.config]).code).toBe(0);
    appendFileSync(path.join(run.submit, 'tbps_config.json'), ' ');
    const r = h.tbps(['submit', run.submit]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/saved config was changed after 'tbps prepare'/);
  });

  it('for HTCondor, writes every unit: a DAG per batch with the batch jobs and edges, pipetaskInit, finalJob as FINAL', () => {
    const run = writeRun('prep_condor', ['htcondorShareGroup: none']);
    const r = h.tbps(['prepare', run.config, '--wms-service-class', 'htcondor']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const rec = record(run.submit);
    const plan = JSON.parse(readFileSync(path.join(run.submit, 'generic_workflow', 'batches.json'), 'utf8')) as { batches: unknown[] };
    expect(plan.batches.length).toBeGreaterThan(1);
    expect(rec.wms).toBe('htcondor');
    expect(rec.wmsUnits).toEqual([
      'htcondor/pipetaskInit/try1',
      ...plan.batches.map((_, b) => `htcondor/batch_${b}/try1`),
      'htcondor/finalJob/try1',
    ]);
    expect(r.stdout).toContain(`htcondor files  : ${rec.wmsUnits.length} units (pipetaskInit, batch_0..batch_${plan.batches.length - 1}, finalJob)`);
    const jobs = readJobsFile(run.submit);
    const dagOf = (unit: string) => readFileSync(path.join(run.submit, unit, `${path.basename(path.dirname(unit))}.dag`), 'utf8');
    for (const unit of rec.wmsUnits) {
      // marked with the saved config's hash: a submit of this run takes the files as they are
      expect(readFileSync(path.join(run.submit, unit, 'prepared'), 'utf8')).toBe(rec.configSha256);
      expect(existsSync(path.join(run.submit, unit, 'wms_id'))).toBe(false);
    }
    expect(dagOf('htcondor/pipetaskInit/try1')).toMatch(/^JOB pipetaskInit jobs\/pipetaskInit\.sub$/m);
    expect(dagOf('htcondor/finalJob/try1')).toMatch(/^FINAL finalJob jobs\/finalJob\.sub$/m);
    // Every payload job is a node of its batch's DAG, with its parents inside the batch as PARENT lines.
    const payload = jobs.filter((j) => j.kind === 'payload');
    for (let b = 0; b < plan.batches.length; b++) {
      const dag = dagOf(`htcondor/batch_${b}/try1`);
      const inBatch = payload.filter((j) => j.batch === b);
      expect(inBatch.length).toBeGreaterThan(0);
      const nodes = [...dag.matchAll(/^JOB (\S+) jobs\/(\S+)\.sub$/gm)].map((m) => m[1]);
      expect(nodes.sort()).toEqual(inBatch.map((j) => nodeName(j.name)).sort());
      const names = new Set(inBatch.map((j) => j.name));
      const edges = [...dag.matchAll(/^PARENT (\S+) CHILD (\S+)$/gm)].flatMap((m) => m[1].split(' ').map((p) => `${p}>${m[2]}`)).sort();
      expect(edges).toEqual(inBatch.flatMap((j) => j.parents.filter((p) => names.has(p)).map((p) => `${nodeName(p)}>${nodeName(j.name)}`)).sort());
      for (const j of inBatch.slice(0, 3)) {
        const sub = readFileSync(path.join(run.submit, `htcondor/batch_${b}/try1/jobs/${nodeName(j.name)}.sub`), 'utf8');
        expect(sub).toContain(`+bps_job_name = "${j.name}"`);
        expect(sub).toContain(j.argv.at(-1)!); // the job's quantum id
      }
    }
    expect(readdirSync(path.join(run.submit, 'htcondor')).sort()).toEqual(['finalJob', 'pipetaskInit', ...plan.batches.map((_, b) => `batch_${b}`)].sort());
  });
});
