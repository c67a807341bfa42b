// The Slurm workload system against a real one-node cluster (scripts/setup-slurm.sh: Debian's slurm-wlm and munge,
// slurmctld and slurmd on localhost, job memory limited by cgroup v1 when the kernel allows): the controller's ping;
// a few hundred shell jobs with dependencies (sbatch --dependency=afterok) to SUCCEEDED, each run once in Slurm and
// started only after its parents ended; a payload failure (exit 1) not retried, its descendants cancelled in Slurm
// and PRUNED; restart submitting only what did not succeed; an infrastructure failure retried and an OUT_OF_MEMORY
// job resubmitted with the next attempt's memory; a job scancel'ed outside tbps retried; the planted-failure run of
// the local-executor and HTCondor tests, unchanged, with the same final report; the error classes deciding; a job
// sbatch refuses failing the run at once with sbatch's message; cancel scancelling the run's jobs. No executor
// worker runs: pipetaskInit and finalJob are Slurm jobs too.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import type { State } from '../../core/states.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { expectErrorClassOutcome, writeErrorClassRun } from '../helpers/errorClassRun.js';
import { expectPlantedReport, jobNamesByQuantum, writePlantedRun, type PlantedReport } from '../helpers/planted.js';
import { waitFor, withStore, SHELL_INIT_AND_FINAL } from '../helpers/runs.js';
import { slurmPlugin } from '../../wms/slurm/plugin.js';
import { ensureCluster, memoryEnforcement, queueOf, slurm, SLURM_PREFIX, submittedByNode, submittedIds, unitState } from '../helpers/slurmCluster.js';

let h: Harness;
let work: string;

beforeAll(() => {
  ensureCluster();
  h = createHarness('slurm');
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-slurm-work-'));
  h.env.TBPS_SLURM_PREFIX = SLURM_PREFIX;
  h.startOrchestrator(); // and no executor: every job of these runs must run in Slurm
}, 300_000);
afterAll(async () => {
  await h?.stopAll();
}, 120_000);

function writeRun(name: string, quanta: number, body: string[], extra: string[] = []) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(quanta));
  const graph = graphFromRecords(header, records);
  writeFileSync(path.join(dir, 'job.sh'), ['id="$1"; d="$(dirname "$0")"', ...body, 'exit 0', ''].join('\n'));
  writeFileSync(
    path.join(dir, 'submit.yaml'),
    [
      `payloadName: ${name}`,
      `outputRun: itest/${name}`,
      `uniqProcName: sl_${name}`,
      ...(extra.includes('#wms-from-cli') ? [] : ['wmsServiceClass: slurm']),
      `submitPath: ${path.join(dir, 'submit')}`,
      `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
      ...(extra.some((l) => l.startsWith('requestMemory:')) ? [] : ['requestMemory: 64']),
      'numberOfRetries: 2',
      'wmsPollSeconds: 2',
      ...SHELL_INIT_AND_FINAL,
      ...extra,
      '',
    ].join('\n'),
  );
  return { dir, graph, header, records, submit: path.join(dir, 'submit'), write: () => writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, records) };
}

/** Every first-attempt Slurm id of a run's batches, pipetaskInit and finalJob. */
function allSubmitted(submitPath: string): string[] {
  const out: string[] = [];
  for (let b = 0; existsSync(path.join(submitPath, 'slurm', `batch_${b}`, 'current')); b++) out.push(...submittedIds(submitPath, `batch_${b}`));
  return out;
}

type Report = { run: { state: State }; labels: Array<{ label: string; counts: Record<State, number>; expected: number }> };

describe('Slurm WMS on a real one-node cluster', () => {
  it('pings the controller, and says what failed when there is none', async () => {
    const up = await slurmPlugin.forPing({ ...process.env, TBPS_SLURM_PREFIX: SLURM_PREFIX }).ping();
    expect(up).toEqual({ ok: true, detail: expect.stringMatching(/^Slurmctld\(primary\) at \S+ is UP$/) });
    const conf = path.join(work, 'no-controller.conf');
    writeFileSync(conf, 'ClusterName=none\nSlurmctldHost=localhost(127.0.0.1)\nSlurmctldPort=9\nAuthType=auth/none\nNodeName=x\nPartitionName=p Nodes=x\n');
    const down = await slurmPlugin.forPing({ PATH: process.env.PATH, SLURM_CONF: conf }).ping();
    expect(down.ok).toBe(false);
    expect(down.detail).toMatch(/DOWN|failed|error/i);
  }, 120_000);

  it('runs a few hundred jobs with afterok dependencies to SUCCEEDED; each ran once in Slurm, after its parents', async () => {
    const r0 = writeRun('ok', 200, ['test -n "$TBPS_ATTEMPT" || exit 3', 'test -n "$SLURM_JOB_ID" || exit 4'], ['jobBatchSize: 80']);
    await r0.write();
    expect(r0.graph.size).toBeGreaterThanOrEqual(150);
    const r = await h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(h.tbps(['report', '--id', 'sl_ok', '--json']).stdout) as Report;
    expect(rep.run.state).toBe('SUCCEEDED');
    let payload = 0;
    for (const l of rep.labels) {
      expect(l.counts.SUCCEEDED).toBe(l.expected);
      if (l.label !== 'pipetaskInit' && l.label !== 'finalJob') payload += l.counts.SUCCEEDED;
    }
    expect(payload).toBe(r0.graph.size);
    // In Slurm: one COMPLETED job per payload job, in several batches; pipetaskInit and finalJob ran there too.
    const ids = allSubmitted(r0.submit);
    expect(ids.length).toBe(payload);
    expect(existsSync(path.join(r0.submit, 'slurm', 'batch_2', 'current'))).toBe(true);
    const rows = queueOf(ids);
    expect(rows.length).toBe(payload);
    expect(rows.every((j) => j.state === 'COMPLETED' && j.name.startsWith('sl_ok.'))).toBe(true);
    const units = queueOf([...submittedIds(r0.submit, 'pipetaskInit'), ...submittedIds(r0.submit, 'finalJob')]);
    expect(units.map((u) => u.state)).toEqual(['COMPLETED', 'COMPLETED']);
    // Dependencies: every job of a batch started after its parents in that batch ended (Slurm's times, in seconds).
    const state = unitState(r0.submit, 'batch_0');
    const withParents = state.nodes.filter((n) => n.parents.length > 0);
    expect(withParents.length).toBeGreaterThan(10);
    await withStore(h.home, async (s) => {
      for (const n of withParents.slice(0, 40)) {
        const [child] = await s.attempts('sl_ok', n.name);
        for (const p of n.parents) {
          const [parent] = await s.attempts('sl_ok', state.nodes[p].name);
          expect(Date.parse(child.startedAt!)).toBeGreaterThanOrEqual(Date.parse(parent.endedAt!));
        }
      }
      const j = (await s.jobsByState('sl_ok', 'SUCCEEDED', 10)).find((x) => x.kind === 'payload')!;
      const att = await s.attempts('sl_ok', j.name);
      expect(att.map((a) => [a.attempt, a.state, a.exitCode, a.memoryMb])).toEqual([[1, 'SUCCEEDED', 0, 64]]);
      expect(att[0].host).toBe(os.hostname());
      expect(att[0].peakRssMb).toBeGreaterThan(0);
      expect(existsSync(att[0].logPath!)).toBe(true);
    });
  }, 900_000);

  it('does not retry a payload failure (exit 1); its descendants are cancelled in Slurm and PRUNED', async () => {
    const r0 = writeRun('fail', 60, ['if grep -qx "$id" "$d/fail.txt"; then echo "ValueError: planted failure in $id" >&2; exit 1; fi']);
    const fail = [...Array(r0.graph.size).keys()].find((i) => r0.graph.label(i) === 'calibrate')!;
    const failId = r0.graph.id(fail);
    const pruned = new Set<number>();
    const stack = [...r0.graph.children(fail)];
    while (stack.length) {
      const i = stack.pop()!;
      if (pruned.has(i)) continue;
      pruned.add(i);
      stack.push(...r0.graph.children(i));
    }
    expect(pruned.size).toBeGreaterThan(0);
    writeFileSync(path.join(r0.dir, 'fail.txt'), `${failId}\n`);
    await r0.write();
    const r = await h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ValueError: planted failure');
    const rep = JSON.parse(h.tbps(['report', '--id', 'sl_fail', '--json']).stdout) as Report;
    expect(rep.run.state).toBe('FAILED');
    const tot = { SUCCEEDED: 0, FAILED: 0, PRUNED: 0 };
    for (const l of rep.labels) for (const k of Object.keys(tot) as Array<keyof typeof tot>) tot[k] += l.counts[k];
    expect(tot).toEqual({ SUCCEEDED: r0.graph.size - 1 - pruned.size + 2, FAILED: 1, PRUNED: pruned.size });
    await withStore(h.home, async (s) => {
      const failed = await s.jobsByState('sl_fail', 'FAILED', 10);
      expect(failed.length).toBe(1);
      const att = await s.attempts('sl_fail', failed[0].name);
      expect(att.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'python:ValueError']]);
      expect(att[0].errorSummary).toBe(`ValueError: planted failure in ${failId}`);
    });
    // In Slurm: the failed job ran once; the descendants, still waiting on it, were cancelled without running.
    const state = unitState(r0.submit, 'batch_0');
    const byPhase = (p: string) => state.nodes.filter((n) => n.phase === p);
    expect(byPhase('failed').map((n) => n.attempt)).toEqual([1]);
    expect(byPhase('pruned').length).toBe(pruned.size);
    const rows = queueOf(byPhase('pruned').map((n) => n.id!));
    expect(rows.length).toBe(pruned.size);
    expect(rows.every((j) => j.state === 'CANCELLED')).toBe(true);
  }, 900_000);

  it('restart submits only the failed and pruned jobs', async () => {
    const dir = path.join(work, 'fail');
    writeFileSync(path.join(dir, 'fail.txt'), '');
    const before = await withStore(h.home, async (s) => new Set((await s.jobsByState('sl_fail', 'SUCCEEDED', 100_000)).filter((j) => j.kind === 'payload').map((j) => j.name)));
    const r = await h.tbpsAsync(['restart', '--id', 'sl_fail', '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const submit = path.join(dir, 'submit');
    const state = unitState(submit, 'batch_0');
    expect(path.basename(state.dir)).toBe('try2');
    await withStore(h.home, async (s) => {
      const counts = await s.stateCounts('sl_fail');
      expect(counts.FAILED + counts.PRUNED).toBe(0);
      const payload = (await s.jobsByState('sl_fail', 'SUCCEEDED', 100_000)).filter((j) => j.kind === 'payload');
      expect(state.nodes.length).toBe(payload.length - before.size);
      expect(state.nodes.every((n) => !before.has(n.name) && n.phase === 'succeeded')).toBe(true);
      // The restarted job's attempts continue its history: attempt 2 after the failed attempt 1.
      const failed = state.nodes.find((n) => n.parents.length === 0 && n.children.length > 0)!;
      expect((await s.attempts('sl_fail', failed.name)).map((a) => [a.attempt, a.state])).toEqual([
        [1, 'FAILED'],
        [2, 'SUCCEEDED'],
      ]);
    });
    expect(queueOf(submittedIds(submit, 'batch_0')).every((j) => j.state === 'COMPLETED')).toBe(true);
  }, 900_000);

  it('retries an infrastructure failure, and resubmits an OUT_OF_MEMORY job with the next attempt memory', async () => {
    const r0 = writeRun('retry', 12, [
      'if grep -qx "$id" "$d/flaky.txt" && [ "$TBPS_ATTEMPT" = 1 ]; then echo "RuntimeError: node lost" >&2; exit 3; fi',
      `if grep -qx "$id" "$d/oom.txt"; then python3 -c "import time; b=b'x'*(300<<20); time.sleep(2)"; fi`,
    ], ['memoryMultiplier: 2', 'memoryLimit: 1000', 'requestMemory: 200']);
    const ids = [...Array(r0.graph.size).keys()].map((i) => r0.graph.id(i));
    writeFileSync(path.join(r0.dir, 'flaky.txt'), `${ids[1]}\n`);
    writeFileSync(path.join(r0.dir, 'oom.txt'), `${ids[2]}\n`);
    await r0.write();
    const r = await h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const jobsText = readFileSync(path.join(r0.submit, 'generic_workflow', 'jobs.jsonl'), 'utf8').split('\n');
    const jobOf = (qid: string) => (JSON.parse(jobsText.find((l) => l.includes(qid))!) as { name: string }).name;
    await withStore(h.home, async (s) => {
      const flaky = await s.attempts('sl_retry', jobOf(ids[1]));
      expect(flaky.map((a) => [a.state, a.exitCode, a.errorClass, a.memoryMb])).toEqual([
        ['READY', 3, 'python:RuntimeError', 200],
        ['SUCCEEDED', 0, null, 400],
      ]);
      expect(flaky[0].errorSummary).toBe('RuntimeError: node lost');
      const oom = await s.attempts('sl_retry', jobOf(ids[2]));
      if (memoryEnforcement() === 'cgroup') {
        expect(oom.map((a) => [a.state, a.memoryMb, a.errorClass])).toEqual([
          ['READY', 200, 'out_of_memory'],
          ['SUCCEEDED', 400, null],
        ]);
        expect(oom[0].errorSummary).toMatch(/^out of memory: Slurm killed the job at its --mem limit/);
        expect(oom[1].peakRssMb).toBeGreaterThan(250);
      } else expect(oom.at(-1)!.state).toBe('SUCCEEDED');
    });
    // Slurm's record of the OOM job: the first attempt OUT_OF_MEMORY with --mem 200M, the resubmission 400M.
    const nodes = unitState(r0.submit, 'batch_0').nodes;
    const index = nodes.findIndex((n) => n.name === jobOf(ids[2]));
    const first = submittedByNode(r0.submit, 'batch_0').get(index)!;
    const node = nodes[index];
    expect(slurm(['squeue', '--noheader', '--states=all', `--jobs=${first},${node.id}`, '--format=%T|%m']).trim().split('\n').map((l) => l.trim()).sort()).toEqual(
      memoryEnforcement() === 'cgroup' ? ['COMPLETED|400M', 'OUT_OF_MEMORY|200M'] : ['COMPLETED|200M'],
    );
  }, 900_000);

  it('retries a job scancel-ed in Slurm outside tbps as an infrastructure failure', async () => {
    const r0 = writeRun('scancel', 6, ['if grep -qx "$id" "$d/slow.txt" && [ "$TBPS_ATTEMPT" = 1 ]; then sleep 120; fi']);
    const slowId = r0.graph.id(0);
    writeFileSync(path.join(r0.dir, 'slow.txt'), `${slowId}\n`);
    await r0.write();
    const sub = h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    const jobsFile = path.join(r0.submit, 'generic_workflow', 'jobs.jsonl');
    await waitFor('the slow job running in Slurm', async () => {
      if (!existsSync(path.join(r0.submit, 'slurm', 'batch_0', 'current'))) return false;
      const name = (JSON.parse(readFileSync(jobsFile, 'utf8').split('\n').find((l) => l.includes(slowId))!) as { name: string }).name;
      return unitState(r0.submit, 'batch_0').nodes.some((n) => n.name === name && n.phase === 'running');
    }, 300_000);
    const name = (JSON.parse(readFileSync(jobsFile, 'utf8').split('\n').find((l) => l.includes(slowId))!) as { name: string }).name;
    const slow = unitState(r0.submit, 'batch_0').nodes.find((n) => n.name === name)!;
    slurm(['scancel', slow.id!]);
    const r = await sub;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await withStore(h.home, async (s) => {
      const att = await s.attempts('sl_scancel', name);
      expect(att.map((a) => [a.state, a.errorClass])).toEqual([
        ['READY', 'infrastructure'],
        ['SUCCEEDED', null],
      ]);
      expect(att[0].errorSummary).toBe('cancelled in Slurm outside tbps (scancel)');
    });
  }, 600_000);

  it('runs the planted-failure run of the local tests unchanged, with the same final report', async () => {
    const p = await writePlantedRun(path.join(work, 'planted'), 'sl_planted');
    chmodSync(p.dir, 0o755);
    const r = await h.tbpsAsync(['submit', p.config, '--wms-service-class', 'slurm', '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ValueError: planted failure');
    expectPlantedReport(p, JSON.parse(h.tbps(['report', '--id', 'sl_planted', '--json']).stdout) as PlantedReport);
    const jobOf = await jobNamesByQuantum(p);
    await withStore(h.home, async (s) => {
      const failAtt = await s.attempts('sl_planted', jobOf(p.failId));
      expect(failAtt.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'python:ValueError']]);
      expect(failAtt[0].errorSummary).toBe(`ValueError: planted failure in ${p.failId}`);
      // SIGKILL: an infrastructure failure, resubmitted with the next attempt's memory, then succeeded.
      const killAtt = await s.attempts('sl_planted', jobOf(p.killId));
      expect(killAtt.map((a) => [a.state, a.signal, a.memoryMb])).toEqual([
        ['READY', 'SIGKILL', 200],
        ['SUCCEEDED', null, 400],
      ]);
      expect(readFileSync(killAtt[1].logPath!, 'utf8')).toContain('attempt 2 memory 400');
      const oomAtt = await s.attempts('sl_planted', jobOf(p.oomId));
      expect(oomAtt.at(-1)!.state).toBe('SUCCEEDED');
      if (memoryEnforcement() === 'cgroup') expect(oomAtt.map((a) => [a.state, a.memoryMb, a.errorClass])).toEqual([['READY', 200, 'out_of_memory'], ['SUCCEEDED', 400, null]]);
    });
  }, 1_800_000);

  it('decides retries with the error classes: a retry class resubmitted, a fail class not', async () => {
    const r = await writeErrorClassRun(path.join(work, 'errclass'), 'sl_errclass', ['wmsServiceClass: slurm', 'wmsPollSeconds: 2']);
    const sub = await h.tbpsAsync(['submit', r.config, '--wait']);
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(1);
    await withStore(h.home, (s) => expectErrorClassOutcome(r, s));
    const rep = h.tbps(['report', '--id', r.runId, '--errors']);
    expect(rep.stdout).toMatch(/^ {2}no_calib {2}1$/m);
  }, 600_000);

  it('a job the cluster refuses (a partition it does not have) fails the run at once with sbatch\'s message', async () => {
    const r0 = writeRun('refused', 30, []);
    // calibrate jobs ask for a partition the cluster does not have (in the `pipetask:` section the run already has).
    const yaml = readFileSync(path.join(r0.dir, 'submit.yaml'), 'utf8');
    expect(yaml).toContain('\npipetask:\n');
    writeFileSync(path.join(r0.dir, 'submit.yaml'), yaml.replace('\npipetask:\n', '\npipetask:\n  calibrate:\n    queue: nosuch\n'));
    await r0.write();
    const t0 = Date.now();
    const r = await h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(180_000); // not retried for minutes
    await withStore(h.home, async (s) => {
      const run = await s.getRun('sl_refused');
      expect(run?.state).toBe('FAILED');
      expect(run?.message).toMatch(/sbatch refused job \S*calibrate_\S+ \(attempt 1, 64 MiB, 1 CPUs, partition nosuch\): sbatch: error: invalid partition specified: nosuch$/);
    });
    // What the batch had submitted before the refusal was cancelled, not left to run unwatched.
    const ids = submittedIds(r0.submit, 'batch_0');
    expect(ids.length).toBeGreaterThan(0);
    // (a job scancelled a moment ago may still be COMPLETING while its step is torn down: give it until it leaves)
    await expect
      .poll(() => queueOf(ids).filter((j) => ['PENDING', 'RUNNING', 'COMPLETING'].includes(j.state)), { timeout: 60_000, interval: 1000 })
      .toEqual([]);
  }, 600_000);

  it('cancel scancels the run jobs in Slurm and ends the run DELETED', async () => {
    const r0 = writeRun('cancel', 40, ['sleep 120'], ['#wms-from-cli']);
    await r0.write();
    const sub = h.tbps(['submit', path.join(r0.dir, 'submit.yaml'), '--wms-service-class', 'slurm']);
    expect(sub.code).toBe(0);
    await waitFor('a payload job running in Slurm', async () => withStore(h.home, async (s) => (await s.jobsByState('sl_cancel', 'RUNNING', 10)).some((j) => j.kind === 'payload')), 300_000);
    const ids = submittedIds(r0.submit, 'batch_0');
    expect(queueOf(ids).some((j) => j.state === 'RUNNING')).toBe(true);
    const c = h.tbps(['cancel', '--id', 'sl_cancel', '--wait']);
    expect(c.code).not.toBe(2);
    await waitFor('the run to end', async () => withStore(h.home, async (s) => (await s.getRun('sl_cancel'))?.state === 'DELETED'), 300_000);
    const rows = queueOf(ids);
    expect(rows.length).toBe(ids.length);
    expect(rows.filter((j) => ['PENDING', 'RUNNING', 'COMPLETING'].includes(j.state))).toEqual([]);
    expect(rows.some((j) => j.state === 'CANCELLED')).toBe(true);
    await withStore(h.home, async (s) => {
      const counts = await s.stateCounts('sl_cancel');
      expect(counts.RUNNING + counts.PENDING + counts.HELD + counts.READY).toBe(0);
      expect(counts.DELETED).toBeGreaterThan(0);
      const running = (await s.jobsByState('sl_cancel', 'DELETED', 100)).find((j) => j.attempts > 0)!;
      expect((await s.attempts('sl_cancel', running.name)).map((a) => [a.state, a.errorClass])).toEqual([['DELETED', 'cancelled']]);
    });
  }, 900_000);
});
