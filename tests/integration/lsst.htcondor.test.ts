// The real LSST middleware on the real HTCondor pool: step1 of the demo pipeline submitted with
// `--wms-service-class htcondor`, every job (pre-exec-init-qbb, run-qbb, transfer-from-graph) run by the pool as the
// non-root user tbpsuser with the project's venv (scripts/htcondor.sh bind-mounts its interpreter into the chroot),
// and no executor worker running; the outputs equal a plain single-process `pipetask run` into a second repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { batchDagIds, dagId, ensurePool, historyOf, POOL_PREFIX } from '../helpers/htcondorPool.js';
import { DEFAULT_SHARE_GROUP } from '../../wms/htcondor/share.js';
import { datasetCounts } from '../helpers/lsstDatasets.js';
import { runIdFrom, withStore } from '../helpers/runs.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const DEMO_CONFIG = path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml');
const SMALL = ['--visits', '903334,903986', '--detectors', '16,22'];
const env = () => withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;

let h: Harness;
/** Repositories and submit directories: outside the data directory (TBPS_HOME, 0700), reachable by the pool's user. */
let work: string;

beforeAll(() => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  ensurePool();
  h = createHarness('lsst-htcondor');
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-lsst-htcondor-work-'));
  chmodSync(work, 0o755); // the jobs run as tbpsuser and must reach the submit directory and the repository
  h.env.TBPS_HTCONDOR_PREFIX = POOL_PREFIX;
  h.startOrchestrator(); // no executor worker: every job must run in the pool
}, 300_000);
afterAll(async () => h?.stopAll());

/** A demo repository the pool's user may write to (datastore files, and the registry for the merge), through the share group. */
function makeRepo(name: string): string {
  const repo = path.join(work, name);
  execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, ...SMALL], { env: env(), stdio: 'pipe' });
  execFileSync('chgrp', ['-R', DEFAULT_SHARE_GROUP, repo]);
  execFileSync('chmod', ['-R', 'g+rwX,o-rwx', repo]);
  execFileSync('find', [repo, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
  return repo;
}

describe('LSST step1 on the HTCondor pool', () => {
  it('runs every job in the pool as tbpsuser, with the same outputs as a plain pipetask run', async () => {
    const repo = makeRepo('repo');
    const cfg = path.join(work, 'step1.yaml');
    writeFileSync(cfg, `includeConfigs: [${DEMO_CONFIG}]\nhtcondorPollSeconds: 2\nsubmitPath: ${path.join(work, 'submit')}/{outputRun}\n`);
    const query = "instrument='HSC'";
    const r = await h.tbpsAsync(['submit', cfg, '--wms-service-class', 'htcondor', '-b', repo, '-i', 'HSC/defaults', '-o', 'u/hc/step1', '-p', `${PIPE}#step1`, '-d', query, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const runId = runIdFrom(r.stdout);
    await withStore(h.home, async (s) => {
      expect((await s.getRun(runId))?.state).toBe('SUCCEEDED');
      const c = await s.stateCounts(runId);
      expect(c.SUCCEEDED).toBe(4 + 2); // one job per visit/detector, pipetaskInit, finalJob
    });

    // condor_history: each job, init and merge included, ran once in the pool as tbpsuser and exited 0.
    const submitPath = (await withStore(h.home, (s) => s.getRun(runId)))!.submitPath!;
    const dags = [dagId(submitPath, 'pipetaskInit'), ...batchDagIds(submitPath), dagId(submitPath, 'finalJob')];
    const hist = historyOf<{ bps_job_label: string; ExitCode: number; Owner: string }>(dags, 'bps_job_label,ExitCode,Owner');
    expect(hist.map((j) => j.bps_job_label).sort()).toEqual(['finalJob', 'pipetaskInit', 'step1_detector', 'step1_detector', 'step1_detector', 'step1_detector']);
    expect(hist.every((j) => j.ExitCode === 0 && j.Owner === 'tbpsuser')).toBe(true);

    const ref = makeRepo('ref');
    const plain = spawnSync(
      'pipetask',
      ['run', '-b', ref, '-i', 'HSC/defaults', '-o', 'u/ref/step1', '--output-run', 'u/ref/step1/run', '-p', `${PIPE}#step1`, '-d', query, '--register-dataset-types'],
      { env: env(), encoding: 'utf8' },
    );
    expect(plain.status, plain.stderr.slice(-2000)).toBe(0);
    const got = datasetCounts(repo, 'u/hc/step1');
    const want = datasetCounts(ref, 'u/ref/step1');
    expect(got.calexp).toBeGreaterThan(0);
    expect(got).toEqual(want);
  }, 1_200_000);
});
