// A store filled through the real Store API for the dashboard's server tests: a run at site `local` with init,
// two labels and final (one job failed with a log whose lines and name carry HTML, one succeeded after a retry, some
// pruned), and a run at site `other` outside any campaign.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JobSpec } from '../../core/workflow/model.js';
import { openStore } from '../../store/index.js';

export const RUN = 'dash_seed_run';
export const OTHER_RUN = 'dash_seed_other';
/** A job name with markup in it (names come from configs: untrusted). */
export const EVIL_JOB = 'calibrate_<b>x</b>_"q"';
export const EVIL_LINE = '<img src=x onerror=alert(1)> ValueError: planted failure in q7';
export const RETRIED_JOB = 'isr_2';

function spec(name: string, label: string, kind: JobSpec['kind'], site: string, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    name,
    kind,
    label,
    batch: kind === 'payload' ? 0 : -1,
    quanta: kind === 'payload' ? 1 : 0,
    argv: ['sh', '-c', `echo ${name}`],
    environment: {},
    requestMemory: 256,
    memoryMultiplier: 2,
    requestCpus: 1,
    numberOfRetries: 2,
    retryUnlessExit: [1, 2],
    computeSite: site,
    parents: [],
    ...extra,
  };
}

const at = (base: number, s: number) => new Date(base + s * 1000).toISOString();

export async function seedStore(dir: string): Promise<string> {
  const db = path.join(dir, 'tbps.sqlite');
  const submit = path.join(dir, 'submit', RUN);
  mkdirSync(path.join(submit, 'jobs'), { recursive: true });
  const store = await openStore(db);
  try {
    const base = Date.now() - 600_000;
    await store.upsertRun({ runId: RUN, workflowId: `run/${RUN}`, name: 'u/pilot/seed/run', payloadName: 'seed', operator: 'pilot', project: 'dash', submitPath: submit, wms: 'local', computeSite: 'local', state: 'RUNNING', quanta: 9, jobs: 11, createdAt: at(base, 0) });
    writeFileSync(path.join(submit, 'provenance.json'), JSON.stringify({ tbps: '0.1.0', node: process.version, temporalSdk: '1.24.0', lsst: null, host: 'seedhost', preparedAt: at(base, 0), environment: { TBPS_X: '<y>' } }));
    const jobs: JobSpec[] = [spec('pipetaskInit', 'pipetaskInit', 'init', 'local')];
    for (let i = 0; i < 4; i++) jobs.push(spec(`isr_${i}`, 'isr', 'payload', 'local', { parents: ['pipetaskInit'], dataId: { visit: 903334 + i, detector: 10 } }));
    jobs.push(spec(EVIL_JOB, 'calibrate', 'payload', 'local', { parents: ['isr_0'], dataId: { visit: 903334, detector: 10 } }));
    for (let i = 1; i < 4; i++) jobs.push(spec(`calibrate_${i}`, 'calibrate', 'payload', 'local', { parents: [`isr_${i}`], dataId: { visit: 903334 + i, detector: 10 } }));
    jobs.push(spec('coadd_0', 'coadd', 'payload', 'local', { parents: [EVIL_JOB] }));
    jobs.push(spec('finalJob', 'finalJob', 'final', 'local'));
    await store.insertJobs(RUN, jobs);

    const ok = async (name: string, attempt: number, t0: number, secs: number) => {
      await store.recordAttemptStart(RUN, name, attempt, { host: 'node1', memoryMb: 256 * 2 ** (attempt - 1), logPath: path.join(submit, 'jobs', `${name}.${attempt}.out`), startedAt: at(base, t0), readyAt: at(base, t0 - 1) });
      await store.recordAttemptEnd(RUN, name, attempt, { state: 'SUCCEEDED', exitCode: 0, peakRssMb: 120, endedAt: at(base, t0 + secs) });
    };
    await ok('pipetaskInit', 1, 0, 3);
    await ok('isr_0', 1, 5, 20);
    await ok('isr_1', 1, 5, 25);
    // isr_2: killed once, then succeeded (SUCCEEDED after 1 retry).
    await store.recordAttemptStart(RUN, RETRIED_JOB, 1, { host: 'node2', memoryMb: 256, startedAt: at(base, 5) });
    await store.recordAttemptEnd(RUN, RETRIED_JOB, 1, { state: 'FAILED', signal: 'SIGKILL', errorClass: 'infrastructure', endedAt: at(base, 12) });
    await ok(RETRIED_JOB, 2, 14, 20);
    await ok('calibrate_1', 1, 40, 30);
    // The evil job fails for good with a planted error in its stderr.
    const errLog = path.join(submit, 'jobs', 'evil.1.err');
    writeFileSync(errLog, ['INFO starting', 'Traceback (most recent call last):', '  File "task.py", line 3, in run', EVIL_LINE, ''].join('\n'));
    writeFileSync(errLog.replace(/\.err$/, '.out'), 'attempt 1 <stdout>\n');
    await store.recordAttemptStart(RUN, EVIL_JOB, 1, { host: 'node1', memoryMb: 256, logPath: errLog.replace(/\.err$/, '.out'), startedAt: at(base, 30) });
    await store.recordAttemptEnd(RUN, EVIL_JOB, 1, { state: 'FAILED', exitCode: 1, peakRssMb: 90, errorClass: 'payload', errorSummary: EVIL_LINE, errorLine: EVIL_LINE, endedAt: at(base, 34) });
    await store.setJobStates(RUN, ['coadd_0'], 'PRUNED');
    await store.recordAttemptStart(RUN, 'isr_3', 1, { host: 'node2', memoryMb: 256, startedAt: at(base, 60) });

    await store.upsertRun({ runId: OTHER_RUN, name: 'u/pilot/other', payloadName: 'other', operator: 'pilot', computeSite: 'other', state: 'SUCCEEDED', wms: 'local', submitPath: path.join(dir, 'submit', OTHER_RUN), createdAt: at(base, 100) });
    await store.insertJobs(OTHER_RUN, [spec('o_1', 'task', 'payload', 'other'), spec('o_2', 'task', 'payload', 'other')]);
  } finally {
    await store.close();
  }
  return db;
}
