// The real LSST middleware end to end through tbps (pipetask qgraph, pre-exec-init-qbb, run-qbb, butler
// transfer-from-graph) on a small ci_hsc-shaped demo repository: the three steps, compared dataset type by dataset
// type with a plain single-process `pipetask run` into a second repository; clustered vs unclustered step1; and a
// planted failure whose FAILED/PRUNED counts match what pipetask itself reports, with the merge landing the rest.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobs } from '../../core/workflow/index.js';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { datasetCounts } from '../helpers/lsstDatasets.js';
import { runIdFrom, withStore } from '../helpers/runs.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const DEMO_CONFIG = path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml');
const SMALL = ['--visits', '903334,903986', '--detectors', '16,22'];
const QUERY: Record<string, string> = { step1: "instrument='HSC'", step2: "instrument='HSC'", step3: "instrument='HSC' AND skymap='discrete/ci_hsc'" };
const env = () => withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;

let h: Harness;

beforeAll(() => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  h = createHarness('lsst');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '2' });
});
afterAll(async () => h?.stopAll());

function makeRepo(name: string): string {
  const repo = path.join(h.home, name);
  execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, ...SMALL], { env: env(), stdio: 'pipe' });
  return repo;
}

async function submitStep(config: string, repo: string, step: string, input: string, output: string, expectCode = 0): Promise<string> {
  const r = await h.tbpsAsync(['submit', config, '-b', repo, '-i', input, '-o', output, '-p', `${PIPE}#${step}`, '-d', QUERY[step], '--wait']);
  expect(r.stderr).toBe('');
  expect(r.code, r.stdout).toBe(expectCode);
  return runIdFrom(r.stdout);
}

function pipetaskRun(repo: string, step: string, input: string, output: string, extra: string[] = []) {
  return spawnSync(
    'pipetask',
    ['run', '-b', repo, '-i', input, '-o', output, '--output-run', `${output}/run`, '-p', `${PIPE}#${step}`, '-d', QUERY[step], '--register-dataset-types', ...extra],
    { env: env(), encoding: 'utf8' },
  );
}

describe('LSST stack end to end', () => {
  it('runs step1 -> step2 -> step3 to SUCCEEDED with the same outputs as a plain pipetask run', async () => {
    const repo = makeRepo('repo');
    let input = 'HSC/defaults';
    for (const step of ['step1', 'step2', 'step3']) {
      const runId = await submitStep(DEMO_CONFIG, repo, step, input, `u/demo/${step}`);
      await withStore(h.home, async (s) => expect((await s.getRun(runId))?.state).toBe('SUCCEEDED'));
      input = `u/demo/${step}`;
    }
    const ref = makeRepo('ref');
    input = 'HSC/defaults';
    for (const step of ['step1', 'step2', 'step3']) {
      const r = pipetaskRun(ref, step, input, `u/ref/${step}`);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      input = `u/ref/${step}`;
    }
    const got = datasetCounts(repo, 'u/demo/step3');
    const want = datasetCounts(ref, 'u/ref/step3');
    for (const t of ['calexp', 'sourceTable', 'sourceTable_visit', 'deepCoadd', 'deepCoadd_meas', 'deepCoadd_forced_src'])
      if (t in want) expect(got[t], t).toBeGreaterThan(0);
    expect(Object.keys(want).length).toBeGreaterThan(30);
    expect(got).toEqual(want);
  }, 1_200_000);

  it('runs a clustered step1 job as one run-qbb with several node ids, with the same outputs as unclustered jobs', async () => {
    const clustered = makeRepo('clustered');
    const single = makeRepo('single');
    const singleConfig = path.join(h.home, 'single.yaml');
    writeFileSync(singleConfig, `includeConfigs: [${DEMO_CONFIG}]\nclusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.single_quantum_clustering\n`);
    const a = await submitStep(DEMO_CONFIG, clustered, 'step1', 'HSC/defaults', 'u/c/step1');
    const b = await submitStep(singleConfig, single, 'step1', 'HSC/defaults', 'u/s/step1');
    const jobsOf = async (runId: string) => {
      const run = await withStore(h.home, (s) => s.getRun(runId));
      const jobs = [];
      for await (const j of readJobs(path.join(run!.submitPath!, 'generic_workflow', 'jobs.jsonl'))) if (j.kind === 'payload') jobs.push(j);
      return jobs;
    };
    const cj = await jobsOf(a);
    const sj = await jobsOf(b);
    expect(cj).toHaveLength(4); // one job per visit/detector
    expect(sj).toHaveLength(20); // one per quantum
    for (const j of cj) {
      expect(j.argv).toContain('run-qbb');
      const ids = j.argv[j.argv.indexOf('--qgraph-node-id') + 1].split(',');
      expect(ids).toHaveLength(5); // isr .. transformSourceTable of one detector
    }
    expect(datasetCounts(clustered, 'u/c/step1')).toEqual(datasetCounts(single, 'u/s/step1'));
  }, 1_200_000);

  it('reports a planted failure as FAILED + PRUNED like pipetask does, with its root cause, and merges the rest', async () => {
    const repo = makeRepo('failing');
    const ref = makeRepo('failing-ref');
    const condition = 'calibrate:fail_condition=visit IN (903334) AND detector IN (16)';
    const cfg = path.join(h.home, 'failing.yaml');
    writeFileSync(
      cfg,
      [
        `includeConfigs: [${DEMO_CONFIG}]`,
        'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.single_quantum_clustering',
        `extraQgraphOptions: '-c "${condition}"'`,
        '',
      ].join('\n'),
    );
    const runId = await submitStep(cfg, repo, 'step1', 'HSC/defaults', 'u/f/step1', 1);

    // What pipetask itself says about the same failure.
    const summary = path.join(h.home, 'failing-summary.json');
    const r = pipetaskRun(ref, 'step1', 'HSC/defaults', 'u/fref/step1', ['-c', condition, '--summary', summary]);
    expect(r.status).toBe(1);
    const reports = (JSON.parse(readFileSync(summary, 'utf8')) as { quantaReports: Array<{ taskLabel: string; status: string }> }).quantaReports;
    const byLabel = (status: string) => {
      const m: Record<string, number> = {};
      for (const q of reports) if (q.status === status) m[q.taskLabel] = (m[q.taskLabel] ?? 0) + 1;
      return m;
    };
    const rep = JSON.parse(h.tbps(['report', '--id', runId, '--json']).stdout) as { labels: Array<{ label: string; counts: Record<string, number> }> };
    const ours = (state: string) => Object.fromEntries(rep.labels.filter((l) => l.counts[state] > 0).map((l) => [l.label, l.counts[state]]));
    expect(ours('FAILED')).toEqual(byLabel('failure'));
    expect(ours('PRUNED')).toEqual(byLabel('skipped'));
    expect(ours('SUCCEEDED')).toEqual({ ...byLabel('success'), pipetaskInit: 1, finalJob: 1 });

    const text = h.tbps(['report', '--id', runId]).stdout;
    expect(text).toMatch(/cause: RuntimeError|cause: ValueError/);
    expect(text).toContain('Simulated failure');
    // The merge (finalJob, ALWAYS) landed the outputs of the quanta that succeeded, as in the plain run.
    expect(datasetCounts(repo, 'u/f/step1')).toEqual(datasetCounts(ref, 'u/fref/step1'));
  }, 1_200_000);
});
