// `npm run bench:compare-bps -- --quanta N`: tbps against LSST's own BPS (ctrl_bps, from PyPI in .venv-bps) on the
// same pipe_base graph, like for like. It provisions the peer (scripts/setup-bps-bench.sh), builds the scaled demo
// repository and its graph with `pipetask qgraph` (cached under --work, keyed by N), then runs `bps transform` /
// `bps prepare` and `tbps transform` / `tbps prepare` interleaved --repeats times (default 3) in two modes:
//   a  the graph is given and was made for the submission's output run: no rewrite (bench/lib/compareBps/submitConfigs.ts)
//   b  the same graph under a new output run: both rewrite it
// Each run is timed (wall seconds) and its whole process tree's peak RSS measured (bench/lib/compareBps/measure.ts).
// Prints one row per mode and stage (medians, ratios ctrl_bps / tbps) and as the last line one key=value line.
// Exits 1 when a run fails or when jobs per label, quanta per label or job-to-job edges differ between the tools
// (tbps's generic workflow against the DAG and submit files of `bps prepare`).
// Options: --quanta N (100000), --repeats R (3), --work DIR (<repo>/.bench/compare-bps), --cluster (the demo's
// per-detector/visit/patch clustering for both instead of one quantum per job), --modes a,b, --keep (keep submit dirs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { venvDir } from '../lsst/env.js';
import { repoRoot } from '../paths/index.js';
import { measureCommand, type Measured } from './lib/compareBps/measure.js';
import { scaledGraph } from './lib/compareBps/scaledDemo.js';
import { writeSubmitConfig, type Mode, type Tool } from './lib/compareBps/submitConfigs.js';
import { bpsShape, edgeDigest, shapeDifferences, tbpsShape, type WorkflowShape } from './lib/compareBps/workflowShape.js';

const STAGES = ['transform', 'prepare'] as const;
type Stage = (typeof STAGES)[number];

const { values } = parseArgs({
  options: {
    quanta: { type: 'string', default: '100000' },
    repeats: { type: 'string', default: '3' },
    work: { type: 'string', default: path.join(repoRoot, '.bench', 'compare-bps') },
    modes: { type: 'string', default: 'a,b' },
    cluster: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function usage(problem: string): never {
  console.error(`bench:compare-bps: ${problem}`);
  process.exit(2);
}
const quanta = Number(values.quanta);
if (!Number.isInteger(quanta) || quanta < 100) usage(`--quanta: expected a whole number >= 100, got '${values.quanta}'`);
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1) usage(`--repeats: expected a whole number >= 1, got '${values.repeats}'`);
const modes = values.modes.split(',').map((m) => m.trim());
if (modes.length === 0 || modes.some((m) => m !== 'a' && m !== 'b')) usage(`--modes: expected a, b or a,b, got '${values.modes}'`);
const work = path.resolve(values.work);
const say = (line: string) => console.log(`[compare-bps] ${line}`);

const BPS_VENV = process.env.TBPS_BPS_VENV ?? path.join(repoRoot, '.venv-bps');
const runsDir = path.join(work, 'runs');
const tbpsHome = path.join(work, 'tbps-home');

// ---------------------------------------------------------------------------------------------------- provisioning
say('provisioning ctrl_bps (scripts/setup-bps-bench.sh)');
const setup = spawnSync('bash', [path.join(repoRoot, 'scripts', 'setup-bps-bench.sh')], { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error(`bench:compare-bps: scripts/setup-bps-bench.sh failed (exit ${setup.status}); see its output above`);
  process.exit(1);
}
if (!existsSync(path.join(venvDir(), 'bin', 'pipetask'))) {
  console.error(`bench:compare-bps: tbps's LSST stack is missing (no pipetask in ${venvDir()}/bin); run 'npm run setup'`);
  process.exit(1);
}
const versions = JSON.parse(readFileSync(path.join(BPS_VENV, 'bps-versions.json'), 'utf8')) as Record<string, string>;
mkdirSync(runsDir, { recursive: true });
mkdirSync(tbpsHome, { recursive: true, mode: 0o700 });
const graph = await scaledGraph(quanta, work, say);

const envOf: Record<Tool, NodeJS.ProcessEnv> = {
  bps: {
    ...process.env,
    PATH: `${path.join(BPS_VENV, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    VIRTUAL_ENV: BPS_VENV,
    CTRL_MPEXEC_DIR: BPS_VENV,
    DAF_BUTLER_DIR: BPS_VENV,
  },
  tbps: { ...process.env, TBPS_HOME: tbpsHome, TBPS_LOG_LEVEL: 'warn', CTRL_MPEXEC_DIR: venvDir(), DAF_BUTLER_DIR: venvDir() },
};
const commandOf = (tool: Tool, stage: Stage, config: string) =>
  tool === 'bps' ? [path.join(BPS_VENV, 'bin', 'bps'), stage, config] : [process.execPath, path.join(repoRoot, 'bin', 'tbps.js'), stage, config];

interface Run {
  tool: Tool;
  mode: Mode;
  stage: Stage;
  measured: Measured;
}
const runs: Run[] = [];
/** The submit directories kept for the identity check: the last prepare of each tool and mode. */
const kept = new Map<string, string>();
/** Modes tbps cannot run on this branch (why), printed as n/a. */
const tbpsUnavailable = new Map<Mode, string>();

let serial = 0;
async function runOnce(tool: Tool, mode: Mode, stage: Stage, timed: boolean): Promise<Measured> {
  const name = `${tool}_${mode}_${stage}_${++serial}`;
  const { file, submitPath } = writeSubmitConfig({ tool, mode, name, dir: runsDir, graph, cluster: values.cluster });
  const logFile = path.join(runsDir, `${name}.log`);
  const measured = await measureCommand(commandOf(tool, stage, file), { env: envOf[tool], cwd: runsDir, logFile });
  if (measured.code !== 0) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    if (tool === 'tbps' && measured.code === 2 && !timed && /tbps-qgraph|pipe_base \.qg|binary/.test(tail)) {
      tbpsUnavailable.set(mode, tail.split('\n').at(-1) ?? '');
      rmSync(submitPath, { recursive: true, force: true });
      return measured;
    }
    console.error(`bench:compare-bps: ${tool} ${stage} (mode ${mode}) failed with exit ${measured.code}; log ${logFile}:\n${tail}`);
    process.exit(1);
  }
  if (timed) {
    runs.push({ tool, mode, stage, measured });
    say(`${mode} ${stage.padEnd(9)} ${tool.padEnd(4)} ${measured.seconds.toFixed(2).padStart(7)} s ${measured.peakMb.toFixed(0).padStart(6)} MB`);
  }
  const key = `${tool}/${mode}`;
  if (timed && (stage === 'prepare' || !kept.has(key))) {
    const previous = kept.get(key);
    if (previous && !values.keep) rmSync(previous, { recursive: true, force: true });
    kept.set(key, submitPath);
  } else if (!values.keep) {
    rmSync(submitPath, { recursive: true, force: true });
  }
  return measured;
}

// A first, untimed tbps run per mode: builds the CLI if its build is stale, and finds out whether this tbps takes a
// pipe_base .qg as qgraphFile (mode a) and rewrites it (mode b); where it does not, its figures are n/a.
for (const mode of modes as Mode[]) await runOnce('tbps', mode, 'transform', false);
for (const [mode, why] of tbpsUnavailable) say(`tbps cannot run mode ${mode} here: ${why}`);

for (let r = 0; r < repeats; r++) {
  for (const mode of modes as Mode[]) {
    for (const stage of STAGES) {
      const order: Tool[] = r % 2 === 0 ? ['bps', 'tbps'] : ['tbps', 'bps'];
      for (const tool of order) if (tool === 'bps' || !tbpsUnavailable.has(mode)) await runOnce(tool, mode, stage, true);
    }
  }
}

// ---------------------------------------------------------------------------------------------------- identity
const problems: string[] = [];
const shapes: Record<string, WorkflowShape> = {};
for (const mode of modes as Mode[]) {
  const bpsDir = kept.get(`bps/${mode}`);
  const tbpsDir = kept.get(`tbps/${mode}`);
  if (!bpsDir) continue;
  const theirs = await bpsShape(bpsDir);
  shapes[`bps/${mode}`] = theirs;
  if (!tbpsDir) continue;
  const ours = await tbpsShape(tbpsDir);
  shapes[`tbps/${mode}`] = ours;
  if (Object.keys(ours.jobsPerLabel).length === 0) problems.push(`mode ${mode}: tbps's generic workflow has no payload jobs`);
  for (const d of shapeDifferences(ours, theirs)) problems.push(`mode ${mode}: ${d}`);
}
if (!values.keep) for (const dir of kept.values()) rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------------- report
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const figures: string[] = [`quanta=${graph.quanta}`];
const anyShape = Object.values(shapes)[0];
if (anyShape) figures.push(`jobs=${Object.values(anyShape.jobsPerLabel).reduce((a, b) => a + b, 0)}`, `edges=${anyShape.edges.length}`);
console.log('');
console.log(`ctrl_bps ${versions['lsst-ctrl-bps']} (htcondor plugin ${versions['lsst-ctrl-bps-htcondor']}) vs tbps; ${graph.quanta} quanta; medians of ${repeats}; peak RSS of the process tree`);
console.log('mode  stage       bps_s   tbps_s  speedup   bps_mb  tbps_mb  mem_ratio');
for (const mode of modes as Mode[]) {
  for (const stage of STAGES) {
    const pick = (tool: Tool) => runs.filter((x) => x.tool === tool && x.mode === mode && x.stage === stage).map((x) => x.measured);
    const bps = pick('bps');
    const ours = pick('tbps');
    const bpsS = median(bps.map((m) => m.seconds));
    const bpsMb = median(bps.map((m) => m.peakMb));
    const prefix = `${mode}_${stage}`;
    if (ours.length === 0) {
      console.log(`${mode.padEnd(6)}${stage.padEnd(10)}${bpsS.toFixed(2).padStart(8)}      n/a      n/a ${bpsMb.toFixed(0).padStart(8)}      n/a        n/a`);
      figures.push(`${prefix}_bps_s=${bpsS.toFixed(2)}`, `${prefix}_tbps_s=n/a`, `${prefix}_bps_mb=${bpsMb.toFixed(0)}`, `${prefix}_tbps_mb=n/a`);
      continue;
    }
    const tbpsS = median(ours.map((m) => m.seconds));
    const tbpsMb = median(ours.map((m) => m.peakMb));
    console.log(
      `${mode.padEnd(6)}${stage.padEnd(10)}${bpsS.toFixed(2).padStart(8)} ${tbpsS.toFixed(2).padStart(8)} ${(bpsS / tbpsS).toFixed(1).padStart(7)}x ${bpsMb.toFixed(0).padStart(8)} ${tbpsMb.toFixed(0).padStart(8)} ${(bpsMb / tbpsMb).toFixed(1).padStart(9)}x`,
    );
    figures.push(
      `${prefix}_bps_s=${bpsS.toFixed(2)}`,
      `${prefix}_tbps_s=${tbpsS.toFixed(2)}`,
      `${prefix}_speedup=${(bpsS / tbpsS).toFixed(1)}`,
      `${prefix}_bps_mb=${bpsMb.toFixed(0)}`,
      `${prefix}_tbps_mb=${tbpsMb.toFixed(0)}`,
      `${prefix}_mem_ratio=${(bpsMb / tbpsMb).toFixed(1)}`,
    );
  }
}
for (const [mode, why] of tbpsUnavailable) console.log(`note: tbps n/a in mode ${mode}: this tbps does not take the given pipe_base graph (${why}); the given-graph branch adds it`);
if (values.cluster) console.log('clustering: the demo clusters (per detector, per visit, per patch) for both');
for (const [key, shape] of Object.entries(shapes)) console.log(`shape ${key}: ${Object.values(shape.jobsPerLabel).reduce((a, b) => a + b, 0)} payload jobs, ${shape.edges.length} edges, edge digest ${edgeDigest(shape)}`);
const identity = problems.length === 0 ? (Object.keys(shapes).some((k) => k.startsWith('tbps/')) ? 'same' : 'n/a') : 'DIFFERENT';
figures.push(`identity=${identity}`);
for (const p of problems) console.error(`identity check: ${p}`);
console.log(figures.join(' '));
if (problems.length > 0) process.exit(1);
