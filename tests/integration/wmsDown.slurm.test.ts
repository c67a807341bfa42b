// When the workload system is down, on the real one-node Slurm cluster (scripts/setup-slurm.sh): with slurmctld
// stopped (by its pid, as an outage would), `tbps ping` says so in its Slurm line and exits 1; a run submitted then
// keeps retrying its submit and shows "waiting for slurm: <sbatch's error>, retry N" in `tbps status`, `tbps report`,
// the dashboard's run page and the BpsWmsWaiting search attribute; once the controller is started again the run
// finishes SUCCEEDED and the note is gone everywhere. Other Slurm test files running meanwhile see the same short
// outage (their activities retry the same way).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../../client/dashboard/server.js';
import { openServices } from '../../client/services/index.js';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import { BpsWmsWaiting } from '../../workflows/searchKeys.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { SHELL_INIT_AND_FINAL, waitFor } from '../helpers/runs.js';
import { ensureCluster, SLURM_PREFIX } from '../helpers/slurmCluster.js';

const RUN = 'sl_wmsdown';
const CONTROLLER_PID = path.join(repoRoot, '.sandbox/slurm/run/slurmctld.pid');
const WAITING = /^waiting for slurm: .*(Unable to contact|Connection refused|connect).*, retry [1-9]\d*$/i;

let h: Harness;
let work: string;

beforeAll(() => {
  ensureCluster();
  h = createHarness('wmsdown');
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-wmsdown-'));
  h.env.TBPS_SLURM_PREFIX = SLURM_PREFIX;
  h.startOrchestrator();
  h.startExecutor(); // idle (every job runs in Slurm): `tbps ping` counts its pollers
}, 300_000);
afterAll(async () => {
  startController(); // whatever happened, leave the cluster up for the other Slurm tests
  await h?.stopAll();
}, 180_000);

function stopController(): void {
  expect(existsSync(CONTROLLER_PID)).toBe(true);
  const pid = Number(readFileSync(CONTROLLER_PID, 'utf8').trim());
  expect(pid).toBeGreaterThan(1);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && existsSync(`/proc/${pid}`); i++) spawnSync('sleep', ['0.1']);
  expect(existsSync(`/proc/${pid}`)).toBe(false);
}

function startController(): void {
  const up = spawnSync('bash', [path.join(repoRoot, 'scripts/slurm.sh'), 'start'], { encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`bash scripts/slurm.sh start: ${up.stderr}`);
}

async function writeRun(): Promise<string> {
  const dir = path.join(work, 'run');
  mkdirSync(dir, { recursive: true });
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(6));
  expect(graphFromRecords(header, records).size).toBeGreaterThan(0);
  await writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, records);
  writeFileSync(
    path.join(dir, 'submit.yaml'),
    [
      'payloadName: wmsdown',
      'outputRun: itest/wmsdown',
      `uniqProcName: ${RUN}`,
      'wmsServiceClass: slurm',
      `submitPath: ${path.join(dir, 'submit')}`,
      `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
      'runQuantumCommand: "true"',
      'requestMemory: 64',
      'wmsPollSeconds: 2',
      ...SHELL_INIT_AND_FINAL,
      '',
    ].join('\n'),
  );
  return path.join(dir, 'submit.yaml');
}

async function searchAttribute(): Promise<string | undefined> {
  const described = await (await h.client()).workflow.getHandle(`run/${RUN}`).describe();
  return described.typedSearchAttributes.get(BpsWmsWaiting);
}

async function dashboardRunPage(): Promise<string> {
  const services = await openServices(path.join(h.home, 'tbps.sqlite'));
  try {
    const dashboard = await createDashboard({ services });
    try {
      const page = await dashboard.app.inject({ method: 'GET', url: `/runs/${RUN}` });
      expect(page.statusCode).toBe(200);
      return page.body;
    } finally {
      await dashboard.app.close();
    }
  } finally {
    await services.close();
  }
}

describe('when the Slurm controller is down', () => {
  it('ping says so; a run shows "waiting for slurm: ..., retry N" everywhere, then finishes once the controller is back', async () => {
    let up = { code: -1, stdout: '', stderr: '' };
    await waitFor('tbps ping to find the workers polling', async () => {
      up = h.tbps(['ping', '--wms', 'slurm'], { timeoutMs: 120_000 });
      return up.code === 0;
    }, 180_000).catch(() => undefined); // the assertions below say what was down
    expect(up.stderr).toBe('');
    expect(up.stdout).toMatch(/^Temporal server .*: ok$/m);
    expect(up.stdout).toMatch(/^store SQLite .*tbps\.sqlite: ok: /m);
    expect(up.stdout).toMatch(/^workload system slurm: ok: Slurmctld\(primary\) at \S+ is UP$/m);
    expect(up.code, up.stdout).toBe(0);

    const submitFile = await writeRun();
    stopController();
    try {
      const down = h.tbps(['ping', '--wms', 'slurm'], { timeoutMs: 120_000 });
      expect(down.stdout).toMatch(/^workload system slurm: DOWN: /m);
      expect(down.stdout).toMatch(/^store SQLite .*: ok: /m);
      expect(down.code, down.stdout).toBe(1);

      const submitted = h.tbps(['submit', submitFile], { timeoutMs: 120_000 });
      expect(submitted.code).toBe(0);
      // Within one retry of the first submit: the note in status, report and the search attribute.
      let status = { code: 0, stdout: '', stderr: '' };
      await waitFor('the waiting note in tbps status', async () => {
        status = h.tbps(['status', '--id', RUN]);
        return status.stdout.trim().split('\n').length === 2;
      }, 120_000);
      const [state, note] = status.stdout.trim().split('\n');
      expect(state).toBe('RUNNING');
      expect(note).toMatch(WAITING);
      const report = h.tbps(['report', '--id', RUN]);
      expect(report.stdout).toMatch(/^Waiting: +waiting for slurm: .*, retry [1-9]\d*$/m);
      const json = JSON.parse(h.tbps(['report', '--id', RUN, '--json']).stdout) as { run: { waiting: string } };
      expect(json.run.waiting).toMatch(WAITING);
      await waitFor('the BpsWmsWaiting search attribute', async () => WAITING.test((await searchAttribute()) ?? ''), 60_000);
      expect(await dashboardRunPage()).toContain('waiting for slurm: ');
    } finally {
      startController();
    }

    await waitFor('the run to finish', async () => ['SUCCEEDED', 'FAILED'].includes(h.tbps(['status', '--id', RUN]).stdout.trim().split('\n')[0]), 300_000);
    const after = h.tbps(['status', '--id', RUN]);
    expect(after.stdout.trim()).toBe('SUCCEEDED');
    const json = JSON.parse(h.tbps(['report', '--id', RUN, '--json']).stdout) as { run: { waiting: string } };
    expect(json.run.waiting).toBe('');
    expect(await searchAttribute()).toBeUndefined();
    expect(await dashboardRunPage()).not.toContain('waiting for slurm: ');
  }, 600_000);
});
