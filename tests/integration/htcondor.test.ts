// The HTCondor workload system against a real personal pool (scripts/setup-htcondor.sh: a Debian trixie chroot
// with condor, jobs run as the non-root user tbpsuser): a DAG of a few hundred shell jobs with dependencies to
// SUCCEEDED with counts equal to condor_history; a payload failure (exit 1) not retried, its descendants PRUNED;
// cancel removing the DAG; a job killed by SIGKILL held, released with more memory, succeeding; the planted-failure
// run of the local-executor tests, unchanged, with the same final report. No executor worker runs: pipetaskInit
// and finalJob are DAGs in the pool too (finalJob as a FINAL node).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import type { State } from '../../core/states.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { batchDagIds, condor, dagId, ensurePool, historyOf, POOL_PREFIX } from '../helpers/htcondorPool.js';
import { expectErrorClassOutcome, writeErrorClassRun } from '../helpers/errorClassRun.js';
import { expectPlantedReport, jobNamesByQuantum, writePlantedRun, type PlantedReport } from '../helpers/planted.js';
import { waitFor, withStore, SHELL_INIT_AND_FINAL } from '../helpers/runs.js';

let h: Harness;
/** The runs' directories: outside the data directory (TBPS_HOME, 0700), reachable by the pool's user. */
let work: string;

beforeAll(() => {
  ensurePool();
  h = createHarness('htcondor');
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-htcondor-work-'));
  chmodSync(work, 0o755); // the jobs run as tbpsuser and must reach the submit directories (shared through the group tbps)
  h.env.TBPS_HTCONDOR_PREFIX = POOL_PREFIX;
  h.startOrchestrator(); // and no executor: every job of these runs must run in the pool
}, 300_000);
afterAll(async () => {
  await h?.stopAll();
}, 120_000);

function writeRun(name: string, quanta: number, body: string[], extra: string[] = []) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(quanta));
  const graph = graphFromRecords(header, records);
  writeFileSync(path.join(dir, 'job.sh'), ['id="$1"; d="$(dirname "$0")"', ...body, 'exit 0', ''].join('\n'));
  writeFileSync(
    path.join(dir, 'submit.yaml'),
    [
      `payloadName: ${name}`,
      `outputRun: itest/${name}`,
      `uniqProcName: hc_${name}`,
      ...(extra.includes('#wms-from-cli') ? [] : ['wmsServiceClass: lsst.ctrl.bps.htcondor.HTCondorService']),
      `submitPath: ${path.join(dir, 'submit')}`,
      `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
      ...(extra.some((l) => l.startsWith('requestMemory:')) ? [] : ['requestMemory: 64']),
      'numberOfRetries: 2',
      'htcondorPollSeconds: 2',
      ...SHELL_INIT_AND_FINAL,
      ...extra,
      '',
    ].join('\n'),
  );
  return { dir, graph, header, records, write: () => writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, records) };
}

function wmsIds(dir: string): string[] {
  return batchDagIds(path.join(dir, 'submit'));
}

type Report = { run: { state: State }; labels: Array<{ label: string; counts: Record<State, number>; expected: number }> };

describe('HTCondor WMS on a real personal pool', () => {
  it('runs a DAG of a few hundred jobs with dependencies to SUCCEEDED; counts equal condor_history', async () => {
    // Batches of at most 100 jobs: several DAGs, started as their upstream batches end.
    const r0 = writeRun('ok', 300, ['test -n "$TBPS_ATTEMPT" || exit 3', '[ "$(id -un)" = tbpsuser ] || exit 4'], ['jobBatchSize: 100']);
    await r0.write();
    expect(r0.graph.size).toBeGreaterThanOrEqual(250);
    const r = await h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(h.tbps(['report', '--id', 'hc_ok', '--json']).stdout) as Report;
    expect(rep.run.state).toBe('SUCCEEDED');
    let payloadSucceeded = 0;
    for (const l of rep.labels) {
      expect(l.counts.SUCCEEDED).toBe(l.expected);
      if (l.label !== 'pipetaskInit' && l.label !== 'finalJob') payloadSucceeded += l.counts.SUCCEEDED;
    }
    expect(payloadSucceeded).toBe(r0.graph.size);
    // condor_history: one completed job per payload job, exit 0, ran once.
    const ids = wmsIds(r0.dir);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const hist = historyOf<{ ExitCode: number; JobStatus: number; NumJobStarts: number; bps_job_name: string; bps_run: string }>(ids, 'ExitCode,JobStatus,NumJobStarts,bps_job_name,bps_run');
    expect(hist.length).toBe(payloadSucceeded);
    expect(hist.every((j) => j.ExitCode === 0 && j.JobStatus === 4 && j.bps_run === 'hc_ok')).toBe(true);
    expect(new Set(hist.map((j) => j.bps_job_name)).size).toBe(payloadSucceeded);
    // pipetaskInit and finalJob ran in the pool as DAGs of their own, finalJob as a FINAL node.
    const unitDag = (job: string) => path.join(r0.dir, 'submit', 'htcondor', job, 'try1', `${job}.dag`);
    expect(readFileSync(unitDag('pipetaskInit'), 'utf8')).toMatch(/^JOB pipetaskInit /m);
    expect(readFileSync(unitDag('finalJob'), 'utf8')).toMatch(/^FINAL finalJob /m);
    const units = historyOf<{ bps_job_label: string; ExitCode: number }>(['pipetaskInit', 'finalJob'].map((u) => dagId(path.join(r0.dir, 'submit'), u)), 'bps_job_label,ExitCode');
    expect(units.map((u) => [u.bps_job_label, u.ExitCode]).sort()).toEqual([['finalJob', 0], ['pipetaskInit', 0]]);
    // Attempts recorded: one per job, with host and log path.
    await withStore(h.home, async (s) => {
      const j = (await s.jobsByState('hc_ok', 'SUCCEEDED', 10)).find((x) => x.kind === 'payload')!;
      const att = await s.attempts('hc_ok', j.name);
      expect(att.map((a) => [a.attempt, a.state, a.exitCode])).toEqual([[1, 'SUCCEEDED', 0]]);
      expect(att[0].host).toBeTruthy();
      expect(existsSync(att[0].logPath!)).toBe(true);
    });
  }, 900_000);

  it('submits a prepared run with the DAG and submit files tbps prepare wrote, unchanged', async () => {
    const r0 = writeRun('prepared', 80, ['[ "$(id -un)" = tbpsuser ] || exit 4'], ['jobBatchSize: 30']);
    await r0.write();
    const prep = h.tbps(['prepare', path.join(r0.dir, 'submit.yaml')]);
    expect(prep.stderr).toBe('');
    expect(prep.code, prep.stdout).toBe(0);
    const submit = path.join(r0.dir, 'submit');
    const units = (JSON.parse(readFileSync(path.join(submit, 'tbps_prepared.json'), 'utf8')) as { wmsUnits: string[] }).wmsUnits;
    expect(units.length).toBeGreaterThanOrEqual(4); // pipetaskInit, two or more batches, finalJob
    // What prepare wrote (poll.json is the poll's own state and changes): contents by path.
    const written = (): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const unit of units) {
        const dir = path.join(submit, unit);
        for (const f of [...readdirSync(dir), ...readdirSync(path.join(dir, 'jobs')).map((j) => `jobs/${j}`)])
          if (f !== 'poll.json' && f !== 'jobs' && statSync(path.join(dir, f)).isFile()) out[`${unit}/${f}`] = readFileSync(path.join(dir, f), 'utf8');
      }
      return out;
    };
    const before = written();
    expect(Object.keys(before).filter((f) => f.endsWith('.sub')).length).toBeGreaterThan(40);
    const r = await h.tbpsAsync(['submit', submit, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('(as prepared)');
    const rep = JSON.parse(h.tbps(['report', '--id', 'hc_prepared', '--json']).stdout) as Report;
    expect(rep.run.state).toBe('SUCCEEDED');
    // Every unit was submitted from the directory prepare made (try1, nothing rewritten, no second try) ...
    for (const unit of units) {
      expect(path.basename(unit)).toBe('try1');
      expect(existsSync(path.join(submit, path.dirname(unit), 'try2'))).toBe(false);
      expect(readFileSync(path.join(submit, unit, 'wms_id'), 'utf8').trim()).toMatch(/^\d+$/);
    }
    const after = written();
    for (const [f, text] of Object.entries(before)) expect(after[f], f).toBe(text);
    // ... and the pool ran each job of those DAGs once.
    const hist = historyOf<{ bps_job_name: string; ExitCode: number }>(units.map((u) => readFileSync(path.join(submit, u, 'wms_id'), 'utf8').trim()), 'bps_job_name,ExitCode');
    expect(hist.length).toBe(r0.graph.size + 2); // one execution per job: every quantum, pipetaskInit, finalJob
    expect(new Set(hist.map((j) => j.bps_job_name)).size).toBe(hist.length);
    expect(hist.every((j) => j.ExitCode === 0)).toBe(true);
  }, 900_000);

  it('does not retry a payload failure (exit 1) and prunes its descendants', async () => {
    const r0 = writeRun('fail', 60, ['if grep -qx "$id" "$d/fail.txt"; then echo "ValueError: planted failure in $id" >&2; exit 1; fi']);
    const byLabel = (l: string) => [...Array(r0.graph.size).keys()].filter((i) => r0.graph.label(i) === l);
    const fail = byLabel('calibrate')[0];
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
    const rep = JSON.parse(h.tbps(['report', '--id', 'hc_fail', '--json']).stdout) as Report;
    expect(rep.run.state).toBe('FAILED');
    const tot = { SUCCEEDED: 0, FAILED: 0, PRUNED: 0 };
    for (const l of rep.labels) for (const k of Object.keys(tot) as Array<keyof typeof tot>) tot[k] += l.counts[k];
    expect(tot).toEqual({ SUCCEEDED: r0.graph.size - 1 - pruned.size + 2, FAILED: 1, PRUNED: pruned.size });
    await withStore(h.home, async (s) => {
      const failed = await s.jobsByState('hc_fail', 'FAILED', 10);
      expect(failed.length).toBe(1);
      const att = await s.attempts('hc_fail', failed[0].name);
      expect(att.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'python:ValueError']]); // not retried (class without an action: exit 1 is in retryUnlessExit)
      expect(att[0].errorSummary).toBe(`ValueError: planted failure in ${failId}`);
    });
    const id = wmsIds(r0.dir)[0];
    const hist = JSON.parse(condor(['condor_history', '-constraint', `DAGManJobId == ${id} && ExitCode == 1`, '-json', '-attributes', 'NumJobStarts,bps_job_name'])) as Array<{ NumJobStarts: number }>;
    expect(hist.map((j) => j.NumJobStarts)).toEqual([1]);
  }, 900_000);

  it('restart resubmits the DAG with its rescue file: only the failed and pruned jobs run', async () => {
    const dir = path.join(work, 'fail');
    writeFileSync(path.join(dir, 'fail.txt'), '');
    const before = await withStore(h.home, async (s) => new Set((await s.jobsByState('hc_fail', 'SUCCEEDED', 100_000)).filter((j) => j.kind === 'payload').map((j) => j.name)));
    const r = await h.tbpsAsync(['restart', '--id', 'hc_fail', '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ids = readFileSync(path.join(dir, 'submit', 'htcondor', 'batch_0', 'current'), 'utf8').trim();
    expect(ids).toBe('try2');
    const try2 = path.join(dir, 'submit', 'htcondor', 'batch_0', 'try2');
    // The previous DAG resubmitted with DAGMan's rescue file: the nodes it marks DONE were skipped.
    expect(readFileSync(path.join(try2, 'rescue'), 'utf8')).toBe('batch_0.dag.rescue001');
    expect(readFileSync(path.join(try2, 'batch_0.dag.dagman.out'), 'utf8')).toContain('batch_0.dag.rescue001');
    const id = readFileSync(path.join(try2, 'wms_id'), 'utf8').trim();
    const hist = JSON.parse(condor(['condor_history', '-constraint', `DAGManJobId == ${id}`, '-json', '-attributes', 'bps_job_name,ExitCode'])) as Array<{ bps_job_name: string; ExitCode: number }>;
    await withStore(h.home, async (s) => {
      const counts = await s.stateCounts('hc_fail');
      expect(counts.FAILED + counts.PRUNED).toBe(0);
      const payload = (await s.jobsByState('hc_fail', 'SUCCEEDED', 100_000)).filter((j) => j.kind === 'payload');
      // Only what had not succeeded ran in the new DAG.
      expect(hist.length).toBe(payload.length - before.size);
      expect(hist.every((j) => !before.has(j.bps_job_name) && j.ExitCode === 0)).toBe(true);
    });
  }, 900_000);

  it('retries an infrastructure failure and escalates memory after an out-of-memory hold', async () => {
    const r0 = writeRun('retry', 12, [
      'if grep -qx "$id" "$d/flaky.txt" && [ "$TBPS_ATTEMPT" = 1 ]; then echo "RuntimeError: node lost" >&2; exit 3; fi',
      `if grep -qx "$id" "$d/oom.txt" && [ "$TBPS_MEMORY_MB" -lt 300 ]; then python3 -c "import time; b=b'x'*(300<<20); time.sleep(60)"; fi`,
    ], ['memoryMultiplier: 2', 'memoryLimit: 1000', 'requestMemory: 200']);
    const ids = [...Array(r0.graph.size).keys()].map((i) => r0.graph.id(i));
    writeFileSync(path.join(r0.dir, 'flaky.txt'), `${ids[1]}\n`);
    writeFileSync(path.join(r0.dir, 'oom.txt'), `${ids[2]}\n`);
    await r0.write();
    const r = await h.tbpsAsync(['submit', path.join(r0.dir, 'submit.yaml'), '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await withStore(h.home, async (s) => {
      const all = await s.jobsByState('hc_retry', 'SUCCEEDED', 1000);
      const jobOf = (qid: string) => all.find((j) => readFileSync(path.join(r0.dir, 'submit', 'generic_workflow', 'jobs.jsonl'), 'utf8').split('\n').some((l) => l.includes(`"name":"${j.name}"`) && l.includes(qid)))!;
      const flaky = await s.attempts('hc_retry', jobOf(ids[1]).name);
      expect(flaky.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([
        // Named by the default Python-exception class; it has no action, so exit 3 (not in retryUnlessExit) is retried.
        ['READY', 3, 'python:RuntimeError'],
        ['SUCCEEDED', 0, null],
      ]);
      expect(flaky[0].errorSummary).toBe('RuntimeError: node lost');
      const oom = await s.attempts('hc_retry', jobOf(ids[2]).name);
      expect(oom.map((a) => [a.state, a.memoryMb, a.errorClass])).toEqual([
        ['HELD', 200, 'out_of_memory'],
        ['SUCCEEDED', 400, null],
      ]);
    });
  }, 900_000);

  it('runs the planted-failure run of the local tests unchanged, with the same final report', async () => {
    const p = await writePlantedRun(path.join(work, 'planted'), 'hc_planted');
    chmodSync(p.dir, 0o755);
    const r = await h.tbpsAsync(['submit', p.config, '--wms-service-class', 'htcondor', '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ValueError: planted failure');
    expectPlantedReport(p, JSON.parse(h.tbps(['report', '--id', 'hc_planted', '--json']).stdout) as PlantedReport);
    const jobOf = await jobNamesByQuantum(p);
    await withStore(h.home, async (s) => {
      const failAtt = await s.attempts('hc_planted', jobOf(p.failId));
      expect(failAtt.map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'python:ValueError']]); // not retried (class without an action: exit 1 is in retryUnlessExit)
      expect(failAtt[0].errorSummary).toBe(`ValueError: planted failure in ${p.failId}`);
      // SIGKILL: held, released with the next attempt's memory, then succeeded.
      const killAtt = await s.attempts('hc_planted', jobOf(p.killId));
      expect(killAtt.map((a) => [a.state, a.signal, a.memoryMb])).toEqual([
        ['HELD', 'SIGKILL', 200],
        ['SUCCEEDED', null, 400],
      ]);
      expect(killAtt[0].errorSummary).toContain('killed by signal 9');
      // The memory the pool gave the second attempt (TBPS_MEMORY_MB is RequestMemory at match time).
      expect(readFileSync(killAtt[1].logPath!, 'utf8')).toContain('attempt 2 memory 400');
      expect((await s.attempts('hc_planted', jobOf(p.oomId))).at(-1)!.state).toBe('SUCCEEDED');
    });
  }, 900_000);

  it('decides retries with the error classes: a retry class released from its exit hold, a fail class removed', async () => {
    const r = await writeErrorClassRun(path.join(work, 'errclass'), 'hc_errclass', ['wmsServiceClass: htcondor', 'htcondorPollSeconds: 2']);
    const sub = await h.tbpsAsync(['submit', r.config, '--wait']);
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(1);
    await withStore(h.home, (s) => expectErrorClassOutcome(r, s));
    // In the pool: the flaky job started twice and ended with exit 0; the fatal one started once and was removed
    // by tbps's decision (not retried by HTCondor although 3 is not in retryUnlessExit).
    const hist = historyOf<{ bps_job_name: string; NumJobStarts: number; JobStatus: number; ExitCode?: number; RemoveReason?: string }>(
      wmsIds(r.dir),
      'bps_job_name,NumJobStarts,JobStatus,ExitCode,RemoveReason',
    );
    expect(hist.length).toBeGreaterThan(0);
    const removed = hist.filter((j) => j.JobStatus === 3);
    expect(removed.length).toBe(1);
    expect(removed[0].NumJobStarts).toBe(1);
    expect(removed[0].RemoveReason).toMatch(/^tbps: error class no_calib: fail/);
    const restarted = hist.filter((j) => j.NumJobStarts === 2);
    expect(restarted.map((j) => [j.JobStatus, j.ExitCode])).toEqual([[4, 0]]);
    const rep = h.tbps(['report', '--id', r.runId, '--errors']);
    expect(rep.stdout).toMatch(/^ {2}no_calib {2}1$/m);
  }, 600_000);

  it('cancel removes the DAG from the pool and ends the run DELETED', async () => {
    const r0 = writeRun('cancel', 40, ['sleep 120'], ['#wms-from-cli']);
    await r0.write();
    const sub = h.tbps(['submit', path.join(r0.dir, 'submit.yaml'), '--wms-service-class', 'htcondor']);
    expect(sub.code).toBe(0);
    // A payload job (pipetaskInit runs in the pool too, before the batch DAG exists).
    await waitFor('a payload job running in the pool', async () => withStore(h.home, async (s) => (await s.jobsByState('hc_cancel', 'RUNNING', 10)).some((j) => j.kind === 'payload')), 300_000);
    const id = wmsIds(r0.dir)[0];
    expect(condor(['condor_q', id, '-af', 'JobStatus']).trim()).not.toBe('');
    const c = h.tbps(['cancel', '--id', 'hc_cancel', '--wait']);
    expect(c.code).not.toBe(2);
    await waitFor('the run to end', async () => withStore(h.home, async (s) => (await s.getRun('hc_cancel'))?.state === 'DELETED'), 300_000);
    expect(condor(['condor_q', id, '-af', 'JobStatus']).trim()).toBe('');
    expect(condor(['condor_q', '-constraint', `DAGManJobId == ${id}`, '-af', 'ClusterId']).trim()).toBe('');
    await withStore(h.home, async (s) => {
      const counts = await s.stateCounts('hc_cancel');
      expect(counts.RUNNING + counts.PENDING + counts.HELD).toBe(0);
      expect(counts.DELETED).toBeGreaterThan(0);
    });
  }, 900_000);
});
