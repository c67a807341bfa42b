// `npm run bench:e2e -- [--reps 3] [--slots 2] [--keep]`: the LSST demo's step1 (lsst/pipelines/mock_drp.yaml#step1 on
// the ci_hsc demo repository: 165 quanta in 33 jobs of one visit/detector each, plus pipetaskInit and the final
// `butler aggregate-graph`) end to end through `tbps submit --wait` and through ctrl_bps's `bps submit` with
// ctrl_bps_parsl, each on its own copy of the same repository, with the same clustering, final job and parallelism
// (--slots jobs at a time: tbps's executor worker, parsl's Local site `cores`), interleaved --reps times (the order
// alternates). Graph generation is part of both. tbps's Temporal dev server and workers are started before the timing,
// as a running service; parsl starts its executor inside `bps submit`.
// Prints one line: tbps_s / bps_s (median wall times), ratio (tbps / bps; the goal is <= 0.7), the phase medians of each
// (graph, to_init, init, jobs, job_median, final, tail: bench/lib/e2e/phases.ts), the dataset counts (datasets=,
// dataset_types=) and datasets_identical=true when every run's output run (its own, u/e2e/step1/<tool><rep>) holds the same datasets per type
// as every other (lsst/count_datasets.py); exits 1 when they differ or a run fails. Needs .venv (npm run setup) and .venv-bps
// (bash scripts/setup-bps-bench.sh).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../lsst/env.js';
import { repoRoot } from '../paths/index.js';
import { readPhases, type Phases } from './lib/e2e/phases.js';
import { bpsConfig, OUTPUT, tbpsConfig, type E2eRun } from './lib/e2e/submitConfigs.js';
import { startStack, type Stack } from './lib/stack.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, slots: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } } });
const reps = Number(values.reps);
const slots = Number(values.slots);
for (const [key, value] of [['reps', reps], ['slots', slots]] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench:e2e: --${key}: expected a whole number >= 1, got '${values[key]}'`);
    process.exit(2);
  }
}

const BPS_VENV = path.join(repoRoot, '.venv-bps');
const PIPELINE = `${path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml')}#step1`;
const DATA_QUERY = "instrument='HSC'";
const LIKE_FOR_LIKE = ['lsst-ctrl-mpexec', 'lsst-pipe-base', 'lsst-daf-butler'];

/** Fails, naming the provisioning command, unless both stacks are there with the same middleware versions. */
function checkPrerequisites(): void {
  if (!hasLsstStack()) throw new Error(`bench:e2e: no pipetask in ${venvDir()}/bin; provision it with: npm run setup`);
  const bpsVersions = path.join(BPS_VENV, 'bps-versions.json');
  if (!existsSync(path.join(BPS_VENV, 'bin', 'bps')) || !existsSync(bpsVersions))
    throw new Error(`bench:e2e: no ctrl_bps in ${BPS_VENV}; provision it with: bash scripts/setup-bps-bench.sh`);
  const ours = JSON.parse(readFileSync(path.join(venvDir(), 'lsst-versions.json'), 'utf8')) as Record<string, string>;
  const peer = JSON.parse(readFileSync(bpsVersions, 'utf8')) as Record<string, string>;
  const differ = LIKE_FOR_LIKE.filter((name) => ours[name] !== peer[name]);
  if (differ.length > 0)
    throw new Error(`bench:e2e: the two venvs differ in ${differ.map((n) => `${n} (${ours[n]} vs ${peer[n]})`).join(', ')}; the comparison needs the same middleware`);
}

interface Outcome {
  seconds: number;
  phases: Phases;
  counts: Record<string, number>;
}

/** Runs a command to its end; resolves with its wall time, rejects with the end of its output when it fails. */
function timed(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; log: string }): Promise<{ startedMs: number; endedMs: number }> {
  return new Promise((resolve, reject) => {
    const startedMs = Date.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const endedMs = Date.now();
      writeFileSync(options.log, output);
      if (code === 0) resolve({ startedMs, endedMs });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code} (log ${options.log}):\n${output.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

function countDatasets(run: E2eRun): Record<string, number> {
  const out = execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'count_datasets.py'), run.repo, run.outputRun], {
    env: withLsstPath({ ...process.env }) as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
}

async function runTbps(stack: Stack, work: string, master: string, rep: number): Promise<Outcome> {
  const dir = path.join(work, `tbps-${rep}`);
  const run: E2eRun = { repo: path.join(dir, 'repo'), submitPath: path.join(dir, 'submit'), pipeline: PIPELINE, dataQuery: DATA_QUERY, outputRun: `${OUTPUT}/tbps${rep}` };
  cpSync(master, run.repo, { recursive: true });
  const config = path.join(dir, 'submit.yaml');
  writeFileSync(config, tbpsConfig(run));
  const { startedMs, endedMs } = await timed(process.execPath, [path.join(repoRoot, 'bin', 'tbps.js'), 'submit', config, '--wait'], {
    cwd: dir,
    env: stack.env,
    log: path.join(dir, 'submit.log'),
  });
  return { seconds: (endedMs - startedMs) / 1000, phases: readPhases(run.submitPath, 'jobs', startedMs, endedMs), counts: countDatasets(run) };
}

async function runBps(work: string, master: string, rep: number): Promise<Outcome> {
  const dir = path.join(work, `bps-${rep}`);
  const run: E2eRun = { repo: path.join(dir, 'repo'), submitPath: path.join(dir, 'submit'), pipeline: PIPELINE, dataQuery: DATA_QUERY, outputRun: `${OUTPUT}/bps${rep}` };
  cpSync(master, run.repo, { recursive: true });
  const config = path.join(dir, 'submit.yaml');
  writeFileSync(config, bpsConfig(run, slots));
  // ctrl_bps's templates name ${CTRL_MPEXEC_DIR}/bin/pipetask and ${DAF_BUTLER_DIR}/bin/butler: both in its venv
  const env = { ...process.env, PATH: `${path.join(BPS_VENV, 'bin')}:${process.env.PATH}`, VIRTUAL_ENV: BPS_VENV, CTRL_MPEXEC_DIR: BPS_VENV, DAF_BUTLER_DIR: BPS_VENV };
  // parsl writes its runinfo/ into the working directory: the run's own
  const { startedMs, endedMs } = await timed(path.join(BPS_VENV, 'bin', 'bps'), ['submit', config], { cwd: dir, env, log: path.join(dir, 'submit.log') });
  return { seconds: (endedMs - startedMs) / 1000, phases: readPhases(run.submitPath, 'logs', startedMs, endedMs), counts: countDatasets(run) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function phaseFigures(tool: string, outcomes: Outcome[]): string[] {
  const keys: Array<[string, keyof Phases]> = [['graph', 'graph'], ['to_init', 'toInit'], ['init', 'init'], ['jobs', 'jobs'], ['job_median', 'jobMedian'], ['final', 'final'], ['tail', 'tail']];
  return keys.map(([name, key]) => `${tool}_${name}_s=${median(outcomes.map((o) => o.phases[key])).toFixed(1)}`);
}

checkPrerequisites();
const stack = await startStack('e2e');
let failed = false;
try {
  const work = stack.work;
  const master = path.join(work, 'master-repo');
  execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), master], { env: withLsstPath({ ...process.env }) as NodeJS.ProcessEnv, stdio: 'pipe' });
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: String(slots) });
  for (let i = 0; i < 120 && stack.tbps(['ping']).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));

  const tbps: Outcome[] = [];
  const bps: Outcome[] = [];
  const loadBefore = os.loadavg()[0];
  for (let rep = 1; rep <= reps; rep++) {
    for (const dir of [`tbps-${rep}`, `bps-${rep}`]) mkdirSync(path.join(work, dir), { recursive: true });
    const order = rep % 2 === 1 ? ['tbps', 'bps'] : ['bps', 'tbps'];
    for (const tool of order) {
      if (tool === 'tbps') tbps.push(await runTbps(stack, work, master, rep));
      else bps.push(await runBps(work, master, rep));
      const last = tool === 'tbps' ? tbps.at(-1)! : bps.at(-1)!;
      console.error(`[bench:e2e] rep ${rep}/${reps} ${tool}: ${last.seconds.toFixed(1)} s (load ${os.loadavg()[0].toFixed(1)})`);
    }
  }

  const reference = JSON.stringify(tbps[0].counts);
  const all = [...tbps, ...bps];
  const identical = all.every((o) => JSON.stringify(o.counts) === reference);
  const datasets = Object.values(tbps[0].counts).reduce((a, b) => a + b, 0);
  const tbpsSeconds = median(tbps.map((o) => o.seconds));
  const bpsSeconds = median(bps.map((o) => o.seconds));
  const line = [
    `reps=${reps}`,
    `slots=${slots}`,
    `jobs=${tbps[0].phases.jobCount}`,
    `tbps_s=${tbpsSeconds.toFixed(1)}`,
    `bps_s=${bpsSeconds.toFixed(1)}`,
    `ratio=${(tbpsSeconds / bpsSeconds).toFixed(2)}`,
    ...phaseFigures('tbps', tbps),
    ...phaseFigures('bps', bps),
    `datasets=${datasets}`,
    `dataset_types=${Object.keys(tbps[0].counts).length}`,
    `datasets_identical=${identical}`,
    `load1=${loadBefore.toFixed(1)}-${os.loadavg()[0].toFixed(1)}`,
  ];
  console.log(line.join(' '));
  if (!identical || datasets === 0) {
    failed = true;
    for (const [i, o] of all.entries()) console.error(`[bench:e2e] ${i < tbps.length ? `tbps ${i + 1}` : `bps ${i - tbps.length + 1}`}: ${JSON.stringify(o.counts)}`);
  }
} catch (err) {
  failed = true;
  console.error(String(err instanceof Error ? err.message : err));
} finally {
  const keep = values.keep || failed;
  await stack.stop(keep);
  if (keep) console.error(`[bench:e2e] kept ${stack.work} (runs) and ${stack.home} (tbps data, worker logs)`);
}
process.exit(failed ? 1 : 0);
