// The real LSST middleware on the real one-node Slurm cluster (scripts/setup-slurm.sh): step1 of the demo pipeline
// submitted with `--wms-service-class slurm`, every job (pre-exec-init-qbb, run-qbb, transfer-from-graph) an sbatch
// job with the project's venv first on PATH, and no executor worker running; the outputs equal a plain
// single-process `pipetask run` into a second repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { datasetCounts } from '../helpers/lsstDatasets.js';
import { runIdFrom, withStore } from '../helpers/runs.js';
import { ensureCluster, queueOf, SLURM_PREFIX, submittedIds } from '../helpers/slurmCluster.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const DEMO_CONFIG = path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml');
const SMALL = ['--visits', '903334,903986', '--detectors', '16,22'];
const env = () => withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;

let h: Harness;
/** Repositories and submit directories. */
let work: string;

beforeAll(() => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  ensureCluster();
  h = createHarness('lsst-slurm');
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-lsst-slurm-work-'));
  h.env.TBPS_SLURM_PREFIX = SLURM_PREFIX;
  h.startOrchestrator(); // no executor worker: every job must run in Slurm
}, 300_000);
afterAll(async () => h?.stopAll());

function makeRepo(name: string): string {
  const repo = path.join(work, name);
  execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, ...SMALL], { env: env(), stdio: 'pipe' });
  return repo;
}

describe('LSST step1 on the Slurm cluster', () => {
  it('runs every job as a Slurm job, with the same outputs as a plain pipetask run', async () => {
    const repo = makeRepo('repo');
    const cfg = path.join(work, 'step1.yaml');
    writeFileSync(cfg, `includeConfigs: [${DEMO_CONFIG}]\nwmsPollSeconds: 2\nsubmitPath: ${path.join(work, 'submit')}/{outputRun}\n`);
    const query = "instrument='HSC'";
    const r = await h.tbpsAsync(['submit', cfg, '--wms-service-class', 'slurm', '-b', repo, '-i', 'HSC/defaults', '-o', 'u/sl/step1', '-p', `${PIPE}#step1`, '-d', query, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const runId = runIdFrom(r.stdout);
    const submitPath = await withStore(h.home, async (s) => {
      const run = await s.getRun(runId);
      expect(run?.state).toBe('SUCCEEDED');
      expect(run?.wms).toBe('slurm');
      const c = await s.stateCounts(runId);
      expect(c.SUCCEEDED).toBe(4 + 2); // one job per visit/detector, pipetaskInit, finalJob
      return run!.submitPath;
    });

    // In Slurm: init, the four detector jobs and the merge each ran once there and COMPLETED.
    const ids = [...submittedIds(submitPath, 'pipetaskInit'), ...submittedIds(submitPath, 'batch_0'), ...submittedIds(submitPath, 'finalJob')];
    expect(ids.length).toBe(6);
    const rows = queueOf(ids);
    expect(rows.length).toBe(6);
    expect(rows.map((j) => j.state)).toEqual(Array(6).fill('COMPLETED'));

    const ref = makeRepo('ref');
    const plain = spawnSync(
      'pipetask',
      ['run', '-b', ref, '-i', 'HSC/defaults', '-o', 'u/ref/step1', '--output-run', 'u/ref/step1/run', '-p', `${PIPE}#step1`, '-d', query, '--register-dataset-types'],
      { env: env(), encoding: 'utf8' },
    );
    expect(plain.status, plain.stderr.slice(-2000)).toBe(0);
    const got = datasetCounts(repo, 'u/sl/step1');
    const want = datasetCounts(ref, 'u/ref/step1');
    expect(got.calexp).toBeGreaterThan(0);
    expect(got).toEqual(want);
  }, 1_200_000);
});
