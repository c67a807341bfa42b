// Pilots on the real one-node Slurm cluster (scripts/setup-slurm.sh): a run whose computeSite is served only by two
// pilots (`tbps pilot submit --wms slurm`, executor workers as Slurm jobs; the harness starts no executor), one of
// them cancelled mid-run with `tbps pilot cancel` while it runs a job. Every job still succeeds exactly once (each
// appends its id to a file when it ends; the store has one SUCCEEDED attempt per job, and the cancelled pilot's job
// an attempt closed as lost), and `tbps pilot list` shows both pilots with their states and jobs run. Bad input
// (count 0, a bad walltime, local or unknown WMS, a site nothing uses, sbatch failing) starts nothing, exit 2.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { SHELL_INIT_AND_FINAL, waitFor, withStore } from '../helpers/runs.js';
import { ensureCluster, queueOf, SLURM_PREFIX } from '../helpers/slurmCluster.js';

let h: Harness;
let work: string;
const SITE = 'pilotsite';

beforeAll(() => {
  ensureCluster();
  h = createHarness('pilots');
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-pilots-work-'));
  h.env.TBPS_SLURM_PREFIX = SLURM_PREFIX;
  h.startOrchestrator(); // and no executor: only pilots serve the site's queue
}, 300_000);
afterAll(async () => {
  h?.tbps(['pilot', 'cancel', '--all']);
  await h?.stopAll();
}, 120_000);

interface PilotRow {
  pilotId: string;
  wms: string;
  wmsId: string;
  site: string;
  state: string;
  host: string | null;
  startedAt: string | null;
  walltimeLeftSeconds: number | null;
  jobsRun: number;
}

function pilotList(): PilotRow[] {
  const r = h.tbps(['pilot', 'list', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PilotRow[];
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function writeRun(name: string, quanta: number) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(quanta));
  const all = [...records];
  await writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, all);
  writeFileSync(path.join(dir, 'job.sh'), ['id="$1"; d="$(dirname "$0")"', 'echo "$id $TBPS_PILOT_ID" >> "$d/started.txt"', 'sleep 25', 'echo "$id" >> "$d/done.txt"', 'exit 0', ''].join('\n'));
  const yaml = path.join(dir, 'submit.yaml');
  writeFileSync(
    yaml,
    [
      `payloadName: ${name}`,
      `outputRun: itest/${name}`,
      `uniqProcName: pl_${name}`,
      'wmsServiceClass: local',
      `computeSite: ${SITE}`,
      `submitPath: ${path.join(dir, 'submit')}`,
      `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
      'requestMemory: 64',
      'numberOfRetries: 2',
      'jobHeartbeatTimeout: 20',
      ...SHELL_INIT_AND_FINAL,
      '',
    ].join('\n'),
  );
  return { dir, yaml, quanta: all.length, runId: `pl_${name}` };
}

describe('pilots on a real Slurm cluster', () => {
  it('refuses bad requests with one line and exit 2, starting nothing', async () => {
    const run = await writeRun('bad', 2);
    const cases: Array<[string[], RegExp]> = [
      [['--wms', 'slurm', '--site', SITE, '--count', '0', '--config', run.yaml], /--count.*whole number >= 1/],
      [['--wms', 'slurm', '--site', SITE, '--count', '1', '--walltime', 'soon', '--config', run.yaml], /--walltime.*not a walltime/],
      [['--wms', 'local', '--site', SITE, '--count', '1', '--config', run.yaml], /'local' cannot start pilots/],
      [['--wms', 'pbs', '--site', SITE, '--count', '1', '--config', run.yaml], /unknown workload system 'pbs'/],
      [['--wms', 'slurm', '--site', 'nowhere', '--count', '1', '--config', run.yaml], /no run or config uses compute site 'nowhere'/],
      [['--wms', 'slurm', '--site', SITE, '--count', '1', '--config', run.yaml, '--memory', '999999G'], /slurm did not start pilot 1 of 1 \(nothing started\)/],
    ];
    for (const [args, message] of cases) {
      const r = h.tbps(['pilot', 'submit', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const bin = path.join(work, 'nosbatch');
    const missing = h.tbps(['pilot', 'submit', '--wms', 'slurm', '--site', SITE, '--count', '2', '--config', run.yaml], { env: { TBPS_SLURM_PREFIX: `${bin}/missing-prefix` } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/slurm did not start pilot 1 of 2/);
    expect(pilotList()).toEqual([]);
  }, 120_000);

  it('runs every job of a run exactly once on two Slurm pilots, one cancelled mid-run', async () => {
    const run = await writeRun('two', 10);
    const sub = h.tbps(['pilot', 'submit', '--wms', 'slurm', '--site', SITE, '--count', '2', '--walltime', '20m', '--cpus', '1', '--memory', '1024', '--config', run.yaml]);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout.trim().split('\n')).toHaveLength(2);
    const submitted = pilotList();
    expect(submitted.map((p) => [p.wms, p.site])).toEqual([['slurm', SITE], ['slurm', SITE]]);
    expect(queueOf(submitted.map((p) => p.wmsId)).map((r) => r.name).sort()).toEqual(submitted.map((p) => `tbps-pilot.${p.pilotId}`).sort());

    const runDone = h.tbpsAsync(['submit', run.yaml, '--wait'], { timeoutMs: 600_000 });
    let ended: { code: number; stdout: string; stderr: string } | undefined;
    void runDone.then((r) => (ended = r));
    const started = () => lines(path.join(run.dir, 'started.txt')).map((l) => l.split(' '));
    const unfinished = () => {
      const done = new Set(lines(path.join(run.dir, 'done.txt')));
      return started().filter(([id, pilotId]) => !done.has(id) && pilotId);
    };
    await waitFor('both pilots running, one job done and one running', async () => {
      if (ended) throw new Error(`the run ended before the pilot was cancelled (exit ${ended.code}): ${ended.stdout}${ended.stderr}`);
      return pilotList().every((p) => p.state === 'RUNNING') && lines(path.join(run.dir, 'done.txt')).length >= 1 && unfinished().length >= 1;
    }, 240_000);
    const running = pilotList();
    expect(running.every((p) => p.host && p.startedAt && p.walltimeLeftSeconds! > 60 && p.walltimeLeftSeconds! <= 1200)).toBe(true);
    // Cancel a pilot while it runs a job (the one that started last: jobs take 25 s).
    const [victimJob, victimId] = unfinished().at(-1)!;
    const victim = running.find((p) => p.pilotId === victimId)!;
    const survivor = running.find((p) => p.pilotId !== victimId)!;
    expect(victim).toBeDefined();
    const cancel = h.tbps(['pilot', 'cancel', victim.pilotId]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`pilot ${victim.pilotId}`);

    const r = await runDone;
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const done = lines(path.join(run.dir, 'done.txt'));
    expect(done.length).toBe(run.quanta);
    expect(new Set(done).size).toBe(run.quanta);

    await withStore(h.home, async (store) => {
      const jobs = (await store.listJobs(run.runId, {}, 0, 1000)).jobs;
      expect(jobs.length).toBe(run.quanta + 2); // pipetaskInit and finalJob too
      for (const j of jobs) {
        expect(j.state, j.name).toBe('SUCCEEDED');
        const attempts = await store.attempts(run.runId, j.name);
        expect(attempts.filter((a) => a.state === 'SUCCEEDED'), j.name).toHaveLength(1);
      }
    });
    // The cancelled pilot's running job ran again on the other pilot, and only that run succeeded.
    const runsOfVictimJob = started().filter(([id]) => id === victimJob);
    expect(runsOfVictimJob.map(([, pilotId]) => pilotId)).toEqual([victim.pilotId, survivor.pilotId]);
    await withStore(h.home, async (store) => {
      const jobs = (await store.listJobs(run.runId, {}, 0, 1000)).jobs;
      const retried = [];
      for (const j of jobs) {
        const attempts = await store.attempts(run.runId, j.name);
        if (attempts.length > 1) retried.push(attempts.map((a) => a.state));
      }
      // Its attempt on the cancelled pilot did not succeed; the next one did.
      expect(retried.length).toBeGreaterThanOrEqual(1);
      for (const states of retried) expect(states.filter((st) => st === 'SUCCEEDED')).toEqual(['SUCCEEDED']);
    });

    await waitFor('the cancelled pilot to end in Slurm', async () => queueOf([victim.wmsId]).every((q) => q.state === 'CANCELLED'), 60_000);
    const after = pilotList();
    const byId = new Map(after.map((p) => [p.pilotId, p]));
    expect(byId.get(victim.pilotId)!.state).toBe('CANCELLED');
    expect(byId.get(survivor.pilotId)!.state).toBe('RUNNING');
    expect(after.reduce((n, p) => n + p.jobsRun, 0)).toBeGreaterThanOrEqual(run.quanta + 2);
    expect(byId.get(survivor.pilotId)!.jobsRun).toBeGreaterThan(0);
    const table = h.tbps(['pilot', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${victim.pilotId}\\s+slurm\\s+${victim.wmsId}\\s+${SITE}\\s+CANCELLED`));
    expect(table.stdout).toMatch(new RegExp(`${survivor.pilotId}\\s+slurm\\s+${survivor.wmsId}\\s+${SITE}\\s+RUNNING`));

    const rest = h.tbps(['pilot', 'cancel', '--site', SITE]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain(survivor.pilotId);
    await waitFor('the other pilot to end', async () => pilotList().every((p) => p.state === 'CANCELLED'), 60_000);
  }, 600_000);
});
